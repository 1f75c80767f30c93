"""Live leaderboards: a Redis mirror of the stored papers, with SQL answering when there is no Redis.

One writer (`apply_paper`, after commit, atomic and idempotent per resident and day) and one `rebuild`.
When the mirror is missing (Redis flushed or restarted) reads fall back to SQL until the watchdog job
rebuilds it; the rebuild then re-applies papers submitted meanwhile (idempotent, so nothing counts twice).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import redis
from flask import current_app
from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from app import clock, personal_data, redis_keys
from app.extensions import db
from app.models.campaign import Campaign
from app.models.paper import SUBMITTED, Paper
from app.models.participant import Enrollment, Participant
from app.services import standings
from app.services.standings import SUBMIT_BITS, TIME_BITS, TeamComponents, TeamStanding

log = logging.getLogger(__name__)
MEMBER_BASE = 10**12

# KEYS: ready, agg, individuals, team:all, team:<day>
# ARGV: pid, team_id, points, time_ms, submit_offset_s, day_bit, ttl
_APPLY = f"""
if redis.call('EXISTS', KEYS[1]) == 0 then return -1 end
local pid, tid = ARGV[1], ARGV[2]
local pts, ms, off, bit, ttl = tonumber(ARGV[3]), tonumber(ARGV[4]), tonumber(ARGV[5]), tonumber(ARGV[6]), ARGV[7]
local points, time_ms, last, mask, new = 0, 0, 0, 0, 1
local cur = redis.call('HGET', KEYS[2], pid)
if cur then
  new = 0
  local a, b, c, d = string.match(cur, '^(%d+)|(%d+)|(%d+)|(%d+)')
  points, time_ms, last, mask = tonumber(a), tonumber(b), tonumber(c), tonumber(d)
  if math.floor(mask / bit) % 2 == 1 then return 0 end
end
points, time_ms, mask = points + pts, time_ms + ms, mask + bit
if off > last then last = off end
redis.call('HSET', KEYS[2], pid, string.format('%d|%d|%d|%d|%s', points, time_ms, last, mask, tid))
local tmax, smax = {(1 << TIME_BITS) - 1}, {(1 << SUBMIT_BITS) - 1}
local ts = math.min(math.floor(time_ms / 1000), tmax)
local so = math.min(math.max(last, 0), smax)
local score = points * {2 ** (TIME_BITS + SUBMIT_BITS)} + (tmax - ts) * {2**SUBMIT_BITS} + (smax - so)
redis.call('ZADD', KEYS[3], score, string.format('%012d', {MEMBER_BASE} - tonumber(pid)))
redis.call('HINCRBY', KEYS[4], tid .. ':papers', 1)
redis.call('HINCRBY', KEYS[4], tid .. ':points', pts)
if new == 1 then redis.call('HINCRBY', KEYS[4], tid .. ':participants', 1) end
redis.call('HINCRBY', KEYS[5], tid .. ':papers', 1)
redis.call('HINCRBY', KEYS[5], tid .. ':points', pts)
redis.call('HINCRBY', KEYS[5], tid .. ':participants', 1)
for i = 2, 5 do redis.call('EXPIRE', KEYS[i], ttl) end
return 1
"""


def redis_client() -> redis.Redis | None:
    return current_app.extensions.get("fangfei.redis")


def _k(campaign_id: int, part: str) -> str:
    return redis_keys.leaderboard(campaign_id, part).name


def _offset(campaign: Campaign, moment: datetime) -> int:
    return int((clock.ensure_aware(moment) - campaign.starts_at).total_seconds())


def apply_paper(paper_id: int) -> int:
    """Mirror one submitted paper into Redis (after commit). 1 applied, 0 already counted, -1 not ready.

    Reads through its own short session: it runs from the commit hook, where the request's session
    cannot emit SQL."""
    client = redis_client()
    if client is None:
        return -1
    with Session(db.engine) as session:
        paper = session.get(Paper, paper_id)
        if paper is None or paper.status != SUBMITTED or not paper.counted:
            return 0
        participant = session.get(Participant, paper.participant_id)
        if participant is None or participant.excluded:
            return 0
        cid = paper.campaign_id
        keys = [
            _k(cid, "ready"),
            _k(cid, "agg"),
            _k(cid, "individuals"),
            _k(cid, "team:all"),
            _k(cid, f"team:{paper.day.isoformat()}"),
        ]
        offset = min(max(_offset(paper.campaign, paper.submitted_at), 0), (1 << SUBMIT_BITS) - 1)
        args = [
            paper.participant_id,
            paper.team_id,
            paper.score or 0,
            paper.time_used_ms or 0,
            offset,
            paper.day_bit,
            redis_keys.LEADERBOARD_TTL,
        ]
    return int(_script(client)(keys=keys, args=args))


def _script(client: redis.Redis):  # noqa: ANN202
    script = getattr(client, "_fangfei_apply", None)
    if script is None:
        script = client.register_script(_APPLY)
        client._fangfei_apply = script  # noqa: SLF001
    return script


def on_paper_submitted(paper_id: int) -> None:
    try:
        apply_paper(paper_id)
    except redis.RedisError:
        log.warning("leaderboard update for paper %s skipped: Redis unavailable (watchdog repairs)", paper_id)


def is_ready(campaign: Campaign) -> bool:
    client = redis_client()
    if client is None:
        return False
    try:
        return bool(client.exists(_k(campaign.id, "ready")))
    except redis.RedisError:
        return False


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
    boards = {"team:all": standings.team_components_sql(campaign)}
    for day in _days(campaign, now):
        boards[f"team:{day.isoformat()}"] = standings.team_components_sql(campaign, day=day)
    for part, comps in boards.items():
        mapping = {
            f"{c.team_id}:{f}": getattr(c, f)
            for c in comps.values()
            for f in ("participants", "papers", "points")
        }
        if mapping:
            client.hset(_k(cid, f"{tmp}:{part}"), mapping=mapping)
    swap = client.pipeline(transaction=True)
    for part in ["agg", "individuals", *boards]:
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
            Participant.excluded.is_(False),
        )
    )
    return mirrored != stored


# Reads ----------------------------------------------------------------------------------------------
def team_board(campaign: Campaign, day: date | None = None) -> list[TeamStanding]:
    """All teams ranked (cumulative, or for one day), from Redis when ready, else from SQL."""
    if is_ready(campaign):
        try:
            raw = redis_client().hgetall(_k(campaign.id, f"team:{day.isoformat()}" if day else "team:all"))
            comps: dict[int, dict[str, int]] = {}
            for field, value in raw.items():
                tid, name = field.split(":")
                comps.setdefault(int(tid), {})[name] = int(value)
            components = {tid: TeamComponents(tid, **v) for tid, v in comps.items()}
            return standings.rank_teams(
                list(campaign.teams), components, campaign.settings.get("team_formula") or {"kind": "total"}
            )
        except redis.RedisError:
            log.warning("Redis unavailable: team board from SQL")
    return standings.team_standings_sql(campaign, day=day)


@dataclass(frozen=True)
class IndividualRow:
    rank: int
    participant_id: int
    name: str  # masked
    team: str
    points: int
    time_s: int

    def as_dict(self) -> dict:
        return {
            "rank": self.rank,
            "name": self.name,
            "team": self.team,
            "points": self.points,
            "time_s": self.time_s,
        }


def _ordered(campaign: Campaign, limit: int | None) -> list[tuple[int, int]]:
    if is_ready(campaign):
        try:
            end = -1 if limit is None else limit - 1
            rows = redis_client().zrevrange(_k(campaign.id, "individuals"), 0, end, withscores=True)
            return [(MEMBER_BASE - int(m), int(s)) for m, s in rows]
        except redis.RedisError:
            log.warning("Redis unavailable: individuals from SQL")
    ordered = standings.order_individuals(campaign, standings.individual_aggregates_sql(campaign))
    return ordered if limit is None else ordered[:limit]


def top_individuals(campaign: Campaign, limit: int = 10) -> list[IndividualRow]:
    ordered = _ordered(campaign, limit)
    # Names and teams in one round trip, as plain columns (this runs on every leaderboard view).
    found = db.session.execute(
        select(Participant.id, Participant.name, Enrollment.team_id)
        .outerjoin(
            Enrollment,
            (Enrollment.participant_id == Participant.id) & (Enrollment.campaign_id == campaign.id),
        )
        .where(Participant.id.in_([pid for pid, _ in ordered]))
    ).all()
    names = {pid: name for pid, name, _ in found}
    team_of = {pid: tid for pid, _, tid in found}
    teams = {t.id: t.name for t in campaign.teams}
    rows = []
    for rank, (pid, value) in enumerate(ordered, start=1):
        points, time_s = standings.decode(value)
        rows.append(
            IndividualRow(
                rank,
                pid,
                personal_data.mask_name(names.get(pid, "")),
                teams.get(team_of.get(pid), ""),
                points,
                time_s,
            )
        )
    return rows


def ranking_order(campaign: Campaign) -> list[int]:
    """Every ranked participant id, best first (for tests and exports)."""
    return [pid for pid, _ in _ordered(campaign, None)]


@dataclass(frozen=True)
class MyRank:
    rank: int
    total: int
    points: int
    time_s: int


def my_rank(campaign: Campaign, participant: Participant) -> MyRank | None:
    if is_ready(campaign):
        try:
            client, key = redis_client(), _k(campaign.id, "individuals")
            member = f"{MEMBER_BASE - participant.id:012d}"
            pipe = client.pipeline(transaction=False)
            pipe.zrevrank(key, member)
            pipe.zscore(key, member)
            pipe.zcard(key)
            rank, score, total = pipe.execute()
            if rank is None:
                return None
            points, time_s = standings.decode(int(score))
            return MyRank(rank + 1, total, points, time_s)
        except redis.RedisError:
            log.warning("Redis unavailable: my rank from SQL")
    ordered = standings.order_individuals(campaign, standings.individual_aggregates_sql(campaign))
    for rank, (pid, value) in enumerate(ordered, start=1):
        if pid == participant.id:
            points, time_s = standings.decode(value)
            return MyRank(rank, len(ordered), points, time_s)
    return None
