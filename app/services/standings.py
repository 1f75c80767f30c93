"""Standings from the database (the truth): team components, the team formulas, individual order.

Rules (shown to residents in 规则):
- Each resident's first submitted paper of a day counts for rankings (further attempts are practice).
- Individuals rank by cumulative points; ties go to the smaller total time used, then to the earlier last
  counted submission, then to the earlier registration (smaller id).
- Teams rank by the campaign's formula (total points by default); ties go to more points, then more
  participants, then the team's order in the division.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func, select

from app import clock
from app.extensions import db
from app.models.campaign import Campaign, Team
from app.models.paper import SUBMITTED, Paper
from app.models.participant import Participant

FORMULAS = {
    "total": "总积分（参与人数 × 人均得分）",
    "weighted": "加权分（w1 × 参与人数 + w2 × 人均得分）",
    "per_capita": "每万人积分（总积分 ÷ 常住人口 × 10000）",
}
TIME_BITS, SUBMIT_BITS = 18, 22  # composite = points << 40 | inverted time << 22 | inverted submit offset


@dataclass(frozen=True)
class TeamInfo:
    """What ranking needs of a team (a plain copy of the row, safe to share between requests)."""

    id: int
    code: str
    name: str
    position: int
    population: int | None


@dataclass(frozen=True)
class TeamComponents:
    team_id: int
    participants: int = 0
    papers: int = 0
    points: int = 0

    @property
    def average(self) -> float:
        """Average points per participant (so total points = participants × average)."""
        return self.points / self.participants if self.participants else 0.0


@dataclass(frozen=True)
class TeamStanding:
    rank: int
    team_id: int
    code: str
    name: str
    score: float | None
    participants: int
    papers: int
    points: int
    average: float
    participation_rate: float | None  # participants / population, where a population is configured

    def as_dict(self) -> dict:
        return {
            "rank": self.rank,
            "team_id": self.team_id,
            "code": self.code,
            "name": self.name,
            "score": self.score,
            "participants": self.participants,
            "papers": self.papers,
            "points": self.points,
            "average": round(self.average, 2),
            "participation_rate": self.participation_rate,
        }


def team_score(c: TeamComponents, population: int | None, formula: dict) -> float | None:
    """The campaign's team formula. per_capita without a population is None (ranked last)."""
    kind = formula.get("kind", "total")
    if kind == "total":
        return float(c.points)
    if kind == "weighted":
        return round(
            float(formula.get("w1", 1.0)) * c.participants + float(formula.get("w2", 1.0)) * c.average, 4
        )
    if kind == "per_capita":
        return round(c.points / population * 10000, 4) if population else None
    raise ValueError(f"unknown team formula {kind!r}")


def rank_teams(
    teams: list[Team] | list[TeamInfo], components: dict[int, TeamComponents], formula: dict
) -> list[TeamStanding]:
    rows = []
    for team in teams:
        c = components.get(team.id, TeamComponents(team.id))
        score = team_score(c, team.population, formula)
        rate = round(c.participants / team.population, 8) if team.population else None
        rows.append((team, c, score, rate))
    rows.sort(key=lambda r: (r[2] is None, -(r[2] or 0), -r[1].points, -r[1].participants, r[0].position))
    return [
        TeamStanding(i, t.id, t.code, t.name, s, c.participants, c.papers, c.points, c.average, rate)
        for i, (t, c, s, rate) in enumerate(rows, start=1)
    ]


def _counted(campaign: Campaign, as_of: datetime | None, day: date | None):
    query = (
        select(Paper)
        .join(Participant, Participant.id == Paper.participant_id)
        .where(
            Paper.campaign_id == campaign.id,
            Paper.status == SUBMITTED,
            Paper.counted.is_(True),
            Paper.flagged.is_(None),  # flagged papers wait for staff review (app.services.moderation)
            Participant.excluded.is_(False),
        )
    )
    if as_of is not None:
        query = query.where(Paper.submitted_at < as_of)
    if day is not None:
        query = query.where(Paper.day == day)
    return query.subquery()


def team_components_sql(
    campaign: Campaign, *, as_of: datetime | None = None, day: date | None = None
) -> dict[int, TeamComponents]:
    """Per-team participants (distinct), papers and points, from counted papers."""
    p = _counted(campaign, as_of, day)
    rows = db.session.execute(
        select(
            p.c.team_id, func.count(func.distinct(p.c.participant_id)), func.count(), func.sum(p.c.score)
        ).group_by(p.c.team_id)
    )
    return {tid: TeamComponents(tid, int(n), int(k), int(pts or 0)) for tid, n, k, pts in rows}


def team_components_by_day_sql(campaign: Campaign) -> dict[date, dict[int, TeamComponents]]:
    """Per-day team components for every day in one grouped query (a rebuild reads papers once)."""
    p = _counted(campaign, None, None)
    rows = db.session.execute(
        select(
            p.c.day,
            p.c.team_id,
            func.count(func.distinct(p.c.participant_id)),
            func.count(),
            func.sum(p.c.score),
        ).group_by(p.c.day, p.c.team_id)
    )
    out: dict[date, dict[int, TeamComponents]] = {}
    for day, tid, n, k, pts in rows:
        out.setdefault(day, {})[tid] = TeamComponents(tid, int(n), int(k), int(pts or 0))
    return out


def team_standings_sql(
    campaign: Campaign, *, as_of: datetime | None = None, day: date | None = None
) -> list[TeamStanding]:
    return rank_teams(
        list(campaign.teams),
        team_components_sql(campaign, as_of=as_of, day=day),
        campaign.settings.get("team_formula") or {"kind": "total"},
    )


@dataclass(frozen=True)
class Aggregate:
    """A resident's cumulative ranking inputs."""

    participant_id: int
    team_id: int
    points: int
    time_ms: int
    last_submit: datetime
    days_mask: int


def composite(campaign: Campaign, points: int, time_ms: int, last_submit: datetime) -> int:
    """One integer that sorts like the rules: more points, then less time, then earlier submission."""
    time_s = min(time_ms // 1000, (1 << TIME_BITS) - 1)
    offset = int((clock.ensure_aware(last_submit) - campaign.starts_at).total_seconds())
    offset = min(max(offset, 0), (1 << SUBMIT_BITS) - 1)
    return (
        (points << (TIME_BITS + SUBMIT_BITS))
        | (((1 << TIME_BITS) - 1 - time_s) << SUBMIT_BITS)
        | ((1 << SUBMIT_BITS) - 1 - offset)
    )


def individual_aggregates_sql(campaign: Campaign, *, as_of: datetime | None = None) -> list[Aggregate]:
    p = _counted(campaign, as_of, None)
    rows = db.session.execute(
        select(
            p.c.participant_id,
            func.max(p.c.team_id),
            func.sum(p.c.score),
            func.sum(p.c.time_used_ms),
            func.max(p.c.submitted_at),
            func.sum(p.c.day_bit),
        ).group_by(p.c.participant_id)
    )
    return [
        Aggregate(pid, tid, int(pts or 0), int(ms or 0), clock.ensure_aware(last), int(mask or 0))
        for pid, tid, pts, ms, last, mask in rows
    ]


def order_individuals(campaign: Campaign, aggregates: list[Aggregate]) -> list[tuple[int, int]]:
    """[(participant_id, composite)] best first; equal composites go to the smaller participant id."""
    keyed = [(a.participant_id, composite(campaign, a.points, a.time_ms, a.last_submit)) for a in aggregates]
    keyed.sort(key=lambda r: (-r[1], r[0]))
    return keyed


def decode(value: int) -> tuple[int, int]:
    """(points, time seconds) from a composite."""
    points = value >> (TIME_BITS + SUBMIT_BITS)
    time_s = (1 << TIME_BITS) - 1 - ((value >> SUBMIT_BITS) & ((1 << TIME_BITS) - 1))
    return points, time_s
