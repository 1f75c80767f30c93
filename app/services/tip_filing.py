"""Writing a new tip: its row, its "submitted" event and its office notices in one round trip (PostgreSQL).

The receipt code is not checked beforehand: the UNIQUE constraints on the receipt and the draft key decide
(ON CONFLICT DO NOTHING, then the caller draws again or returns the tip filed meanwhile). The notices are
written by the same statement, so a committed tip always has its notices (app.services.tip_delivery).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from typing import Any

from sqlalchemy import TextClause, bindparam, text
from sqlalchemy.dialects import sqlite

from app.extensions import db
from app.models.outbox import PENDING
from app.models.tip import RECEIVED, Tip, TipEvent
from app.models.types import UTCDateTime
from app.services import tip_delivery

COLUMNS = (
    "receipt", "draft_key", "channel", "category", "target", "story", "place", "latitude", "longitude",
    "anonymous", "status", "already_known", "created_at", "updated_at",
)  # fmt: skip


_FILE_TIP = """
WITH filed AS (
    INSERT INTO tips ({columns}) VALUES ({values})
    ON CONFLICT DO NOTHING
    RETURNING id
),
submitted AS (
    INSERT INTO tip_events (tip_id, at, actor, kind, status)
    SELECT filed.id, :now, 'tipster', 'submitted', :status FROM filed
){notices}
SELECT id FROM filed"""
_NOTICES = """,
notices AS (
    INSERT INTO outbox_messages (channel, destination, payload, idempotency_key, status, attempts,
                                 next_attempt_at, created_at)
    SELECT n.channel, n.destination, json_build_object('tip_id', filed.id), n.key, :pending, 0, :now, :now
    FROM filed CROSS JOIN (VALUES {rows}) AS n (channel, destination, key)
    ON CONFLICT (idempotency_key) DO NOTHING
)"""


@lru_cache(maxsize=16)
def _filing_sql(notices: int) -> TextClause:
    """The statement for a tip with `notices` office destinations, built once per count: only column and
    placeholder names go into the text, every value is bound. PostgreSQL runs every data-modifying CTE."""
    rows = ", ".join(f"(:channel{i}, :destination{i}, :key{i})" for i in range(notices))
    sql = _FILE_TIP.format(
        columns=", ".join(COLUMNS),
        values=", ".join(f":{c}" for c in COLUMNS),
        notices=_NOTICES.format(rows=rows) if notices else "",
    )
    stamps = ("now", "created_at", "updated_at")
    return text(sql).bindparams(*(bindparam(name, type_=UTCDateTime()) for name in stamps))


@dataclass(frozen=True)
class FiledTip:
    """What filing returns: enough to answer the tipster (no ORM object is built or read back)."""

    id: int
    receipt: str
    status: str
    created_at: datetime

    @classmethod
    def of(cls, tip: Tip) -> FiledTip:
        return cls(tip.id, tip.receipt, tip.status, tip.created_at)


def insert(values: dict[str, Any], config: Mapping[str, Any], now: datetime) -> FiledTip | None:
    """Write the tip (`values`: COLUMNS), its event and its notices; None when the receipt code or the
    draft key is already taken (then nothing is written)."""
    if db.engine.dialect.name == "postgresql":
        planned = tip_delivery.planned_notices(values["receipt"], config)
        params = {**values, "now": now, "pending": PENDING}
        for i, (destination, key) in enumerate(planned):
            params.update(
                {f"channel{i}": destination.channel, f"destination{i}": destination.address, f"key{i}": key}
            )
        tip_id = db.session.scalar(_filing_sql(len(planned)), params)
    else:  # SQLite (development): the same rows, statement by statement
        tip_id = _insert_one_by_one(values, config, now)
    return (
        None
        if tip_id is None
        else FiledTip(tip_id, values["receipt"], values["status"], values["created_at"])
    )


def _insert_one_by_one(values: dict[str, Any], config: Mapping[str, Any], now: datetime) -> int | None:
    table = Tip.__table__
    tip_id = db.session.scalar(
        sqlite.insert(table).values(values).on_conflict_do_nothing().returning(table.c.id)
    )
    if tip_id is not None:
        db.session.add(TipEvent(tip_id=tip_id, at=now, actor="tipster", kind="submitted", status=RECEIVED))
        db.session.flush()
        tip_delivery.enqueue_notices(tip_id, values["receipt"], config, now)
    return tip_id
