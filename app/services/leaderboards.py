"""Live leaderboards: a Redis mirror of the stored papers, with SQL answering when there is no Redis.

One writer (`apply_paper`, after commit, atomic and idempotent per resident and day) and one `rebuild`.
When the mirror is missing (Redis flushed or restarted) reads fall back to SQL until the watchdog job
rebuilds it; the rebuild then re-applies papers submitted meanwhile (idempotent, so nothing counts twice).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime

import redis
from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import Session

from app import clock, personal_data, redis_keys
from app.extensions import db
from app.models.campaign import Campaign, Team
from app.models.paper import SUBMITTED, Paper
from app.models.participant import Enrollment, Participant
from app.services import standings
from app.services.standings import SUBMIT_BITS, TIME_BITS, TeamComponents, TeamStanding

log = logging.getLogger(__name__)
MEMBER_BASE = 10**12

# KEYS: ready, agg, individuals, team:all, team:<day>, names
# ARGV: pid, team_id, points, time_ms, submit_offset_s, day_bit, ttl, display ("masked name|team name")
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
redis.call('HSET', KEYS[6], pid, ARGV[8])
for i = 2, 6 do redis.call('EXPIRE', KEYS[i], ttl) end
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
        if paper is None or paper.status != SUBMITTED or not paper.counted or paper.flagged:
            return 0  # flagged papers wait for staff review (app.services.moderation)
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
            _k(cid, "names"),
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
            _display(participant.name, session.get(Team, paper.team_id)),
        ]
    return int(_script(client)(keys=keys, args=args))


def _display(name: str, team: Team | None) -> str:
    """What a public list shows for a resident: the masked name and the team (never the full name)."""
    return f"{personal_data.mask_name(name)}|{team.name if team else ''}"


def on_participant_renamed(participant_id: int) -> None:
    """Keep the display names in Redis in step with a name correction (after commit)."""
    client = redis_client()
    if client is None:
        return
    with Session(db.engine) as session:
        rows = session.execute(
            select(Enrollment.campaign_id, Participant.name, Team)
            .join(Participant, Participant.id == Enrollment.participant_id)
            .join(Team, Team.id == Enrollment.team_id)
            .where(Enrollment.participant_id == participant_id)
        ).all()
    try:
        for campaign_id, name, team in rows:
            if client.hexists(_k(campaign_id, "names"), str(participant_id)):
                client.hset(_k(campaign_id, "names"), str(participant_id), _display(name, team))
    except redis.RedisError:
        log.warning("display name of participant %s not refreshed in Redis", participant_id)


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
            client, key, chunk = redis_client(), _k(campaign.id, "individuals"), 50_000
            total = limit if limit is not None else client.zcard(key)
            rows = []
            for start in range(
                0, total, chunk
            ):  # a whole board is read in pages, each well inside the timeout
                rows += client.zrevrange(key, start, min(start + chunk, total) - 1, withscores=True)
            return [(MEMBER_BASE - int(m), int(s)) for m, s in rows]
        except redis.RedisError:
            log.warning("Redis unavailable: individuals from SQL")
    ordered = standings.order_individuals(campaign, standings.individual_aggregates_sql(campaign))
    return ordered if limit is None else ordered[:limit]


def top_individuals(campaign: Campaign, limit: int = 10) -> list[IndividualRow]:
    """The top residents with masked names and teams: two Redis commands when the boards are ready."""
    ordered = _ordered(campaign, limit)
    shown: dict[int, str] = {}
    if ordered and is_ready(campaign):
        try:
            values = redis_client().hmget(_k(campaign.id, "names"), [str(pid) for pid, _ in ordered])
            shown = {pid: v for (pid, _), v in zip(ordered, values, strict=True) if v}
        except redis.RedisError:
            shown = {}
    missing = [pid for pid, _ in ordered if pid not in shown]
    if missing:  # no Redis, or names not mirrored yet: one joined query
        teams = {t.id: t for t in campaign.teams}
        for pid, name, team_id in db.session.execute(
            select(Participant.id, Participant.name, Enrollment.team_id)
            .outerjoin(
                Enrollment,
                (Enrollment.participant_id == Participant.id) & (Enrollment.campaign_id == campaign.id),
            )
            .where(Participant.id.in_(missing))
        ):
            shown[pid] = _display(name, teams.get(team_id))
    rows = []
    for rank, (pid, value) in enumerate(ordered, start=1):
        points, time_s = standings.decode(value)
        name, _, team = shown.get(pid, "|").partition("|")
        rows.append(IndividualRow(rank, pid, name, team, points, time_s))
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
