"""Which campaign a dashboard page shows: ?campaign=<slug>, else the current one."""

from __future__ import annotations

from flask import request
from sqlalchemy import select

from app import clock
from app.extensions import db
from app.models.campaign import Campaign
from app.services import campaigns


def chosen_campaign() -> tuple[Campaign | None, list[Campaign]]:
    """(the campaign to show, every campaign for the picker)."""
    every = list(db.session.scalars(select(Campaign).order_by(Campaign.starts_at.desc())))
    slug = request.args.get("campaign", "")
    picked = next((c for c in every if c.slug == slug), None)
    return picked or campaigns.current_campaign(clock.now()), every
