"""The audit log: one row for every staff look at or change of sensitive data."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from app.extensions import db
from app.models.audit import AuditLog


def record(
    actor: str, action: str, target_type: str, target_id: str | int, *, now: datetime, detail: str = ""
) -> AuditLog:
    """Write one audit row (flushed with the caller's unit of work, so it commits with the action)."""
    entry = AuditLog(
        actor=actor[:80] or "unknown",
        action=action,
        target_type=target_type,
        target_id=str(target_id)[:60],
        detail=detail or None,
        at=now,
    )
    db.session.add(entry)
    db.session.flush()
    return entry


def trail(target_type: str, target_id: str | int) -> list[AuditLog]:
    """Everything recorded about one target, oldest first."""
    query = (
        select(AuditLog)
        .where(AuditLog.target_type == target_type, AuditLog.target_id == str(target_id))
        .order_by(AuditLog.id)
    )
    return list(db.session.scalars(query))
