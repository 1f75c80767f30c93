"""The outbox: queue messages with the change that causes them; deliver them later, with backoff."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import or_, select, update

from app.extensions import db
from app.models.outbox import FAILED, PENDING, SENT, OutboxMessage

log = logging.getLogger(__name__)

BASE_DELAY = timedelta(seconds=15)
MAX_DELAY = timedelta(hours=1)
MAX_ATTEMPTS = 10
LEASE = timedelta(minutes=2)

Sender = Callable[[OutboxMessage], None]


def enqueue(
    channel: str, destination: str, payload: dict[str, Any], *, key: str, now: datetime
) -> OutboxMessage:
    """Queue one message. `key` is its idempotency key: the same key is queued at most once."""
    existing = db.session.scalar(select(OutboxMessage).where(OutboxMessage.idempotency_key == key))
    if existing is not None:
        return existing
    msg = OutboxMessage(
        channel=channel,
        destination=destination,
        payload=payload,
        idempotency_key=key,
        status=PENDING,
        attempts=0,
        next_attempt_at=now,
        created_at=now,
    )
    db.session.add(msg)
    db.session.flush()
    return msg


def enqueue_wechat_text(openid: str, text: str, *, key: str, now: datetime) -> OutboxMessage:
    """A customer-service text message to a resident (used for replies that do not fit one message)."""
    return enqueue("wechat_custom", openid, {"msgtype": "text", "text": text}, key=key, now=now)


def backoff(attempts: int) -> timedelta:
    """Delay before the next try: 15 s doubling per attempt, capped at one hour."""
    return min(BASE_DELAY * (2 ** max(0, attempts - 1)), MAX_DELAY)


def lease_due(now: datetime, limit: int = 50, channels: Sequence[str] | None = None) -> list[int]:
    """Lease up to `limit` due messages to this runner; returns their ids. A lease expires after 2 min."""
    query = (
        select(OutboxMessage.id)
        .where(
            OutboxMessage.status == PENDING,
            OutboxMessage.next_attempt_at <= now,
            or_(OutboxMessage.leased_until.is_(None), OutboxMessage.leased_until < now),
        )
        .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id)
        .limit(limit)
    )
    if channels:
        query = query.where(OutboxMessage.channel.in_(channels))
    leased = []
    for msg_id in db.session.scalars(query).all():
        result = db.session.execute(
            update(OutboxMessage)
            .where(
                OutboxMessage.id == msg_id,
                OutboxMessage.status == PENDING,
                or_(OutboxMessage.leased_until.is_(None), OutboxMessage.leased_until < now),
            )
            .values(leased_until=now + LEASE)
            .returning(OutboxMessage.id)
        )
        if result.first() is not None:
            leased.append(msg_id)
    db.session.flush()
    return leased


def release(ids: Sequence[int]) -> None:
    """Give leased messages back (a runner that stops early), so the next run can take them at once."""
    if ids:
        db.session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id.in_(list(ids)), OutboxMessage.status == PENDING)
            .values(leased_until=None)
        )
    db.session.flush()


def deliver(msg: OutboxMessage, senders: dict[str, Sender], now: datetime) -> bool:
    """Try one message: mark it sent, or schedule a retry, or give up after MAX_ATTEMPTS (failed)."""
    sender = senders.get(msg.channel)
    msg.attempts += 1
    try:
        if sender is None:
            raise RuntimeError(f"no sender configured for channel {msg.channel}")
        sender(msg)
    except Exception as exc:  # any failure of the remote side is retried
        msg.last_error = f"{type(exc).__name__}: {exc}"[:500]
        msg.leased_until = None
        if msg.attempts >= MAX_ATTEMPTS:
            msg.status = FAILED
            log.error(
                "outbox message %s (%s, %s) failed for good after %s attempts: %s",
                msg.id,
                msg.channel,
                msg.idempotency_key,
                msg.attempts,
                msg.last_error,
            )
        else:
            msg.next_attempt_at = now + backoff(msg.attempts)
            log.warning("outbox message %s (%s) attempt %s failed", msg.id, msg.channel, msg.attempts)
        db.session.flush()
        return False
    msg.status, msg.sent_at, msg.leased_until, msg.last_error = SENT, now, None, None
    db.session.flush()
    return True
