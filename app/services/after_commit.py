"""Work that must run only once the database transaction has committed (e.g. Redis mirrors).

Services call `defer(fn, *args)`; the queued calls run right after the session commits and are dropped on
rollback, so Redis never reflects a change the database does not have.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from sqlalchemy import event
from sqlalchemy.orm import Session

log = logging.getLogger(__name__)
_KEY = "fangfei.after_commit"
_listeners: dict[str, list[Callable[..., None]]] = {}


def defer(fn: Callable[..., None], *args: Any) -> None:
    from app.extensions import db

    db.session().info.setdefault(_KEY, []).append((fn, args))


def subscribe(topic: str, fn: Callable[..., None]) -> None:
    """Listen to a domain event (e.g. "paper_submitted"); listeners run after commit."""
    if fn not in _listeners.setdefault(topic, []):
        _listeners[topic].append(fn)


def publish(topic: str, *args: Any) -> None:
    """Queue every listener of `topic` to run after the current transaction commits."""
    for fn in _listeners.get(topic, []):
        defer(fn, *args)


@event.listens_for(Session, "after_commit")
def _run(session: Session) -> None:
    queued = session.info.pop(_KEY, [])
    for fn, args in queued:
        try:
            fn(*args)
        except Exception:
            log.exception("after-commit work %s failed", getattr(fn, "__name__", fn))


@event.listens_for(Session, "after_soft_rollback")
def _drop(session: Session, previous_transaction: Any) -> None:
    if previous_transaction.parent is None:  # only the outermost rollback discards the queue
        session.info.pop(_KEY, None)
