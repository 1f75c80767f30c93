"""Jobs: the daily publication (with catch-up), final results, and the leaderboard watchdog."""

from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy import select

from app.extensions import db
from app.models.campaign import Campaign
from app.services import leaderboard_rebuild, leaderboards, publications

log = logging.getLogger(__name__)


def publish_due(now: datetime) -> str:
    """Publish every due and missing day of every campaign; freeze final results of ended campaigns."""
    done = []
    for campaign in db.session.scalars(select(Campaign)):
        for day in publications.due_days(campaign, now):
            publications.publish_day(campaign, day, now)
            db.session.commit()  # one publication per commit: complete or absent, never partial
            done.append(f"{campaign.slug}:{day.isoformat()}")
        if now >= campaign.ends_at and not any(
            p.kind == "final_teams" for p in publications.published(campaign)
        ):
            publications.freeze_final(campaign, now)
            db.session.commit()
            done.append(f"{campaign.slug}:final")
    return "published " + (", ".join(done) if done else "nothing due")


def watch_leaderboards(now: datetime) -> str:
    """Rebuild a campaign's Redis boards when they are missing (Redis lost its data) or have drifted."""
    if leaderboards.redis_client() is None:
        return "no Redis"
    rebuilt = []
    for campaign in db.session.scalars(select(Campaign)):
        if not leaderboards.is_ready(campaign) or leaderboard_rebuild.drifted(campaign):
            result = leaderboard_rebuild.rebuild(campaign, now)
            rebuilt.append(f"{campaign.slug} ({result.participants} residents, {result.seconds:.1f}s)")
    return "rebuilt " + ", ".join(rebuilt) if rebuilt else "boards ok"
