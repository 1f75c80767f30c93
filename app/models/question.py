"""The question bank as stored (imported from quiz_bank files or staff spreadsheets)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, String
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db
from app.models.types import UTCDateTime


class BankQuestion(db.Model):
    __tablename__ = "bank_questions"

    id: Mapped[str] = mapped_column(String(20), primary_key=True)  # the bank's stable id, e.g. S001
    type: Mapped[str] = mapped_column(String(10), index=True)
    status: Mapped[str] = mapped_column(String(10), default="active")  # active, retired
    data: Mapped[dict[str, Any]] = mapped_column(JSON)  # quiz_bank.schema.Question.to_dict()
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
