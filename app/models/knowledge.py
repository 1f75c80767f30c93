"""Knowledge cards as staff imported them, the questions no card answered, and the daily tips shown."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db
from app.models.types import UTCDateTime

ACTIVE, RETIRED = "active", "retired"


class KnowledgeCard(db.Model):
    """A card imported by staff. While any card is active, these replace the bundled cards.json."""

    __tablename__ = "knowledge_cards"
    __table_args__ = (CheckConstraint(f"status IN ('{ACTIVE}', '{RETIRED}')", name="status"),)

    id: Mapped[str] = mapped_column(String(10), primary_key=True)  # K001: stable, never reused
    status: Mapped[str] = mapped_column(String(10), default=ACTIVE)  # a retired card keeps its id
    data: Mapped[dict[str, Any]] = mapped_column(JSON)  # the cards.json object of the card
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class UnmatchedQuestion(db.Model):
    """A question no card answered, counted by its normalised text. Deliberately holds no openid."""

    __tablename__ = "unmatched_questions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    text: Mapped[str] = mapped_column(String(200), unique=True)  # quiz_bank.knowledge.normalise()
    sample: Mapped[str] = mapped_column(String(200))  # the first wording, long digit runs masked
    count: Mapped[int] = mapped_column(Integer, default=1)
    first_seen: Mapped[datetime] = mapped_column(UTCDateTime)
    last_seen: Mapped[datetime] = mapped_column(UTCDateTime, index=True)


class DailyTipShown(db.Model):
    """A card's tip shown to a participant after a paper; one row per (participant, card) per rotation."""

    __tablename__ = "daily_tips_shown"
    __table_args__ = (UniqueConstraint("participant_id", "card_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    participant_id: Mapped[int] = mapped_column(ForeignKey("participants.id", ondelete="CASCADE"))
    card_id: Mapped[str] = mapped_column(String(10))
    shown_at: Mapped[datetime] = mapped_column(UTCDateTime)
