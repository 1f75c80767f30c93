"""Who is registered where: (participant id, team id) of a resident for a campaign, remembered per process.

"My rank" needs the resident's participant and team before it can ask the mirror; reading them from the
database on every call was most of the call's cost. A process remembers them, and every change that moves a
resident (a team change, an erasure) bumps a version in Redis after commit. The leaderboard read returns
that version in the same round trip (app.services.positions.my_position), and a process that sees a new
version forgets everything it remembered, so a change is seen by every process at the next read. Without
Redis, or for changes made outside the app (psql), a remembered entry is trusted for READ_CACHE_SECONDS and
at most MAX_AGE seconds. Only registered residents are remembered: a new registration is seen at once.
"""

from __future__ import annotations

import time
from typing import Any

import redis
from flask import current_app
from sqlalchemy import bindparam, event, inspect, select

from app import redis_keys
from app.extensions import db
from app.models.campaign import Campaign
from app.models.participant import Enrollment, Participant
from app.services import after_commit, read_cache
from app.services.leaderboard_mirror import redis_client

MAX_AGE = 60.0  # seconds a remembered entry lives even when the version says nothing changed
MAX_ENTRIES = 200_000  # per campaign and process; beyond this the copy starts again (bounded memory)
_UNSEEN = object()


class _Members:
    """One campaign's remembered residents in this process."""

    def __init__(self) -> None:
        self.rows: dict[str, tuple[int, int, float, Any]] = {}  # ..., loaded at, version when loaded
        self.version: Any = _UNSEEN  # the Redis version the rows were checked against
        self.generation = read_cache.generation()


_members: dict[tuple[str, int], _Members] = {}


def version_key(campaign_id: int) -> str:
    return redis_keys.leaderboard(campaign_id, "members-version").name


def _table(campaign_id: int) -> _Members:
    key = (str(db.engine.url), campaign_id)
    table = _members.get(key)
    if table is None or table.generation != read_cache.generation() or len(table.rows) > MAX_ENTRIES:
        table = _members[key] = _Members()  # a change in this process (or too many rows): start again
    return table


def lookup(campaign: Campaign, openid: str, fresh: bool = False) -> tuple[int, int, bool] | None:
    """(participant id, team id, remembered) of a registered resident, else None. `remembered` entries must
    be confirmed with `confirm` against the version the same leaderboard read returned; `fresh` reads the
    database (for the answers that could not be confirmed)."""
    table = _table(campaign.id)
    found = None if fresh else table.rows.get(openid)
    if found is not None:
        pid, tid, loaded, version = found
        confirmed = version is not _UNSEEN and version == table.version
        if time.monotonic() - loaded < (MAX_AGE if confirmed else _ttl()):
            return pid, tid, True
    row = _from_database(campaign.id, openid)
    if row is None:
        table.rows.pop(openid, None)
        return None
    table.rows[openid] = (row[0], row[1], time.monotonic(), table.version)
    return row[0], row[1], False


_LOOKUP = (
    select(Enrollment.participant_id, Enrollment.team_id)
    .join(Participant, Participant.id == Enrollment.participant_id)
    .where(Participant.openid == bindparam("openid"), Enrollment.campaign_id == bindparam("campaign_id"))
)


def _from_database(campaign_id: int, openid: str) -> Any:
    """One statement on a pooled connection in autocommit (no BEGIN, no ROLLBACK, no ORM session): a
    committed registration is all it can see, which is all a read of someone's membership should see."""
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        return conn.execute(_LOOKUP, {"openid": openid, "campaign_id": campaign_id}).first()


def confirm(campaign: Campaign, version: Any) -> bool:
    """True when the version read from Redis is the one this process's entries were checked against; else
    the entries are forgotten (the caller looks the resident up again) and the new version is adopted."""
    table = _table(campaign.id)
    version = version.decode() if isinstance(version, bytes) else version
    if table.version == version:
        return True
    if table.version is _UNSEEN:  # the first answer (or the first after an outage): entries loaded until now
        table.version = version  # keep the short trust they were given (READ_CACHE_SECONDS from loading)
        return True
    table.rows.clear()
    table.version = version
    return False


def unconfirmed(campaign: Campaign) -> None:
    """Redis did not answer: until it does, remembered entries live only READ_CACHE_SECONDS."""
    _table(campaign.id).version = _UNSEEN


def forget() -> None:
    """Forget every remembered resident in this process (tests that empty the database)."""
    _members.clear()


def _ttl() -> float:
    return float(current_app.config.get("READ_CACHE_SECONDS", 5.0))


def _bump(campaign_ids: list[int]) -> None:
    """After commit: a new version for these campaigns, so every process forgets its remembered entries."""
    client = redis_client()
    if client is None:
        return
    try:
        pipe = client.pipeline(transaction=False)
        for cid in campaign_ids:
            pipe.incr(version_key(cid))
            pipe.expire(version_key(cid), redis_keys.LEADERBOARD_TTL)
        pipe.execute()
    except redis.RedisError:
        pass  # other processes fall back to the entries' age (READ_CACHE_SECONDS after a failed read)


@event.listens_for(Enrollment.team_id, "set")
def _team_changed(target: Enrollment, value, old, initiator) -> None:  # noqa: ANN001
    if inspect(target).persistent and value != old:  # a change to a stored row, not a new registration
        read_cache.invalidate()
        after_commit.defer(_bump, [target.campaign_id])


@event.listens_for(Participant.openid, "set")
def _openid_changed(target: Participant, value, old, initiator) -> None:  # noqa: ANN001
    if inspect(target).persistent and value != old:  # an erasure: the old openid no longer belongs to anyone
        read_cache.invalidate()
        after_commit.defer(_bump_all)


def _bump_all() -> None:
    from sqlalchemy.orm import Session

    with Session(db.engine) as session:  # the commit hook's session cannot emit SQL
        _bump(list(session.scalars(select(Campaign.id))))
