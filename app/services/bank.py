"""The stored question bank: sync from files or spreadsheets (idempotent by id), retire, read.

Reads are served from a per-process copy of the parsed bank. It is checked against a stamp of the stored rows
(count, latest change, total size) at most every READ_CACHE_SECONDS (app/services/read_cache.py): an import or a
retirement is seen at once in its own process and within seconds everywhere else, while a chat answer no longer
queries the bank at all."""

from __future__ import annotations

import threading
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import String, cast, func, select

from app.extensions import db
from app.models.question import BankQuestion
from app.services import read_cache
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
    _forget()
    return SyncResult(added, updated, unchanged, retired)


def retire(question_id: str, now: datetime) -> bool:
    row = db.session.get(BankQuestion, question_id)
    if row is None or row.status == "retired":
        return False
    row.status, row.updated_at = "retired", now
    row.data = {**row.data, "status": "retired"}
    db.session.flush()
    _forget()
    return True


_cache: dict[str, object] = {"stamp": None, "by_id": {}, "active": []}
_parsing = threading.Lock()
read_cache.watch(BankQuestion)


def _forget() -> None:
    _cache["stamp"] = None
    read_cache.invalidate()


def _stamp() -> tuple:
    """The stored rows' stamp (count, latest change, total size), read at most every READ_CACHE_SECONDS."""
    row = db.session.execute(
        select(
            func.count(BankQuestion.id),
            func.max(BankQuestion.updated_at),
            func.sum(func.length(cast(BankQuestion.data, String))),
            func.sum(func.length(BankQuestion.status)),
        )
    ).one()
    return (str(db.engine.url), *row)


def _parse(rows: Iterable[BankQuestion]) -> dict[str, object]:
    by_id = {row.id: (row.status, Question.from_dict(row.data)) for row in rows}
    return {"by_id": by_id, "active": [q for status, q in by_id.values() if status == "active"]}


def _parsed() -> dict[str, object]:
    if db.session.info.get(read_cache.DIRTY):  # this transaction changed the bank: read it, share nothing
        return _parse(db.session.scalars(select(BankQuestion).order_by(BankQuestion.id)))
    stamp = read_cache.cached("bank_stamp", _stamp)
    if _cache["stamp"] != stamp:
        with _parsing:  # one thread parses; the others of this process wait for its copy
            if _cache["stamp"] != stamp:
                parsed = _parse(db.session.scalars(select(BankQuestion).order_by(BankQuestion.id)))
                _cache.update(parsed)
                _cache["stamp"] = stamp  # last: a reader that sees the new stamp sees the new copy
    return _cache


def all_questions(active_only: bool = True) -> list[Question]:
    parsed = _parsed()
    if active_only:
        return list(parsed["active"])
    return [q for _, q in parsed["by_id"].values()]


def get_question(question_id: str) -> Question | None:
    found = _parsed()["by_id"].get(question_id)
    return found[1] if found else None


def get_questions(question_ids: Iterable[str]) -> dict[str, Question]:
    """The stored questions with these ids (any status), from one look at the process's copy (a paper's
    questions at once: the copy's freshness is checked once, not per question)."""
    by_id = _parsed()["by_id"]
    return {qid: found[1] for qid in question_ids if (found := by_id.get(qid)) is not None}
