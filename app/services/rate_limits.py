"""Fixed-window rate limits on the state store (per user, per IP)."""

from __future__ import annotations

from app import personal_data, redis_keys
from app.errors import RateLimited
from app.state_store import StateStore


def _subject(subject: str) -> str:
    """Keyed hash of the openid or IP: counters never hold the raw identifier (anonymous tips stay so)."""
    return personal_data.blind_index(subject)[:20]


def hit(store: StateStore, bucket: str, subject: str, limit: int, window: int, message: str) -> int:
    """Count one hit; raise RateLimited (with `message` for the resident) past `limit` per `window` seconds."""
    count = store.incr(redis_keys.rate(bucket, _subject(subject), window))
    if count > limit:
        raise RateLimited(message)
    return count


def peek_exceeded(store: StateStore, bucket: str, subject: str, limit: int, window: int) -> bool:
    """True when the subject is already over the limit (without counting a hit)."""
    value = store.get(redis_keys.rate(bucket, _subject(subject), window))
    return value is not None and int(value) >= limit
