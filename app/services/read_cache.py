"""Per-process copies of rows that rarely change (campaigns, the question bank), re-read every few seconds.

A chat answer or an API call needs the open campaign and the parsed bank; reading them on every request was
a large share of each request's database round trips. A copy is reused for READ_CACHE_SECONDS; a change
committed in this process drops every copy at once (other processes see it within the TTL). A session that
has flushed changes to a cached table bypasses the copies until it commits or rolls back, so nothing
uncommitted is ever shared with other requests.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any, TypeVar

from flask import current_app
from sqlalchemy import event
from sqlalchemy.orm import Session

from app.extensions import db

T = TypeVar("T")
DIRTY = "fangfei.read_cache_dirty"
_entries: dict[tuple[str, str], tuple[float, int, Any]] = {}
_generation = [0]
_watched: set[type] = set()


def invalidate() -> None:
    """Drop every cached copy in this process (also used by tests that empty the database)."""
    _generation[0] += 1


def generation() -> int:
    """Changes whenever the copies are dropped (for copies kept elsewhere that must drop with these)."""
    return _generation[0]


def cached(name: str, load: Callable[[], T]) -> T:
    """The copy called `name` for the current database, loading it with `load()` when missing or stale."""
    if db.session.registry.has() and db.session().info.get(DIRTY):  # a request that has no session yet
        return load()  # this transaction changed a cached table: never share what it sees
    key = (db.engine.url, name)
    now = time.monotonic()
    generation = _generation[0]
    hit = _entries.get(key)
    if hit is not None and hit[0] > now and hit[1] == generation:
        return hit[2]
    value = load()
    ttl = float(current_app.config.get("READ_CACHE_SECONDS", 5.0))
    if ttl > 0:
        _entries[key] = (now + ttl, generation, value)
    return value


def detached(query: Any) -> list[Any]:
    """The ORM rows of `query`, loaded in a session of their own and detached, so that one copy can be
    shared by every request of the process (read-only)."""
    with Session(db.engine, expire_on_commit=False) as session:
        rows = list(session.scalars(query))
        session.expunge_all()
    return rows


def watch(*models: type) -> None:
    """Invalidate the copies when a session commits changes to any of these models."""
    _watched.update(models)


@event.listens_for(Session, "after_flush")
def _note_changes(session: Session, _flush_context: Any) -> None:
    changed = (*session.new, *session.dirty, *session.deleted)
    if any(type(obj) in _watched for obj in changed):
        session.info[DIRTY] = True
        invalidate()


@event.listens_for(Session, "after_commit")
def _after_commit(session: Session) -> None:
    if session.info.pop(DIRTY, None):
        invalidate()  # again: another request may have reloaded between the flush and the commit


@event.listens_for(Session, "after_soft_rollback")
def _after_rollback(session: Session, _previous: Any) -> None:
    if session.info.pop(DIRTY, None):
        invalidate()
