"""Published leaderboards: immutable daily Top-10 snapshots and the frozen final results."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Date, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db
from app.models.types import UTCDateTime


class Publication(db.Model):
    """One published board. kind: daily (that day's papers), cumulative (up to the end of that day),
    final_teams / final_individuals (at the campaign's end; day = the last day)."""

    __tablename__ = "publications"
    __table_args__ = (UniqueConstraint("campaign_id", "day", "kind"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id", ondelete="CASCADE"), index=True)
    day: Mapped[date] = mapped_column(Date)
    kind: Mapped[str] = mapped_column(String(20))
    formula: Mapped[str] = mapped_column(String(20))
    as_of: Mapped[datetime] = mapped_column(UTCDateTime)
    published_at: Mapped[datetime] = mapped_column(UTCDateTime)
    rows: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
