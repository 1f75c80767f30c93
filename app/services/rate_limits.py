"""Fixed-window rate limits on the state store (per user, per IP)."""

from __future__ import annotations

from app import redis_keys
from app.errors import RateLimited
from app.state_store import StateStore


def hit(store: StateStore, bucket: str, subject: str, limit: int, window: int, message: str) -> int:
    """Count one hit; raise RateLimited (with `message` for the resident) past `limit` per `window` seconds."""
    count = store.incr(redis_keys.rate(bucket, subject, window))
    if count > limit:
        raise RateLimited(message)
    return count


def peek_exceeded(store: StateStore, bucket: str, subject: str, limit: int, window: int) -> bool:
    """True when the subject is already over the limit (without counting a hit)."""
    value = store.get(redis_keys.rate(bucket, subject, window))
    return value is not None and int(value) >= limit
