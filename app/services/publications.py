"""The daily Top-10 publication and the final results: immutable snapshots computed from stored papers.

Rule: at the campaign's publication time (default 10:00 Asia/Shanghai) the Top-10 teams of the previous
day and cumulatively up to the end of that day are published. A publication missed while the service was
down is made when it comes back. Publishing is idempotent (one row per campaign, day and kind).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from app import clock, personal_data
from app.extensions import db
from app.models.campaign import Campaign
from app.models.leaderboard import Publication
from app.models.participant import Enrollment, Participant
from app.services import read_cache, standings

TOP = 10


def publish_time(campaign: Campaign) -> time:
    hh, mm = (campaign.settings.get("publish_time") or "10:00").split(":")
    return time(int(hh), int(mm))


def _publish(
    campaign: Campaign, day: date, kind: str, rows: list[dict], as_of: datetime, now: datetime
) -> Publication:
    existing = db.session.scalar(
        select(Publication).where(
            Publication.campaign_id == campaign.id, Publication.day == day, Publication.kind == kind
        )
    )
    if existing is not None:
        return existing
    pub = Publication(
        campaign_id=campaign.id,
        day=day,
        kind=kind,
        as_of=as_of,
        published_at=now,
        rows=rows,
        formula=(campaign.settings.get("team_formula") or {}).get("kind", "total"),
    )
    try:
        with db.session.begin_nested():  # two schedulers at once: the UNIQUE constraint keeps one
            db.session.add(pub)
    except IntegrityError:
        return db.session.scalar(
            select(Publication).where(
                Publication.campaign_id == campaign.id, Publication.day == day, Publication.kind == kind
            )
        )
    return pub


def publish_day(campaign: Campaign, day: date, now: datetime) -> tuple[Publication, Publication]:
    """Publish the Top-10 teams of `day` (daily) and cumulatively up to the end of `day`."""
    _, end = clock.day_bounds(day)
    as_of = min(end, campaign.ends_at)
    daily = standings.team_standings_sql(campaign, day=day)[:TOP]
    cumulative = standings.team_standings_sql(campaign, as_of=as_of)[:TOP]
    return (
        _publish(campaign, day, "daily", [r.as_dict() for r in daily], as_of, now),
        _publish(campaign, day, "cumulative", [r.as_dict() for r in cumulative], as_of, now),
    )


def due_days(campaign: Campaign, now: datetime) -> list[date]:
    """Days whose publication time has passed (the day after, at publish_time), not yet published."""
    first = clock.campaign_day(campaign.starts_at)
    last = clock.campaign_day(campaign.ends_at - timedelta(seconds=1))
    at = publish_time(campaign)
    done = set(
        db.session.scalars(
            select(Publication.day).where(
                Publication.campaign_id == campaign.id, Publication.kind == "cumulative"
            )
        )
    )
    days = []
    day = first
    while day <= last:
        if clock.local_datetime(day + timedelta(days=1), at) <= now and day not in done:
            days.append(day)
        day += timedelta(days=1)
    return days


read_cache.watch(Publication)


def latest(campaign: Campaign, kind: str = "cumulative") -> Publication | None:
    """The newest publication of this kind, read-only: from the process's copy (a new one is published once
    a day, so the copy is re-read at most every READ_CACHE_SECONDS)."""
    query = (
        select(Publication)
        .where(Publication.campaign_id == campaign.id, Publication.kind == kind)
        .order_by(Publication.day.desc())
        .limit(1)
    )
    if db.session.info.get(read_cache.DIRTY):
        return db.session.scalar(query)

    def load() -> Publication | None:
        return next(iter(read_cache.detached(query)), None)

    return read_cache.cached(f"publication:{campaign.id}:{kind}", load)


def published(campaign: Campaign) -> list[Publication]:
    return list(
        db.session.scalars(
            select(Publication)
            .where(Publication.campaign_id == campaign.id)
            .order_by(Publication.day.desc(), Publication.kind)
        )
    )


@dataclass(frozen=True)
class FinalRow:
    rank: int
    name: str
    team: str
    points: int
    time_s: int
    phone: str | None
    work_unit: str | None


def freeze_final(campaign: Campaign, now: datetime) -> tuple[Publication, Publication]:
    """At the end: the final team ranking (top 10 = 优秀战队) and the top-N individuals, frozen."""
    if now < campaign.ends_at:
        raise ValueError("the campaign has not ended yet")
    last_day = clock.campaign_day(campaign.ends_at - timedelta(seconds=1))
    teams = standings.team_standings_sql(campaign, as_of=campaign.ends_at)
    n = int(campaign.settings.get("top_individuals", 100))
    aggregates = standings.individual_aggregates_sql(campaign, as_of=campaign.ends_at)
    ordered = standings.order_individuals(campaign, aggregates)[:n]
    team_names = {t.id: t.name for t in campaign.teams}
    team_of = dict(
        db.session.execute(
            select(Enrollment.participant_id, Enrollment.team_id).where(Enrollment.campaign_id == campaign.id)
        ).all()
    )
    rows = []
    for rank, (pid, value) in enumerate(ordered, start=1):
        points, time_s = standings.decode(value)
        rows.append(
            {
                "rank": rank,
                "participant_id": pid,
                "team": team_names.get(team_of.get(pid), ""),
                "points": points,
                "time_s": time_s,
            }
        )
    team_rows = [{**r.as_dict(), "excellent": r.rank <= TOP} for r in teams]
    return (
        _publish(campaign, last_day, "final_teams", team_rows, campaign.ends_at, now),
        _publish(campaign, last_day, "final_individuals", rows, campaign.ends_at, now),
    )


def final_individuals_for_prizes(pub: Publication) -> list[FinalRow]:
    """Final individual rows with full names and phones, only for the prize-delivery export."""
    people = {
        p.id: p
        for p in db.session.scalars(
            select(Participant).where(Participant.id.in_([r["participant_id"] for r in pub.rows]))
        )
    }
    out = []
    for r in pub.rows:
        p = people.get(r["participant_id"])
        out.append(
            FinalRow(
                r["rank"],
                p.name if p else "",
                r["team"],
                r["points"],
                r["time_s"],
                personal_data.decrypt(p.phone_enc) if p else None,
                p.work_unit if p else None,
            )
        )
    return out
