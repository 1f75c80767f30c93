"""Builders for tests: gen_* style helpers that write through the services, like CTFd's."""

from __future__ import annotations

from datetime import datetime, timedelta

from app import clock
from app.extensions import db
from app.models.campaign import Campaign, Team
from app.models.participant import Enrollment
from app.services import bank, campaigns, registration
from config.campaign_spec import CampaignSpec, MixSpec
from config.regions import DIVISIONS
from quiz_bank.loader import load_bank


def load_bundled_bank() -> int:
    result = bank.sync_questions(load_bank(), clock.now())
    db.session.commit()
    return result.added


def make_campaign(
    slug: str = "test",
    start: datetime | None = None,
    days: int = 11,
    **overrides,  # noqa: ANN003
) -> Campaign:
    """A campaign (default: 2026-06-15 10:00 to 06-25 24:00 CST, 11 days) with the 32 national teams."""
    from datetime import UTC

    start = start or datetime(2026, 6, 15, 2, 0, tzinfo=UTC)
    spec = CampaignSpec(
        slug=slug,
        name=f"测试活动 {slug}",
        starts_at=start.astimezone(clock.CAMPAIGN_TZ),
        ends_at=clock.local(clock.day_bounds(clock.campaign_day(start) + timedelta(days=days - 1))[1]),
        mix=overrides.pop(
            "mix", (MixSpec("single", 3, 10), MixSpec("judge", 3, 10), MixSpec("multiple", 2, 20))
        ),
        teams=overrides.pop("teams", DIVISIONS["national-32"]),
        **overrides,
    )
    campaign = campaigns.upsert_campaign(spec, clock.now())
    db.session.commit()
    return campaign


def team(campaign: Campaign, code: str = "11") -> Team:
    return next(t for t in campaign.teams if t.code == code)


def make_participant(
    campaign: Campaign, openid: str = "o_p1", name: str = "张三", region: str = "11", phone: str | None = None
) -> Enrollment:
    enrollment = registration.register(
        openid,
        campaign,
        name=name,
        team=team(campaign, region),
        phone=phone,
        work_unit=None,
        consent=True,
        now=clock.now(),
    )
    db.session.commit()
    return enrollment
