"""Rebuilding a campaign's Redis boards from stored papers, and the drift check the watchdog runs.

The rebuild writes temp keys, swaps them in atomically, then replays papers submitted meanwhile through the
one writer (`leaderboards.apply_paper`, idempotent), so nothing is lost or counted twice.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import func, select, text

from app import clock, redis_keys
from app.extensions import db
from app.models.campaign import Campaign
from app.models.paper import SUBMITTED, Paper
from app.models.participant import Enrollment, Participant
from app.services import standings
from app.services.leaderboards import MEMBER_BASE, _display, _k, _offset, apply_paper, is_ready, redis_client
from app.services.standings import SUBMIT_BITS


@dataclass(frozen=True)
class RebuildResult:
    participants: int
    papers_replayed: int
    seconds: float


def rebuild(campaign: Campaign, now: datetime, batch: int = 1000) -> RebuildResult:
    """Recompute every board of a campaign from stored papers into temp keys, swap them in, then replay
    papers submitted since the snapshot began (idempotent)."""
    import time as _time

    client = redis_client()
    if client is None:
        raise RuntimeError("no Redis configured: leaderboards are read from SQL directly")
    started, snapshot_from = _time.monotonic(), now - timedelta(minutes=2)
    cid, tmp = campaign.id, f"tmp{int(_time.time() * 1000)}"
    if db.engine.dialect.name == "postgresql":
        # Reading every stored paper takes far longer than the request statement timeout (DB_TIMEOUT)
        # once there are millions; give this transaction (only) as long as the rebuild lock lasts.
        limit = redis_keys.leaderboard_rebuild_lock(cid).ttl
        db.session.execute(text(f"SET LOCAL statement_timeout = '{limit}s'"))
    aggregates = standings.individual_aggregates_sql(campaign)
    agg_key, ind_key = _k(cid, f"{tmp}:agg"), _k(cid, f"{tmp}:individuals")
    pipe = client.pipeline(transaction=False)
    # One HSET and one ZADD per `batch` residents (short commands: other clients are not held up),
    # sent 20 commands per round trip.
    for start in range(0, len(aggregates), batch):
        fields, members = {}, {}
        for a in aggregates[start : start + batch]:
            off = min(max(_offset(campaign, a.last_submit), 0), (1 << SUBMIT_BITS) - 1)
            fields[str(a.participant_id)] = f"{a.points}|{a.time_ms}|{off}|{a.days_mask}|{a.team_id}"
            members[f"{MEMBER_BASE - a.participant_id:012d}"] = standings.composite(
                campaign, a.points, a.time_ms, a.last_submit
            )
        pipe.hset(agg_key, mapping=fields)
        pipe.zadd(ind_key, members)
        if len(pipe) >= 20:
            pipe.execute()
    pipe.execute()
    names_key = _k(cid, f"{tmp}:names")
    teams = {t.id: t for t in campaign.teams}
    rows = db.session.execute(
        select(Enrollment.participant_id, Participant.name, Enrollment.team_id)
        .join(Participant, Participant.id == Enrollment.participant_id)
        .where(Enrollment.campaign_id == cid)
    )
    chunk: dict[str, str] = {}
    for pid, name, team_id in rows:
        chunk[str(pid)] = _display(name, teams.get(team_id))
        if len(chunk) >= batch:
            client.hset(names_key, mapping=chunk)
            chunk = {}
    if chunk:
        client.hset(names_key, mapping=chunk)
    boards = {"team:all": standings.team_components_sql(campaign)}
    by_day = standings.team_components_by_day_sql(campaign)  # one grouped query for every day
    for day in _days(campaign, now):
        boards[f"team:{day.isoformat()}"] = by_day.get(day, {})
    for part, comps in boards.items():
        mapping = {
            f"{c.team_id}:{f}": getattr(c, f)
            for c in comps.values()
            for f in ("participants", "papers", "points")
        }
        if mapping:
            client.hset(_k(cid, f"{tmp}:{part}"), mapping=mapping)
    swap = client.pipeline(transaction=True)
    for part in ["agg", "individuals", "names", *boards]:
        src = _k(cid, f"{tmp}:{part}")
        if client.exists(src):
            swap.rename(src, _k(cid, part))
        else:
            swap.delete(_k(cid, part))
        swap.expire(_k(cid, part), redis_keys.LEADERBOARD_TTL)
    swap.set(_k(cid, "ready"), now.isoformat(), ex=redis_keys.LEADERBOARD_TTL)
    swap.execute()
    replay = db.session.scalars(
        select(Paper.id).where(
            Paper.campaign_id == cid,
            Paper.status == SUBMITTED,
            Paper.counted.is_(True),
            Paper.submitted_at >= snapshot_from,
        )
    ).all()
    for pid in replay:
        apply_paper(pid)
    return RebuildResult(len(aggregates), len(replay), _time.monotonic() - started)


def _days(campaign: Campaign, now: datetime) -> list[date]:
    first = clock.campaign_day(campaign.starts_at)
    last = min(clock.campaign_day(now), clock.campaign_day(campaign.ends_at - timedelta(seconds=1)))
    return [first + timedelta(days=i) for i in range((last - first).days + 1)]


def drifted(campaign: Campaign) -> bool:
    """True when Redis's cumulative paper count differs from the database's (a lost update)."""
    client = redis_client()
    if client is None or not is_ready(campaign):
        return False
    if db.engine.dialect.name == "postgresql":  # a job, not a request: a count over millions may take seconds
        db.session.execute(text("SET LOCAL statement_timeout = '120s'"))
    counts = client.hgetall(_k(campaign.id, "team:all"))
    mirrored = sum(int(v) for k, v in counts.items() if k.endswith(":papers"))
    stored = db.session.scalar(
        select(func.count())
        .select_from(Paper)
        .join(Participant, Participant.id == Paper.participant_id)
        .where(
            Paper.campaign_id == campaign.id,
            Paper.status == SUBMITTED,
            Paper.counted.is_(True),
            Paper.flagged.is_(None),
            Participant.excluded.is_(False),
        )
    )
    return mirrored != stored
