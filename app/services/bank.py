"""The stored question bank: sync from files or spreadsheets (idempotent by id), retire, read."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from app.extensions import db
from app.models.question import BankQuestion
from quiz_bank.schema import Question


@dataclass(frozen=True)
class SyncResult:
    added: int
    updated: int
    unchanged: int
    retired: int


def sync_questions(
    questions: Iterable[Question], now: datetime, *, retire_missing: bool = False
) -> SyncResult:
    """Upsert questions by id. A question is never deleted: missing ones can be retired (status) instead,
    so papers that used them keep their history."""
    incoming = {q.id: q for q in questions}
    stored = {row.id: row for row in db.session.scalars(select(BankQuestion))}
    added = updated = unchanged = retired = 0
    for qid, q in incoming.items():
        data = q.to_dict()
        row = stored.get(qid)
        if row is None:
            db.session.add(
                BankQuestion(id=qid, type=q.type.value, status=q.status, data=data, updated_at=now)
            )
            added += 1
        elif row.data != data or row.status != q.status:
            row.data, row.status, row.type, row.updated_at = data, q.status, q.type.value, now
            updated += 1
        else:
            unchanged += 1
    if retire_missing:
        for qid, row in stored.items():
            if qid not in incoming and row.status != "retired":
                row.status, row.updated_at = "retired", now
                row.data = {**row.data, "status": "retired"}
                retired += 1
    db.session.flush()
    return SyncResult(added, updated, unchanged, retired)


def retire(question_id: str, now: datetime) -> bool:
    row = db.session.get(BankQuestion, question_id)
    if row is None or row.status == "retired":
        return False
    row.status, row.updated_at = "retired", now
    row.data = {**row.data, "status": "retired"}
    db.session.flush()
    return True


def all_questions(active_only: bool = True) -> list[Question]:
    query = select(BankQuestion)
    if active_only:
        query = query.where(BankQuestion.status == "active")
    return [Question.from_dict(row.data) for row in db.session.scalars(query.order_by(BankQuestion.id))]


def get_question(question_id: str) -> Question | None:
    row = db.session.get(BankQuestion, question_id)
    return Question.from_dict(row.data) if row else None
