"""Staff work on tips: list, view and export (each view audited), status changes, retention, key rotation."""

from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select

from app import clock, personal_data
from app.errors import DomainError, NotFound
from app.extensions import db
from app.models.outbox import OutboxMessage
from app.models.tip import (
    CATEGORY_LABELS,
    FINAL_STATUSES,
    STATUS_LABELS,
    STATUSES,
    Tip,
    TipEvent,
    TipIdentity,
    TipStat,
)
from app.services import audit, tip_delivery
from app.services.receipts import normalize_receipt

log = logging.getLogger(__name__)
SYSTEM = "system:retention"


@dataclass(frozen=True)
class Identity:
    name: str | None
    phone: str | None
    openid: str | None


@dataclass(frozen=True)
class TipView:
    tip: Tip
    identity: Identity | None  # only when asked for (and audited separately)
    deliveries: list[OutboxMessage]


def get_tip(receipt: str) -> Tip:
    tip = db.session.scalar(select(Tip).where(Tip.receipt == (normalize_receipt(receipt) or receipt)))
    if tip is None:
        raise NotFound(f"no tip with receipt {receipt} (see `flask tips list`)", code="receipt_not_found")
    return tip


def list_tips(status: str | None = None, limit: int = 50) -> list[Tip]:
    """Newest first. A list shows no content, so it is not audited."""
    query = select(Tip).order_by(Tip.created_at.desc(), Tip.id.desc()).limit(limit)
    if status:
        query = query.where(Tip.status == status)
    return list(db.session.scalars(query))


def delivery_state(receipt: str) -> str:
    """sent 3/3, pending 1/3, FAILED 1/3, or none (no destination configured)."""
    rows = tip_delivery.deliveries_of(receipt)
    if not rows:
        return "none"
    failed = sum(1 for m in rows if m.status == "failed")
    pending = sum(1 for m in rows if m.status == "pending")
    if failed:
        return f"FAILED {failed}/{len(rows)}"
    if pending:
        return f"pending {pending}/{len(rows)}"
    return f"sent {len(rows)}/{len(rows)}"


def _identity(tip: Tip) -> Identity | None:
    row = tip.identity
    if row is None:
        return None
    return Identity(
        name=personal_data.decrypt(row.name_enc),
        phone=personal_data.decrypt(row.phone_enc),
        openid=personal_data.decrypt(row.openid_enc),
    )


def view_tip(receipt: str, *, actor: str, now: datetime, reveal_identity: bool = False) -> TipView:
    """One tip in full, written to the audit log; the identity is decrypted only on request (audited too)."""
    tip = get_tip(receipt)
    audit.record(actor, "tip.view", "tip", tip.receipt, now=now)
    identity = None
    if reveal_identity and tip.identity is not None:
        audit.record(actor, "tip.identity", "tip", tip.receipt, now=now)
        identity = _identity(tip)
    return TipView(tip=tip, identity=identity, deliveries=tip_delivery.deliveries_of(tip.receipt))


def export_tips(
    *,
    actor: str,
    now: datetime,
    status: str | None = None,
    since: datetime | None = None,
    reveal_identity: bool = False,
) -> list[dict[str, str]]:
    """Rows for a spreadsheet; every exported tip gets an audit row naming the export batch."""
    query = select(Tip).order_by(Tip.created_at, Tip.id)
    if status:
        query = query.where(Tip.status == status)
    if since:
        query = query.where(Tip.created_at >= since)
    batch = secrets.token_hex(4)
    detail = f"batch {batch}" + (" with identity" if reveal_identity else "")
    rows = []
    for tip in db.session.scalars(query):
        audit.record(actor, "tip.export", "tip", tip.receipt, now=now, detail=detail)
        row = {
            "receipt": tip.receipt,
            "submitted_at": clock.fmt_local(tip.created_at),
            "channel": tip.channel,
            "category": CATEGORY_LABELS[tip.category],
            "target": tip.target,
            "story": tip.story,
            "place": tip.place or "",
            "attachments": str(len(tip.attachments)),
            "status": STATUS_LABELS[tip.status],
            "public_reply": tip.public_reply or "",
            "anonymous": "是" if tip.anonymous else "否",
        }
        if reveal_identity:
            ident = _identity(tip) or Identity(name=None, phone=None, openid=None)
            row.update(name=ident.name or "", phone=ident.phone or "")
        rows.append(row)
    return rows


def set_status(
    receipt: str,
    status: str,
    *,
    actor: str,
    now: datetime,
    reply: str | None = None,
    note: str | None = None,
) -> Tip:
    """Move a tip along (已受理 → 核查中 → 已办结 / 不予受理). `reply` is shown to the tipster on look-up;
    `note` is internal and never shown."""
    if status not in STATUSES:
        raise DomainError(f"status must be one of {', '.join(STATUSES)}", code="bad_status")
    tip = get_tip(receipt)
    tip.status, tip.updated_at = status, now
    tip.closed_at = now if status in FINAL_STATUSES else None
    if reply is not None:
        tip.public_reply = reply.strip() or None
    db.session.add(TipEvent(tip_id=tip.id, at=now, actor=actor, kind="status", status=status, note=note))
    audit.record(actor, "tip.status", "tip", tip.receipt, now=now, detail=status)
    db.session.flush()
    return tip


def purge_closed(now: datetime, *, days: int) -> list[int]:
    """Delete tips closed more than `days` ago: content, identity, history and notices; returns their ids
    (the caller removes their files after the commit). Each one is first counted into TipStat (month,
    category, channel, outcome, anonymous), so statistics survive."""
    cutoff = now - timedelta(days=days)
    query = select(Tip).where(Tip.status.in_(FINAL_STATUSES), Tip.closed_at < cutoff).order_by(Tip.id)
    purged = []
    for tip in db.session.scalars(query).all():
        _count_in_stats(tip)
        for msg in tip_delivery.deliveries_of(tip.receipt):
            db.session.delete(msg)
        audit.record(SYSTEM, "tip.purge", "tip", tip.receipt, now=now)
        purged.append(tip.id)
        db.session.delete(tip)
    db.session.flush()
    return purged


def _count_in_stats(tip: Tip) -> None:
    month = clock.local(tip.created_at).strftime("%Y-%m")
    match = (month, tip.category, tip.channel, tip.status, tip.anonymous)
    stat = db.session.scalar(
        select(TipStat).where(
            TipStat.month == month,
            TipStat.category == tip.category,
            TipStat.channel == tip.channel,
            TipStat.outcome == tip.status,
            TipStat.anonymous == tip.anonymous,
        )
    )
    if stat is None:
        stat = TipStat(
            month=match[0], category=match[1], channel=match[2], outcome=match[3], anonymous=match[4], tips=0
        )
        db.session.add(stat)
    stat.tips += 1
    db.session.flush()


def rotate_identity_keys() -> int:
    """Re-encrypt every stored tipster identity with the newest FANGFEI_DATA_KEY (see README: key rotation)."""
    count = 0
    for row in db.session.scalars(select(TipIdentity)):
        row.openid_enc = personal_data.rotate(row.openid_enc)
        if row.openid_enc:  # and its blind index under the newest key, so the old key can be retired
            row.openid_index = personal_data.blind_index(personal_data.decrypt(row.openid_enc))
        row.name_enc = personal_data.rotate(row.name_enc)
        row.phone_enc = personal_data.rotate(row.phone_enc)
        count += 1
    db.session.flush()
    return count
