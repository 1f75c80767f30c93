"""Campaigns: load a definition, find the one that is on, and say when it runs."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from app import clock
from app.errors import DomainError
from app.extensions import db
from app.models.campaign import Campaign, Team
from app.services import read_cache
from config.campaign_spec import CampaignSpec, MixSpec
from config.regions import DIVISIONS
from quiz_bank.composer import MixItem
from quiz_bank.schema import QuestionType


def upsert_campaign(spec: CampaignSpec, now: datetime) -> Campaign:
    """Create or update a campaign from its definition. Teams are matched by code; none is deleted."""
    campaign = db.session.scalar(select(Campaign).where(Campaign.slug == spec.slug))
    if campaign is None:
        campaign = Campaign(slug=spec.slug, created_at=now)
        db.session.add(campaign)
    campaign.name = spec.name
    campaign.starts_at = spec.starts_at.astimezone(UTC)
    campaign.ends_at = spec.ends_at.astimezone(UTC)
    campaign.settings = spec.settings_json()
    db.session.flush()
    existing = {t.code: t for t in db.session.scalars(select(Team).where(Team.campaign_id == campaign.id))}
    for position, region in enumerate(spec.teams, start=1):
        team = existing.get(region.code) or Team(campaign_id=campaign.id, code=region.code)
        team.name, team.aliases, team.position = region.name, list(region.aliases), position
        team.population = region.population
        db.session.add(team)
    db.session.flush()
    return campaign


def demo_spec(now: datetime) -> CampaignSpec:
    """A demo campaign that is open now: yesterday 00:00 until 30 days from today (Asia/Shanghai)."""
    today = clock.campaign_day(now)
    start = clock.local(clock.day_bounds(today - timedelta(days=1))[0])
    end = clock.local(clock.day_bounds(today + timedelta(days=30))[0])
    mix = (MixSpec("single", 3, 10), MixSpec("judge", 3, 10), MixSpec("multiple", 2, 20))
    return CampaignSpec(
        slug="demo",
        name="防范非法集资知识答题（演示）",
        starts_at=start,
        ends_at=end,
        mix=mix,
        teams=DIVISIONS["national-32"],
    )


read_cache.watch(Campaign)


def _load_campaigns() -> list[Campaign]:
    """Every campaign, detached (shared by the requests of this process)."""
    return read_cache.detached(select(Campaign).order_by(Campaign.starts_at))


def current_campaign(now: datetime, *, attach: bool = True) -> Campaign | None:
    """The campaign open now; else the next one to open; else the one that ended last.

    Read from the process's copy of the campaigns (read_cache), merged into the session without a query.
    attach=False returns the shared copy itself, for callers that only read its columns (no relationships,
    no changes): merging costs about as much CPU as a chat answer's SQL statement."""
    if db.session.registry.has() and db.session().info.get(read_cache.DIRTY):  # (no session made for this)
        campaigns = list(db.session.scalars(select(Campaign).order_by(Campaign.starts_at)))
        return _pick(campaigns, now)
    found = _pick(read_cache.cached("campaigns", _load_campaigns), now)
    if found is None or not attach:
        return found
    return db.session.merge(found, load=False)


def _pick(campaigns: list[Campaign], now: datetime) -> Campaign | None:
    for c in campaigns:
        if c.is_open(now):
            return c
    upcoming = [c for c in campaigns if c.starts_at > now]
    if upcoming:
        return upcoming[0]
    return campaigns[-1] if campaigns else None


def window_text(campaign: Campaign) -> str:
    """“6月15日10:00至6月25日24:00” in Asia/Shanghai."""
    start = clock.local(campaign.starts_at)
    end = clock.local(campaign.ends_at)
    end_text = f"{end.month}月{end.day}日{end:%H:%M}"
    if end.hour == 0 and end.minute == 0:
        prev = end - timedelta(days=1)
        end_text = f"{prev.month}月{prev.day}日24:00"
    return f"{start.month}月{start.day}日{start:%H:%M}至{end_text}"


def require_open(now: datetime, *, attach: bool = True) -> Campaign:
    """The open campaign, or a DomainError telling the resident when it runs (attach: see current_campaign)."""
    campaign = current_campaign(now, attach=attach)
    if campaign is None:
        raise DomainError("目前没有进行中的答题活动，敬请关注。", code="no_campaign")
    if now < campaign.starts_at:
        raise DomainError(f"答题活动还没开始。活动时间：{window_text(campaign)}。", code="not_started")
    if now >= campaign.ends_at:
        raise DomainError(f"本次答题活动已结束（{window_text(campaign)}），感谢参与！", code="ended")
    return campaign


@dataclass(frozen=True)
class Rules:
    mix: tuple[MixItem, ...]
    multiple_rule: str
    attempts_per_day: int
    time_limit_seconds: int | None
    min_seconds_per_paper: int
    shuffle_options: bool
    total_points: int


def rules_of(campaign: Campaign) -> Rules:
    s = campaign.settings
    mix = tuple(MixItem(QuestionType(m["type"]), int(m["count"]), int(m["points"])) for m in s["mix"])
    return Rules(
        mix=mix,
        multiple_rule=s.get("multiple_rule", "all_or_nothing"),
        attempts_per_day=int(s.get("attempts_per_day", 1)),
        time_limit_seconds=s.get("time_limit_seconds"),
        min_seconds_per_paper=int(s.get("min_seconds_per_paper", 20)),
        shuffle_options=bool(s.get("shuffle_options", True)),
        total_points=sum(m.count * m.points for m in mix),
    )
