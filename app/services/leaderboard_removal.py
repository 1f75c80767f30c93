"""Taking one resident out of a campaign's Redis boards (staff exclusion, data deletion), atomically.

The mirror's own record (`agg`: points|time|last|mask|team) says which days were applied, so removal
subtracts exactly what `leaderboards.apply_paper` added and is idempotent (a second call finds nothing).
"""

from __future__ import annotations

import logging

import redis
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.extensions import db
from app.models.paper import SUBMITTED, Paper
from app.services.leaderboards import MEMBER_BASE, _k, redis_client

log = logging.getLogger(__name__)

# KEYS: agg, individuals, team:all, names, team:<day>...   ARGV: pid, member, then (bit, points) per day key
_REMOVE = """
local cur = redis.call('HGET', KEYS[1], ARGV[1])
redis.call('HDEL', KEYS[4], ARGV[1])
redis.call('ZREM', KEYS[2], ARGV[2])
if not cur then return 0 end
local pts, ms, last, mask, tid = string.match(cur, '^(%d+)|(%d+)|(%d+)|(%d+)|(%d+)')
mask = tonumber(mask)
local papers = 0
for i = 5, #KEYS do
  local bit, p = tonumber(ARGV[2 * (i - 4) + 1]), tonumber(ARGV[2 * (i - 4) + 2])
  if math.floor(mask / bit) % 2 == 1 then
    redis.call('HINCRBY', KEYS[i], tid .. ':papers', -1)
    redis.call('HINCRBY', KEYS[i], tid .. ':points', -p)
    redis.call('HINCRBY', KEYS[i], tid .. ':participants', -1)
    papers = papers + 1
  end
end
redis.call('HINCRBY', KEYS[3], tid .. ':papers', -papers)
redis.call('HINCRBY', KEYS[3], tid .. ':points', -tonumber(pts))
redis.call('HINCRBY', KEYS[3], tid .. ':participants', -1)
redis.call('HDEL', KEYS[1], ARGV[1])
return 1
"""


def remove_from_boards(participant_id: int) -> int:
    """Remove a resident (points, papers, participation, display name) from every campaign's Redis boards
    and their team's totals. Returns the number of campaigns changed. Runs after commit."""
    client = redis_client()
    if client is None:
        return 0
    with Session(db.engine) as session:  # its own session: the caller's cannot emit SQL in the commit hook
        rows = session.execute(
            select(Paper.campaign_id, Paper.day, Paper.day_bit, Paper.score).where(
                Paper.participant_id == participant_id,
                Paper.status == SUBMITTED,
                Paper.counted.is_(True),
            )
        ).all()
    by_campaign: dict[int, list[tuple[str, int, int]]] = {}
    for cid, day, bit, points in rows:
        by_campaign.setdefault(cid, []).append((day.isoformat(), int(bit), int(points or 0)))
    changed = 0
    try:
        script = client.register_script(_REMOVE)
        for cid, days in by_campaign.items():
            keys = [_k(cid, "agg"), _k(cid, "individuals"), _k(cid, "team:all"), _k(cid, "names")]
            keys += [_k(cid, f"team:{day}") for day, _, _ in days]
            args: list[int | str] = [participant_id, f"{MEMBER_BASE - participant_id:012d}"]
            for _, bit, points in days:
                args += [bit, points]
            changed += int(script(keys=keys, args=args))
    except redis.RedisError:
        log.warning(
            "participant %s not removed from Redis boards (the watchdog repairs drift)", participant_id
        )
    return changed
