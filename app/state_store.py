"""Short-lived shared state (dedup claims, dialogs, locks, rate counters, tokens): Redis or the database.

Both backends implement the same contract and pass the same tests. The database backend lets `make run`
work with no Redis; it writes through its own short transactions so a claim or lock is visible to other
processes at once, independent of the request's unit of work.
"""

from __future__ import annotations

import secrets
import time
from datetime import UTC, datetime, timedelta
from typing import Protocol
from urllib.parse import urlparse

import redis
from redis.sentinel import Sentinel
from sqlalchemy import Engine, Integer, String, cast, delete, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import SQLAlchemyError

from app.models.kv_entry import KvEntry
from app.redis_keys import Key
from app.state_turns import BEGIN_TURN, END_TURN, GenericTurns


class StoreUnavailable(RuntimeError):
    """The state store could not be reached in time."""


class StateStore(Protocol):
    backend: str

    def get(self, key: Key) -> str | None: ...
    def set(self, key: Key, value: str, ttl: int | None = None) -> None: ...
    def claim(self, key: Key, value: str, ttl: int | None = None) -> bool: ...
    def delete(self, key: Key) -> None: ...
    def incr(self, key: Key) -> int: ...
    def incr_many(self, keys: list[Key]) -> list[int]: ...
    def acquire(self, key: Key, ttl_ms: int | None = None) -> str | None: ...
    def release(self, key: Key, token: str) -> bool: ...
    def ping(self) -> bool: ...
    def begin_turn(
        self, claim: Key, pending: str, lock: Key, read: Key, peek: Key | None = None
    ) -> tuple[str, str | None, str | None, str | None]: ...
    def end_turn(
        self,
        claim: Key,
        reply: str,
        lock: Key,
        token: str,
        write: Key,
        value: str | None,
        keep: bool,
        count: Key | None = None,
    ) -> None: ...


_RELEASE = """
if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end
"""
# Counters (INCR, and the TTL on a new key) for several keys in one command: ARGV[i] is KEYS[i]'s TTL.
_INCR_MANY = """
local counts = {}
for i, key in ipairs(KEYS) do
  counts[i] = redis.call('incr', key)
  redis.call('expire', key, ARGV[i], 'NX')
end
return counts
"""


def connect_redis(url: str, timeout: float) -> redis.Redis:
    """A client for redis://... or redis+sentinel://host:port[,host:port]/master[/db]."""
    opts = {"socket_timeout": timeout, "socket_connect_timeout": timeout, "decode_responses": True}
    if url.startswith("redis+sentinel://"):
        parsed = urlparse(url.replace("redis+sentinel://", "http://", 1))
        hosts = [h.rsplit(":", 1) for h in parsed.netloc.split(",")]
        parts = [p for p in parsed.path.split("/") if p]
        master, db_index = parts[0], int(parts[1]) if len(parts) > 1 else 0
        sentinel = Sentinel([(h, int(p)) for h, p in hosts], **opts)
        return sentinel.master_for(master, db=db_index, **opts)
    return redis.Redis.from_url(url, **opts)


class RedisStore:
    backend = "redis"

    def __init__(self, client: redis.Redis) -> None:
        self.client = client
        self._release = client.register_script(_RELEASE)
        self._incr_many = client.register_script(_INCR_MANY)
        self._begin = client.register_script(BEGIN_TURN)
        self._end = client.register_script(END_TURN)

    def begin_turn(
        self, claim: Key, pending: str, lock: Key, read: Key, peek: Key | None = None
    ) -> tuple[str, str | None, str | None, str | None]:
        token = secrets.token_hex(8)
        keys = [claim.name, lock.name, read.name] + ([peek.name] if peek is not None else [])
        found = self._call(self._begin, keys=keys, args=[pending, claim.ttl, token, lock.ttl * 1000])
        status = found[0]
        value = found[1] if len(found) > 1 else None
        peeked = found[2] if len(found) > 2 else None
        return status, token if status == "ok" else None, value, peeked

    def end_turn(
        self,
        claim: Key,
        reply: str,
        lock: Key,
        token: str,
        write: Key,
        value: str | None,
        keep: bool,
        count: Key | None = None,
    ) -> None:
        mode = "keep" if keep else ("set" if value is not None else "del")
        keys = [claim.name, lock.name, write.name] + ([count.name] if count is not None else [])
        args = [
            reply,
            claim.ttl,
            token,
            "",
            mode,
            value or "",
            write.ttl,
            count.ttl if count is not None else 0,
        ]
        self._call(self._end, keys=keys, args=args)

    def _call(self, fn, *args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except redis.RedisError as exc:
            raise StoreUnavailable(str(exc)) from exc

    def get(self, key: Key) -> str | None:
        return self._call(self.client.get, key.name)

    def set(self, key: Key, value: str, ttl: int | None = None) -> None:
        self._call(self.client.set, key.name, value, ex=ttl or key.ttl)

    def claim(self, key: Key, value: str, ttl: int | None = None) -> bool:
        return bool(self._call(self.client.set, key.name, value, ex=ttl or key.ttl, nx=True))

    def delete(self, key: Key) -> None:
        self._call(self.client.delete, key.name)

    def incr(self, key: Key) -> int:
        def run() -> int:
            pipe = self.client.pipeline()
            pipe.incr(key.name)
            pipe.expire(key.name, key.ttl, nx=True)
            return int(pipe.execute()[0])

        return self._call(run)

    def incr_many(self, keys: list[Key]) -> list[int]:
        """Several counters in one command (e.g. the per-user and per-IP limits of one request)."""
        if not keys:
            return []
        counts = self._call(self._incr_many, keys=[k.name for k in keys], args=[k.ttl for k in keys])
        return [int(n) for n in counts]

    def acquire(self, key: Key, ttl_ms: int | None = None) -> str | None:
        token = secrets.token_hex(8)
        ok = self._call(self.client.set, key.name, token, px=ttl_ms or key.ttl * 1000, nx=True)
        return token if ok else None

    def release(self, key: Key, token: str) -> bool:
        return bool(self._call(self._release, keys=[key.name], args=[token]))

    def ping(self) -> bool:
        try:
            return bool(self.client.ping())
        except redis.RedisError:
            return False


def _wall() -> datetime:
    return datetime.now(UTC)


class DatabaseStore(GenericTurns):
    backend = "database"

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.table = KvEntry.__table__

    def _insert(self):
        dialect = sqlite if self.engine.dialect.name == "sqlite" else postgresql
        return dialect.insert(self.table)

    def _run(self, fn):
        try:
            with self.engine.begin() as conn:
                return fn(conn)
        except SQLAlchemyError as exc:
            raise StoreUnavailable(str(exc)) from exc

    def _purge(self, conn, name: str) -> None:
        conn.execute(delete(self.table).where(self.table.c.key == name, self.table.c.expires_at <= _wall()))

    def get(self, key: Key) -> str | None:
        def run(conn):
            row = conn.execute(
                select(self.table.c.value).where(
                    self.table.c.key == key.name, self.table.c.expires_at > _wall()
                )
            ).first()
            return row[0] if row else None

        return self._run(run)

    def set(self, key: Key, value: str, ttl: int | None = None) -> None:
        expires = _wall() + timedelta(seconds=ttl or key.ttl)

        def run(conn):
            stmt = self._insert().values(key=key.name, value=value, expires_at=expires)
            conn.execute(
                stmt.on_conflict_do_update(
                    index_elements=["key"], set_={"value": value, "expires_at": expires}
                )
            )

        self._run(run)

    def claim(self, key: Key, value: str, ttl: int | None = None) -> bool:
        expires = _wall() + timedelta(seconds=ttl or key.ttl)

        def run(conn):
            self._purge(conn, key.name)
            stmt = self._insert().values(key=key.name, value=value, expires_at=expires)
            stmt = stmt.on_conflict_do_nothing(index_elements=["key"]).returning(self.table.c.key)
            return conn.execute(stmt).first() is not None

        return self._run(run)

    def delete(self, key: Key) -> None:
        self._run(lambda conn: conn.execute(delete(self.table).where(self.table.c.key == key.name)))

    def incr(self, key: Key) -> int:
        expires = _wall() + timedelta(seconds=key.ttl)

        def run(conn):
            self._purge(conn, key.name)
            stmt = self._insert().values(key=key.name, value="1", expires_at=expires)
            stmt = stmt.on_conflict_do_nothing(index_elements=["key"]).returning(self.table.c.key)
            if conn.execute(stmt).first() is not None:
                return 1
            col = self.table.c.value
            conn.execute(
                update(self.table)
                .where(self.table.c.key == key.name)
                .values(value=cast(cast(col, Integer) + 1, String))
            )
            return int(conn.execute(select(col).where(self.table.c.key == key.name)).scalar_one())

        return self._run(run)

    def incr_many(self, keys: list[Key]) -> list[int]:
        return [self.incr(key) for key in keys]

    def acquire(self, key: Key, ttl_ms: int | None = None) -> str | None:
        token = secrets.token_hex(8)
        ttl = max(1, int((ttl_ms or key.ttl * 1000) / 1000))
        return token if self.claim(key, token, ttl) else None

    def release(self, key: Key, token: str) -> bool:
        def run(conn):
            stmt = delete(self.table).where(self.table.c.key == key.name, self.table.c.value == token)
            return conn.execute(stmt.returning(self.table.c.key)).first() is not None

        return self._run(run)

    def ping(self) -> bool:
        try:
            self.get(Key("ff:ping", 1))
            return True
        except StoreUnavailable:
            return False


def wait_acquire(store: StateStore, key: Key, wait_s: float, ttl_ms: int | None = None) -> str | None:
    """Try to take a lock for up to wait_s seconds; returns the owner token or None."""
    deadline = time.monotonic() + wait_s
    delay = 0.01
    while True:
        token = store.acquire(key, ttl_ms)
        if token or time.monotonic() >= deadline:
            return token
        time.sleep(delay)
        delay = min(delay * 2, 0.1)
