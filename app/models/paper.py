"""Daily papers and their items: the record every score and leaderboard is recomputed from."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, BigInteger, Boolean, Date, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.campaign import Campaign
from app.models.types import UTCDateTime

OPEN, SUBMITTED = "open", "submitted"


class Paper(db.Model):
    __tablename__ = "papers"
    __table_args__ = (
        UniqueConstraint("participant_id", "campaign_id", "day", "attempt"),
        Index("ix_papers_campaign_day_status", "campaign_id", "day", "status"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    participant_id: Mapped[int] = mapped_column(ForeignKey("participants.id", ondelete="CASCADE"), index=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id", ondelete="CASCADE"))
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id"), index=True)
    day: Mapped[date] = mapped_column(Date)  # the Asia/Shanghai campaign day
    attempt: Mapped[int] = mapped_column(Integer, default=1)
    seed: Mapped[str] = mapped_column(String(120))  # the draw is reproducible from (bank, seen ids, seed)
    status: Mapped[str] = mapped_column(String(10), default=OPEN)
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime)
    deadline: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    score: Mapped[int | None] = mapped_column(Integer, nullable=True)
    max_score: Mapped[int] = mapped_column(Integer)
    time_used_ms: Mapped[int | None] = mapped_column(Integer, nullable=True)
    flagged: Mapped[str | None] = mapped_column(String(40), nullable=True)  # e.g. "too_fast"
    # Rankings count the first submitted paper of each day; day_bit = 1 << (day - campaign's first day).
    counted: Mapped[bool] = mapped_column(Boolean, default=False)
    day_bit: Mapped[int] = mapped_column(BigInteger, default=0)

    campaign: Mapped[Campaign] = relationship()
    items: Mapped[list[PaperItem]] = relationship(
        back_populates="paper", order_by="PaperItem.position", cascade="all, delete-orphan"
    )


class PaperItem(db.Model):
    __tablename__ = "paper_items"
    __table_args__ = (UniqueConstraint("paper_id", "position"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    paper_id: Mapped[int] = mapped_column(ForeignKey("papers.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer)  # 1-based
    question_id: Mapped[str] = mapped_column(String(20), index=True)
    qtype: Mapped[str] = mapped_column(String(10))
    points: Mapped[int] = mapped_column(Integer)
    option_order: Mapped[list[str]] = mapped_column(JSON)
    answer_key: Mapped[str] = mapped_column(String(10))  # the bank key at issue time (original letters)
    given: Mapped[str | None] = mapped_column(String(10), nullable=True)  # original letters / 对 / 错
    awarded: Mapped[int | None] = mapped_column(Integer, nullable=True)
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)

    paper: Mapped[Paper] = relationship(back_populates="items")
