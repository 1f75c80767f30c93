"""Tips (举报线索): the content, the tipster's identity in its own table, evidence files, history, stats."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.types import UTCDateTime

# Status of a tip, as the office works on it.
RECEIVED, VERIFYING, CLOSED, REJECTED = "received", "verifying", "closed", "rejected"
STATUSES = (RECEIVED, VERIFYING, CLOSED, REJECTED)
FINAL_STATUSES = (CLOSED, REJECTED)
CATEGORIES = ("company", "platform", "app", "person", "other")
STATUS_LABELS = {RECEIVED: "已受理", VERIFYING: "核查中", CLOSED: "已办结", REJECTED: "不予受理"}
CATEGORY_LABELS = {
    "company": "公司/机构",
    "platform": "网站/平台",
    "app": "手机App",
    "person": "个人",
    "other": "其他",
}
CHANNELS = ("wechat", "web")

# Status of an evidence file: waiting for the download job, stored on disk, or given up.
FILE_PENDING, FILE_STORED, FILE_FAILED = "pending", "stored", "failed"


class Tip(db.Model):
    """What was reported. Holds no tipster identity and no IP address (see TipIdentity)."""

    __tablename__ = "tips"
    __table_args__ = (
        CheckConstraint(f"status IN {STATUSES}", name="status"),
        CheckConstraint(f"category IN {CATEGORIES}", name="category"),
        Index("ix_tips_status_closed", "status", "closed_at"),
        Index("ix_tips_status_created", "status", "created_at"),
        Index("ix_tips_category_created", "category", "created_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    receipt: Mapped[str] = mapped_column(String(20), unique=True)
    # Random per draft (chat) or a keyed hash of the client's Idempotency-Key (web): filing the same draft
    # twice (e.g. a retried 确认 after the state store failed) returns the tip already filed.
    draft_key: Mapped[str | None] = mapped_column(String(64), unique=True, nullable=True)
    channel: Mapped[str] = mapped_column(String(10))
    category: Mapped[str] = mapped_column(String(10))
    target: Mapped[str] = mapped_column(Text)
    story: Mapped[str] = mapped_column(Text)
    place: Mapped[str | None] = mapped_column(Text, nullable=True)
    latitude: Mapped[float | None] = mapped_column(Float, nullable=True)
    longitude: Mapped[float | None] = mapped_column(Float, nullable=True)
    anonymous: Mapped[bool] = mapped_column(Boolean)
    status: Mapped[str] = mapped_column(String(10), default=RECEIVED)
    public_reply: Mapped[str | None] = mapped_column(Text, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    # Triage (staff dashboard): who handles it, when staff first took it up, and "seen before" flags.
    assignee: Mapped[str | None] = mapped_column(String(80), nullable=True, index=True)
    acknowledged_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    already_known: Mapped[bool] = mapped_column(Boolean, default=False)
    duplicate_of_id: Mapped[int | None] = mapped_column(
        ForeignKey("tips.id", ondelete="SET NULL"), nullable=True, index=True
    )

    identity: Mapped[TipIdentity | None] = relationship(
        back_populates="tip", cascade="all, delete-orphan", uselist=False
    )
    attachments: Mapped[list[TipAttachment]] = relationship(
        back_populates="tip", cascade="all, delete-orphan", order_by="TipAttachment.id"
    )
    events: Mapped[list[TipEvent]] = relationship(
        back_populates="tip", cascade="all, delete-orphan", order_by="TipEvent.id"
    )


class TipIdentity(db.Model):
    """Who sent a real-name tip, each field Fernet-encrypted (app.personal_data). Anonymous tips have none."""

    __tablename__ = "tip_identities"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    tip_id: Mapped[int] = mapped_column(ForeignKey("tips.id", ondelete="CASCADE"), unique=True)
    openid_enc: Mapped[str | None] = mapped_column(Text, nullable=True)
    # Blind index of the openid (app.personal_data.blind_index): "my real-name tips" without decrypting each row.
    openid_index: Mapped[str | None] = mapped_column(String(32), nullable=True, index=True)
    name_enc: Mapped[str | None] = mapped_column(Text, nullable=True)
    phone_enc: Mapped[str | None] = mapped_column(Text, nullable=True)
    # Consent to the tipster privacy notice (app.services.privacy, kind "tips"), separate from the quiz's.
    consent_version: Mapped[str | None] = mapped_column(String(20), nullable=True)
    consent_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)

    tip: Mapped[Tip] = relationship(back_populates="identity")


class TipAttachment(db.Model):
    """One evidence file. A WeChat photo starts `pending` and the media job downloads it."""

    __tablename__ = "tip_attachments"
    __table_args__ = (Index("ix_tip_attachments_due", "status", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    tip_id: Mapped[int] = mapped_column(ForeignKey("tips.id", ondelete="CASCADE"), index=True)
    source: Mapped[str] = mapped_column(String(10))  # wechat, upload
    media_id: Mapped[str | None] = mapped_column(String(200), nullable=True)
    status: Mapped[str] = mapped_column(String(10), default=FILE_PENDING)
    content_type: Mapped[str | None] = mapped_column(String(40), nullable=True)
    size: Mapped[int | None] = mapped_column(Integer, nullable=True)
    sha256: Mapped[str | None] = mapped_column(String(64), nullable=True)
    path: Mapped[str | None] = mapped_column(String(200), nullable=True)  # relative to MEDIA_DIR
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    last_error: Mapped[str | None] = mapped_column(Text, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    stored_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)

    tip: Mapped[Tip] = relationship(back_populates="attachments")


class TipEvent(db.Model):
    """The tip's history: submitted, status changes, internal notes (never shown to the tipster)."""

    __tablename__ = "tip_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    tip_id: Mapped[int] = mapped_column(ForeignKey("tips.id", ondelete="CASCADE"), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    actor: Mapped[str] = mapped_column(String(80))
    kind: Mapped[str] = mapped_column(String(20))  # submitted, status, note, assign, flag, reply
    status: Mapped[str | None] = mapped_column(String(10), nullable=True)
    note: Mapped[str | None] = mapped_column(Text, nullable=True)

    tip: Mapped[Tip] = relationship(back_populates="events")


class TipStat(db.Model):
    """Anonymous counts of purged tips, so statistics survive the retention purge."""

    __tablename__ = "tip_stats"
    __table_args__ = (UniqueConstraint("month", "category", "channel", "outcome", "anonymous"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    month: Mapped[str] = mapped_column(String(7))  # YYYY-MM the tip came in (Asia/Shanghai)
    category: Mapped[str] = mapped_column(String(10))
    channel: Mapped[str] = mapped_column(String(10))
    outcome: Mapped[str] = mapped_column(String(10))  # closed, rejected
    anonymous: Mapped[bool] = mapped_column(Boolean)
    tips: Mapped[int] = mapped_column(Integer, default=0)
