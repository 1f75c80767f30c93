"""Residents who registered for the quiz, and their team in each campaign."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.campaign import Team
from app.models.types import UTCDateTime


class Participant(db.Model):
    __tablename__ = "participants"
    __table_args__ = (
        # Staff search on the individual leaderboard: name prefix (LIKE '欧阳%') and masked phone.
        Index("ix_participants_name_prefix", "name", postgresql_ops={"name": "varchar_pattern_ops"}),
        Index("ix_participants_phone_masked", "phone_masked"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    openid: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(40))
    phone_enc: Mapped[str | None] = mapped_column(Text, nullable=True)  # Fernet, see app.personal_data
    phone_masked: Mapped[str | None] = mapped_column(String(16), nullable=True)
    work_unit: Mapped[str | None] = mapped_column(String(60), nullable=True)
    consent_version: Mapped[str] = mapped_column(String(20))
    consent_at: Mapped[datetime] = mapped_column(UTCDateTime)
    excluded: Mapped[bool] = mapped_column(Boolean, default=False)  # kept out of rankings by staff
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Enrollment(db.Model):
    """A participant's team in a campaign. The team is locked once they have submitted a paper."""

    __tablename__ = "enrollments"
    __table_args__ = (UniqueConstraint("participant_id", "campaign_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    participant_id: Mapped[int] = mapped_column(ForeignKey("participants.id", ondelete="CASCADE"))
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id", ondelete="CASCADE"), index=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)

    participant: Mapped[Participant] = relationship()
    team: Mapped[Team] = relationship()
