"""Job: refresh the staff overview's cached aggregates (score distribution, accuracy per question type)."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select, text

from app import runtime
from app.extensions import db
from app.models.campaign import Campaign
from app.services import bank_admin, dashboard_stats


def refresh_dashboard_stats(now: datetime) -> str:
    """Recompute for campaigns running now or ended within the last 30 days (their figures still change)."""
    done = []
    for campaign in db.session.scalars(select(Campaign)):
        if campaign.starts_at <= now < campaign.ends_at + timedelta(days=30):
            dashboard_stats.refresh(runtime.store(), campaign)
            done.append(campaign.slug)
    if done and db.engine.dialect.name == "postgresql":
        db.session.execute(text("SET LOCAL statement_timeout = '120s'"))
    questions = bank_admin.refresh_question_stats(runtime.store()) if done else 0
    return (
        "refreshed "
        + (", ".join(done) if done else "nothing")
        + (f"; {questions} question stats" if done else "")
    )
