"""Tip triage for the staff dashboard: filtered pages, the status workflow, assignment, notes, public
replies, "already known" / "duplicate of" flags and the 5-working-day acknowledgement reminder.

Everything here flushes and never commits; the dashboard view commits once. Reading a tip in full and
revealing a tipster's identity go through app.services.tip_review (both audited).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import exists, func, select
from sqlalchemy.orm import selectinload
from sqlalchemy.sql import Select

from app import clock
from app.errors import DomainError, NotFound
from app.extensions import db
from app.models.outbox import FAILED, OutboxMessage
from app.models.staff import Staff
from app.models.tip import (
    CATEGORIES,
    CLOSED,
    RECEIVED,
    REJECTED,
    STATUS_LABELS,
    STATUSES,
    VERIFYING,
    Tip,
    TipAttachment,
    TipEvent,
)
from app.services import audit, tip_delivery, tip_review

ACK_WORKING_DAYS = 5
PER_PAGE = 50
NOTE_MAX = 2000
REPLY_MAX = 500
HANDLER_ROLES = ("tip_handler", "admin")

# The workflow: 已受理 -> 核查中 -> 已办结 / 不予受理; a tip can be refused straight away, and a finished one
# reopened (back to 核查中) when new facts come in.
TRANSITIONS: dict[str, tuple[str, ...]] = {
    RECEIVED: (VERIFYING, REJECTED),
    VERIFYING: (CLOSED, REJECTED),
    CLOSED: (VERIFYING,),
    REJECTED: (VERIFYING,),
}


@dataclass(frozen=True)
class TipFilter:
    status: str | None = None
    category: str | None = None
    date_from: date | None = None  # Asia/Shanghai days, inclusive
    date_to: date | None = None
    has_photos: bool | None = None
    delivery_failed: bool = False
    assignee: str | None = None
    overdue: bool = False  # not acknowledged within ACK_WORKING_DAYS working days


@dataclass(frozen=True)
class Page:
    items: list[Tip]
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


# Working days ------------------------------------------------------------------------------------------
def _is_working_day(day: date) -> bool:
    return day.weekday() < 5  # Mon-Fri (public holidays are not modelled)


def ack_deadline(created_at: datetime) -> date:
    """The last day to acknowledge a tip: the 5th working day after the day it came in (Asia/Shanghai)."""
    day, left = clock.campaign_day(clock.ensure_aware(created_at)), ACK_WORKING_DAYS
    while left:
        day += timedelta(days=1)
        left -= _is_working_day(day)
    return day


def overdue_cutoff(now: datetime) -> datetime:
    """Tips that came in before this instant have had 5 full working days: once the 5th working day after
    the day of receipt has ended, a tip still 已受理 is overdue."""
    day, seen = clock.campaign_day(now), 0
    while seen < ACK_WORKING_DAYS:
        day -= timedelta(days=1)
        seen += _is_working_day(day)
    return clock.day_bounds(day)[0]


# Listing -----------------------------------------------------------------------------------------------
def failed_receipts() -> set[str]:
    """Receipts of tips whose office notice gave up (a small set: failures are rare and get fixed)."""
    keys = db.session.scalars(
        select(OutboxMessage.idempotency_key).where(
            OutboxMessage.status == FAILED, OutboxMessage.channel.in_(tip_delivery.CHANNELS)
        )
    )
    return {key.split(":")[1] for key in keys}


def filtered(f: TipFilter, now: datetime) -> Select:
    query = select(Tip)
    if f.status in STATUSES:
        query = query.where(Tip.status == f.status)
    if f.category in CATEGORIES:
        query = query.where(Tip.category == f.category)
    if f.date_from:
        query = query.where(Tip.created_at >= clock.day_bounds(f.date_from)[0])
    if f.date_to:
        query = query.where(Tip.created_at < clock.day_bounds(f.date_to)[1])
    if f.has_photos is not None:
        has = exists().where(TipAttachment.tip_id == Tip.id)
        query = query.where(has if f.has_photos else ~has)
    if f.delivery_failed:
        query = query.where(Tip.receipt.in_(sorted(failed_receipts()) or [""]))
    if f.assignee:
        query = query.where(Tip.assignee == f.assignee)
    if f.overdue:
        query = query.where(Tip.status == RECEIVED, Tip.created_at < overdue_cutoff(now))
    return query


def search_tips(f: TipFilter, now: datetime, *, page: int = 1, per_page: int = PER_PAGE) -> Page:
    """One page of tips, newest first (overdue ones: oldest first). Lists show no identity and are not
    audited; every filter is served by an index on (status|category, created_at) or a small id set."""
    query = filtered(f, now)
    total = db.session.scalar(select(func.count()).select_from(query.subquery())) or 0
    page = min(max(page, 1), max(1, -(-total // per_page)))
    order = (Tip.created_at, Tip.id) if f.overdue else (Tip.created_at.desc(), Tip.id.desc())
    query = query.options(selectinload(Tip.attachments)).order_by(*order)
    items = db.session.scalars(query.offset((page - 1) * per_page).limit(per_page))
    return Page(list(items), total, page, per_page)


def overdue_count(now: datetime) -> int:
    return db.session.scalar(
        select(func.count()).where(Tip.status == RECEIVED, Tip.created_at < overdue_cutoff(now))
    )


def handlers() -> list[str]:
    """Usernames a tip can be assigned to (active tip handlers and admins)."""
    query = select(Staff.username).where(Staff.active.is_(True), Staff.role.in_(HANDLER_ROLES))
    return list(db.session.scalars(query.order_by(Staff.username)))


# Changes (each leaves a TipEvent and an audit row) -----------------------------------------------------
def _event(tip: Tip, actor: str, kind: str, now: datetime, *, note: str | None = None) -> None:
    db.session.add(TipEvent(tip_id=tip.id, at=now, actor=actor, kind=kind, status=tip.status, note=note))
    tip.updated_at = now


def change_status(receipt: str, status: str, *, actor: str, now: datetime, note: str | None = None) -> Tip:
    """Move a tip one step along TRANSITIONS; the first step out of 已受理 acknowledges it."""
    tip = tip_review.get_tip(receipt)
    if status not in TRANSITIONS.get(tip.status, ()):
        allowed = "、".join(STATUS_LABELS[s] for s in TRANSITIONS[tip.status])
        raise DomainError(
            f"不能从“{STATUS_LABELS[tip.status]}”改为“{STATUS_LABELS.get(status, status)}”，可改为：{allowed}",
            code="bad_transition",
        )
    tip = tip_review.set_status(tip.receipt, status, actor=actor, now=now, note=_clean(note, NOTE_MAX))
    if tip.acknowledged_at is None:
        tip.acknowledged_at = now
    db.session.flush()
    return tip


def assign(receipt: str, handler: str | None, *, actor: str, now: datetime) -> Tip:
    """Give a tip to a handler (an active tip handler or admin), or take it back (None)."""
    tip = tip_review.get_tip(receipt)
    handler = (handler or "").strip() or None
    if handler is not None and handler not in handlers():
        raise DomainError(f"“{handler}”不是可分配的线索处理人员", code="bad_assignee")
    tip.assignee = handler
    _event(tip, actor, "assign", now, note=f"分配给 {handler}" if handler else "取消分配")
    audit.record(actor, "tip.assign", "tip", tip.receipt, now=now, detail=handler or "-")
    db.session.flush()
    return tip


def add_note(receipt: str, note: str, *, actor: str, now: datetime) -> Tip:
    """An internal note: kept in the tip's history, never shown to the tipster."""
    text = _clean(note, NOTE_MAX)
    if not text:
        raise DomainError("备注不能为空", code="note_required")
    tip = tip_review.get_tip(receipt)
    _event(tip, actor, "note", now, note=text)
    audit.record(actor, "tip.note", "tip", tip.receipt, now=now)
    db.session.flush()
    return tip


def set_reply(receipt: str, reply: str, *, actor: str, now: datetime) -> Tip:
    """The public reply the tipster sees on 查询 (chat) and the API look-up; empty clears it."""
    tip = tip_review.get_tip(receipt)
    tip.public_reply = _clean(reply, REPLY_MAX)
    _event(tip, actor, "reply", now, note=tip.public_reply)
    audit.record(actor, "tip.reply", "tip", tip.receipt, now=now)
    db.session.flush()
    return tip


def flag_known(receipt: str, known: bool, *, actor: str, now: datetime) -> Tip:
    tip = tip_review.get_tip(receipt)
    tip.already_known = known
    _event(tip, actor, "flag", now, note="标记为已掌握线索" if known else "取消“已掌握”标记")
    audit.record(actor, "tip.flag", "tip", tip.receipt, now=now, detail=f"known={int(known)}")
    db.session.flush()
    return tip


def mark_duplicate(receipt: str, original: str | None, *, actor: str, now: datetime) -> Tip:
    """Mark a tip as a duplicate of another one (which must exist, differ and not point back); None clears."""
    tip = tip_review.get_tip(receipt)
    target = None
    if (original or "").strip():
        try:
            target = tip_review.get_tip(original)
        except NotFound:
            raise DomainError(f"没有找到回执编号为 {original} 的线索", code="duplicate_unknown") from None
    if target is not None:
        if target.id == tip.id:
            raise DomainError("不能标记为自身的重复线索", code="duplicate_self")
        if target.duplicate_of_id == tip.id:
            raise DomainError(f"{target.receipt} 已标记为本线索的重复，不能互相标记", code="duplicate_cycle")
    tip.duplicate_of_id = target.id if target else None
    note = f"重复线索，原线索 {target.receipt}" if target else "取消重复标记"
    _event(tip, actor, "flag", now, note=note)
    audit.record(
        actor, "tip.duplicate", "tip", tip.receipt, now=now, detail=target.receipt if target else "-"
    )
    db.session.flush()
    return tip


def receipt_of_id(tip_id: int | None) -> str | None:
    return db.session.scalar(select(Tip.receipt).where(Tip.id == tip_id)) if tip_id else None


def _clean(text: str | None, limit: int) -> str | None:
    text = (text or "").strip()
    if len(text) > limit:
        raise DomainError(f"内容太长（最多{limit}字）", code="too_long")
    return text or None
