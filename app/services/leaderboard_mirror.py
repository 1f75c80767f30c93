"""The Redis mirror of the leaderboards: its keys, and the one writer (after commit, atomic, idempotent).

`apply_entry` runs one Lua script per submitted paper; the submitting request hands it what it already
loaded (`remember`), so the writer reads nothing back. `apply_paper` reads a paper by id (rebuild replay,
moderation, repairs). Reads of the mirror are in app.services.leaderboards.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime

import redis
from flask import current_app
from sqlalchemy import event, select
from sqlalchemy.orm import Session

from app import clock, personal_data, redis_keys
from app.extensions import db
from app.models.campaign import Campaign, Team
from app.models.paper import SUBMITTED, Paper
from app.models.participant import Enrollment, Participant
from app.services.standings import SUBMIT_BITS, TIME_BITS

log = logging.getLogger(__name__)
MEMBER_BASE = 10**12
_ENTRIES = "fangfei.leaderboard_entries"
_writes = [0]  # mirror writes made by this process (copies of public boards drop when it moves)


def writes() -> int:
    return _writes[0]


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


@dataclass(frozen=True)
class Entry:
    """What the writer mirrors of one submitted paper (everything the Lua script needs)."""

    paper_id: int
    campaign_id: int
    participant_id: int
    team_id: int
    day: date
    score: int
    time_used_ms: int
    offset_s: int
    day_bit: int
    display: str
    counts: bool  # counted, not flagged, participant not excluded


def entry_for(paper: Paper, participant: Participant, campaign: Campaign, team_name: str | None) -> Entry:
    """The writer's input from rows already loaded (the submitting request's), without another query."""
    offset = min(max(_offset(campaign, paper.submitted_at), 0), (1 << SUBMIT_BITS) - 1)
    return Entry(
        paper.id,
        paper.campaign_id,
        paper.participant_id,
        paper.team_id,
        paper.day,
        paper.score or 0,
        paper.time_used_ms or 0,
        offset,
        paper.day_bit,
        f"{personal_data.mask_name(participant.name)}|{team_name or ''}",
        paper.status == SUBMITTED and paper.counted and not paper.flagged and not participant.excluded,
    )


def apply_paper(paper_id: int) -> int:
    """Mirror one submitted paper into Redis (after commit). 1 applied, 0 already counted, -1 not ready.

    Reads through its own short session: it runs from the commit hook, where the request's session
    cannot emit SQL."""
    client = redis_client()
    if client is None:
        return -1
    with Session(db.engine) as session:
        paper = session.get(Paper, paper_id)
        if paper is None:
            return 0
        participant = session.get(Participant, paper.participant_id)
        if participant is None:
            return 0
        team = session.get(Team, paper.team_id)
        entry = entry_for(paper, participant, paper.campaign, team.name if team else None)
    return apply_entry(entry)


def apply_entry(entry: Entry) -> int:
    """The one writer: one Lua call, atomic and idempotent per resident and day (flagged papers wait for
    staff review, app.services.moderation; excluded residents are never mirrored)."""
    client = redis_client()
    if client is None:
        return -1
    if not entry.counts:
        return 0
    cid = entry.campaign_id
    keys = [
        _k(cid, "ready"),
        _k(cid, "agg"),
        _k(cid, "individuals"),
        _k(cid, "team:all"),
        _k(cid, f"team:{entry.day.isoformat()}"),
        _k(cid, "names"),
    ]
    args = [
        entry.participant_id,
        entry.team_id,
        entry.score,
        entry.time_used_ms,
        entry.offset_s,
        entry.day_bit,
        redis_keys.LEADERBOARD_TTL,
        entry.display,
    ]
    try:
        return int(_script(client)(keys=keys, args=args))
    finally:
        _writes[0] += 1  # after the write: a copy rendered meanwhile is dropped at the next read


def remember(session: Session, entry: Entry) -> None:
    """Hand the writer what the submitting transaction already knows, so it need not read it back."""
    session.info.setdefault(_ENTRIES, {})[entry.paper_id] = entry


@event.listens_for(Session, "after_soft_rollback")
def _forget_entries(session: Session, previous_transaction) -> None:  # noqa: ANN001
    if previous_transaction.parent is None:
        session.info.pop(_ENTRIES, None)


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
    """After commit: the entry the submitting session remembered, else read the paper back."""
    entry = db.session().info.get(_ENTRIES, {}).pop(paper_id, None)
    try:
        apply_entry(entry) if entry is not None else apply_paper(paper_id)
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
