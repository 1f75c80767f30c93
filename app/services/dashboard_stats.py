"""Figures for the staff overview: headline counts, participation per day and team, score distribution,
accuracy per question type.

Counts come from the live team boards (Redis when ready, else SQL), so they follow the ranking rules: one
counted paper per resident and day, excluded residents and flagged papers left out. The two aggregates
that scan every paper (score distribution, accuracy per type) are cached in the state store and refreshed
by the `refresh_dashboard_stats` job; a page computes them itself only when the cache is empty.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy import case, func, select, text
from sqlalchemy.exc import OperationalError

from app import clock, redis_keys
from app.extensions import db
from app.models.campaign import Campaign
from app.models.paper import SUBMITTED, Paper, PaperItem
from app.services import leaderboards, standings
from app.services.standings import TeamStanding
from app.state_store import StateStore, StoreUnavailable

QTYPE_LABELS = {"single": "单选题", "multiple": "多选题", "judge": "判断题"}
SCORE_BINS = 10  # score distribution in tenths of the maximum score


@dataclass(frozen=True)
class Headline:
    participants: int
    papers: int
    points: int

    @property
    def average(self) -> float:
        """Average score of a counted paper."""
        return round(self.points / self.papers, 1) if self.papers else 0.0


def headline(board: list[TeamStanding]) -> Headline:
    """Totals of a team board (each resident is in one team, so participants add up)."""
    return Headline(
        sum(r.participants for r in board), sum(r.papers for r in board), sum(r.points for r in board)
    )


def campaign_days(campaign: Campaign, today: date) -> list[date]:
    """The campaign's days up to today (or its last day)."""
    first = clock.campaign_day(campaign.starts_at)
    last = min(today, clock.campaign_day(campaign.ends_at - timedelta(seconds=1)))
    return [first + timedelta(days=i) for i in range((last - first).days + 1)]


def participation_by_day(campaign: Campaign, today: date) -> list[dict[str, Any]]:
    """[{day, participants, papers, average}] for every campaign day so far."""
    days = campaign_days(campaign, today)
    if leaderboards.is_ready(campaign):
        totals = {day: headline(leaderboards.team_board(campaign, day)) for day in days}
    else:
        by_day = standings.team_components_by_day_sql(campaign)
        totals = {
            day: Headline(
                sum(c.participants for c in comps.values()),
                sum(c.papers for c in comps.values()),
                sum(c.points for c in comps.values()),
            )
            for day, comps in by_day.items()
        }
    out = []
    for day in days:
        h = totals.get(day, Headline(0, 0, 0))
        out.append(
            {"day": day.isoformat(), "participants": h.participants, "papers": h.papers, "average": h.average}
        )
    return out


def score_distribution_sql(campaign: Campaign) -> list[dict[str, Any]]:
    """Counted papers per tenth of the maximum score: [{label: "60-69%", papers}], low to high."""
    rows = db.session.execute(
        select(Paper.score, Paper.max_score, func.count())
        .where(
            Paper.campaign_id == campaign.id,
            Paper.status == SUBMITTED,
            Paper.counted.is_(True),
            Paper.flagged.is_(None),
        )
        .group_by(Paper.score, Paper.max_score)
    )
    bins = [0] * SCORE_BINS
    for score, max_score, n in rows:
        share = (score or 0) / max_score if max_score else 0.0
        bins[min(int(share * SCORE_BINS), SCORE_BINS - 1)] += int(n)
    step = 100 // SCORE_BINS
    labels = [f"{i * step}-{i * step + step - 1}%" for i in range(SCORE_BINS - 1)] + [f"{100 - step}-100%"]
    return [{"label": label, "papers": n} for label, n in zip(labels, bins, strict=True)]


def accuracy_by_type_sql(campaign: Campaign) -> list[dict[str, Any]]:
    """Per question type: items on submitted papers, items fully right, and the share (unanswered = wrong)."""
    right = func.sum(case((PaperItem.awarded >= PaperItem.points, 1), else_=0))
    rows = db.session.execute(
        select(PaperItem.qtype, func.count(), right)
        .join(Paper, Paper.id == PaperItem.paper_id)
        .where(Paper.campaign_id == campaign.id, Paper.status == SUBMITTED)
        .group_by(PaperItem.qtype)
    )
    out = []
    for qtype, items, correct in rows:
        correct = int(correct or 0)
        rate = round(100 * correct / items, 1) if items else 0.0
        out.append(
            {
                "qtype": qtype,
                "label": QTYPE_LABELS.get(qtype, qtype),
                "items": items,
                "correct": correct,
                "rate": rate,
            }
        )
    order = list(QTYPE_LABELS)
    return sorted(out, key=lambda r: order.index(r["qtype"]) if r["qtype"] in order else len(order))


CACHED: dict[str, Callable[[Campaign], Any]] = {
    "score_distribution": score_distribution_sql,
    "accuracy_by_type": accuracy_by_type_sql,
}


def cached(store: StateStore, campaign: Campaign, name: str, *, inline: bool = True) -> Any:
    """A cached aggregate; computed (and stored) here only when the cache is empty or unreachable."""
    key = redis_keys.dashboard_stat(campaign.id, name)
    try:
        raw = store.get(key)
    except StoreUnavailable:
        raw = None
    if raw is not None:
        return json.loads(raw)
    value = bounded(CACHED[name], campaign) if inline else None
    if value is None:
        return None  # too big to compute inside a page: the page says the job will have it in a few minutes
    try:
        store.set(key, json.dumps(value, ensure_ascii=False))
    except StoreUnavailable:
        pass
    return value


INLINE_BUDGET = "100ms"  # a page computes an uncached aggregate only if it fits in this (PostgreSQL)


def bounded(compute: Callable[[Any], Any], arg: Any) -> Any:
    """Compute inside a page under a statement timeout: a small campaign gets its chart at once, a large one
    (millions of papers) gets None well inside the page budget instead of a multi-second page."""
    if db.engine.dialect.name != "postgresql":
        return compute(arg)
    previous = db.session.execute(text("SHOW statement_timeout")).scalar_one()
    try:
        with db.session.begin_nested():
            db.session.execute(text(f"SET LOCAL statement_timeout = '{INLINE_BUDGET}'"))
            value = compute(arg)
    except OperationalError as exc:
        if "statement timeout" not in str(exc) and "canceling statement" not in str(exc):
            raise
        return None
    db.session.execute(text("SELECT set_config('statement_timeout', :v, true)"), {"v": previous})
    return value


def refresh(store: StateStore, campaign: Campaign) -> None:
    """Recompute every cached aggregate of a campaign (the job calls this; pages then only read).
    Scanning millions of papers may outlast the request statement timeout: this transaction gets 120 s."""
    if db.engine.dialect.name == "postgresql":
        db.session.execute(text("SET LOCAL statement_timeout = '120s'"))
    for name, compute in CACHED.items():
        store.set(
            redis_keys.dashboard_stat(campaign.id, name), json.dumps(compute(campaign), ensure_ascii=False)
        )
