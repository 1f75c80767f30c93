"""Fixed-window rate limits on the state store (per user, per IP)."""

from __future__ import annotations

from app import personal_data, redis_keys
from app.errors import RateLimited
from app.redis_keys import Key
from app.state_store import StateStore


def _subject(subject: str) -> str:
    """Keyed hash of the openid or IP: counters never hold the raw identifier (anonymous tips stay so)."""
    return personal_data.blind_index(subject)[:20]


def counter(bucket: str, subject: str, window: int) -> Key:
    """The counter key of one subject in a bucket (for callers that read and count it themselves)."""
    return redis_keys.rate(bucket, _subject(subject), window)


def hit(store: StateStore, bucket: str, subject: str, limit: int, window: int, message: str) -> int:
    """Count one hit; raise RateLimited (with `message` for the resident) past `limit` per `window` seconds."""
    count = store.incr(redis_keys.rate(bucket, _subject(subject), window))
    if count > limit:
        raise RateLimited(message)
    return count


def hit_all(store: StateStore, hits: list[tuple[str, str, int, int]], message: str) -> list[int]:
    """Count one hit on each (bucket, subject, limit, window) in one round trip; raise RateLimited (with
    `message`) when any is past its limit (each counter counts the hit either way)."""
    keys = [counter(bucket, subject, window) for bucket, subject, _, window in hits]
    counts = store.incr_many(keys)
    if any(count > limit for count, (_, _, limit, _) in zip(counts, hits, strict=True)):
        raise RateLimited(message)
    return counts


def peek_exceeded(store: StateStore, bucket: str, subject: str, limit: int, window: int) -> bool:
    """True when the subject is already over the limit (without counting a hit)."""
    value = store.get(redis_keys.rate(bucket, _subject(subject), window))
    return value is not None and int(value) >= limit
