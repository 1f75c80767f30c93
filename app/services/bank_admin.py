"""Question bank management for the dashboard: browse and search, import with a preview, per-question
statistics that flag questions nearly everyone gets wrong.

An import is two steps: `preview_import` keeps the uploaded file under a random token and reports every row
error and what would change, writing nothing to the database; `confirm_import` re-reads the same file,
re-checks it and only then syncs (app.services.bank.sync_questions). Nothing here commits.
"""

from __future__ import annotations

import json
import re
import secrets
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import case, func, or_, select

from app import redis_keys
from app.errors import DomainError
from app.extensions import db
from app.models.paper import PaperItem
from app.models.question import BankQuestion
from app.services import audit, bank, bank_messages, dashboard_stats
from app.state_store import StateStore, StoreUnavailable
from quiz_bank import tabular
from quiz_bank.schema import Question

PER_PAGE = 50
FLAG_MIN_ANSWERED = 30  # fewer answers say nothing about a question
FLAG_MAX_CORRECT = 0.2  # at most this share answered correctly: likely ambiguous or a wrong key
IMPORT_TYPES = (".xlsx", ".csv")
MAX_IMPORT_BYTES = 5 * 1024 * 1024
_TOKEN = re.compile(r"^[0-9a-f]{32}$")

BAD_TYPE = "只能导入 .xlsx 或 .csv 文件"
TOO_BIG = "文件太大（最多 5MB）"
EXPIRED = "导入预览已失效，请重新上传文件"
HAS_ERRORS = "文件中还有错误，没有导入任何题目，请修改后重新上传"


@dataclass(frozen=True)
class Page:
    items: list[BankQuestion]
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


def browse(text: str = "", qtype: str | None = None, status: str | None = None, *, page: int = 1) -> Page:
    """Questions by id, filtered by type/status and a search over id, stem and tags."""
    query = select(BankQuestion)
    if qtype:
        query = query.where(BankQuestion.type == qtype)
    if status:
        query = query.where(BankQuestion.status == status)
    text = text.strip()
    if text:
        like = f"%{text.replace('%', '').replace('_', '')}%"
        query = query.where(
            or_(
                BankQuestion.id.ilike(like),
                BankQuestion.data["stem"].as_string().like(like),
                BankQuestion.data["explanation"].as_string().like(like),
            )
        )
    total = db.session.scalar(select(func.count()).select_from(query.subquery())) or 0
    page = min(max(page, 1), max(1, -(-total // PER_PAGE)))
    rows = db.session.scalars(query.order_by(BankQuestion.id).offset((page - 1) * PER_PAGE).limit(PER_PAGE))
    return Page(list(rows), total, page, PER_PAGE)


def question(question_id: str) -> Question | None:
    return bank.get_question(question_id)


def retire(question_id: str, *, actor: str, now: datetime) -> None:
    """Retire a question: it stays in papers' history and is no longer drawn."""
    if not bank.retire(question_id, now):
        raise DomainError(f"题目 {question_id} 不存在或已停用", code="not_retirable")
    audit.record(actor, "bank.retire", "question", question_id, now=now)


# Import ------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Preview:
    token: str
    filename: str
    questions: list[Question]
    errors: list[tabular.RowError]
    added: list[str]
    updated: list[str]
    unchanged: int

    @property
    def ok(self) -> bool:
        return not self.errors and bool(self.questions)


def _path(upload_dir: Path, token: str) -> Path | None:
    if not _TOKEN.match(token or ""):
        return None
    found = [upload_dir / f"{token}{ext}" for ext in IMPORT_TYPES if (upload_dir / f"{token}{ext}").exists()]
    return found[0] if found else None


def _check(path: Path, token: str, filename: str) -> Preview:
    try:
        rows = tabular.read_table(path)
    except Exception:  # noqa: BLE001 (any unreadable file is the uploader's problem, reported as such)
        return Preview(
            token,
            filename,
            [],
            [tabular.RowError(1, "文件无法读取，请用 Excel/WPS 另存为 .xlsx 再试")],
            [],
            [],
            0,
        )
    questions, found = tabular.rows_to_questions(rows)
    errors = [tabular.RowError(e.row, bank_messages.in_chinese(e.message)) for e in found]
    stored = {row.id: row for row in db.session.scalars(select(BankQuestion))}
    added = [q.id for q in questions if q.id not in stored]
    updated = [
        q.id
        for q in questions
        if q.id in stored and (stored[q.id].data != q.to_dict() or stored[q.id].status != q.status)
    ]
    unchanged = len(questions) - len(added) - len(updated)
    return Preview(token, filename, questions, errors, added, updated, unchanged)


def preview_import(data: bytes, filename: str, upload_dir: Path) -> Preview:
    """Keep the upload under a random token and check it; the database is not touched."""
    ext = Path(filename or "").suffix.lower()
    if ext not in IMPORT_TYPES:
        raise DomainError(BAD_TYPE, code="bad_type")
    if len(data) > MAX_IMPORT_BYTES:
        raise DomainError(TOO_BIG, code="too_big")
    token = secrets.token_hex(16)
    upload_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    path = upload_dir / f"{token}{ext}"
    path.write_bytes(data)
    return _check(path, token, Path(filename).name)


def confirm_import(token: str, upload_dir: Path, *, actor: str, now: datetime) -> bank.SyncResult:
    """Import the previewed file, all or nothing: re-checked here, so an edited bank or a file with errors
    writes nothing. The file is removed by `discard_import` after the caller's commit."""
    path = _path(upload_dir, token)
    if path is None:
        raise DomainError(EXPIRED, code="import_expired")
    preview = _check(path, token, path.name)
    if not preview.ok:
        raise DomainError(HAS_ERRORS, code="import_errors")
    result = bank.sync_questions(preview.questions, now)
    audit.record(
        actor,
        "bank.import",
        "bank",
        token[:12],
        now=now,
        detail=f"added {result.added}, updated {result.updated}, unchanged {result.unchanged}",
    )
    return result


def reopen_preview(token: str, upload_dir: Path) -> Preview | None:
    path = _path(upload_dir, token)
    return _check(path, token, path.name) if path else None


def discard_import(token: str, upload_dir: Path) -> None:
    path = _path(upload_dir, token)
    if path is not None:
        path.unlink(missing_ok=True)


# Statistics --------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class QuestionStat:
    question_id: str
    drawn: int  # paper items that carried the question
    answered: int
    correct: int  # answered with full marks

    @property
    def share_correct(self) -> float | None:
        return self.correct / self.answered if self.answered else None

    @property
    def flagged(self) -> bool:
        """Nearly everyone gets it wrong: check the key and the wording."""
        share = self.share_correct
        return self.answered >= FLAG_MIN_ANSWERED and share is not None and share <= FLAG_MAX_CORRECT


def question_stats(question_ids: list[str] | None = None) -> dict[str, QuestionStat]:
    """Per question, from paper items: times drawn, answered, answered correctly (one grouped query;
    restricted to `question_ids` it uses the index on paper_items.question_id)."""
    query = select(
        PaperItem.question_id,
        func.count(),
        func.count(PaperItem.given),
        func.sum(case((PaperItem.awarded == PaperItem.points, 1), else_=0)),
    ).group_by(PaperItem.question_id)
    if question_ids is not None:
        query = query.where(PaperItem.question_id.in_(question_ids))
    return {
        qid: QuestionStat(qid, int(drawn), int(answered), int(correct or 0))
        for qid, drawn, answered, correct in db.session.execute(query)
    }


def cached_question_stats(store: StateStore) -> dict[str, QuestionStat] | None:
    """Every question's statistics from the cache the dashboard job fills; computed here only if that fits a
    page's budget (at a million papers it does not: None, and the page says the job will have it shortly)."""
    key = redis_keys.bank_question_stats()
    try:
        raw = store.get(key)
    except StoreUnavailable:
        raw = None
    if raw is not None:
        return {qid: QuestionStat(qid, *counts) for qid, counts in json.loads(raw).items()}
    stats = dashboard_stats.bounded(lambda _: question_stats(), None)
    if stats is not None:
        _store_stats(store, stats)
    return stats


def refresh_question_stats(store: StateStore) -> int:
    stats = question_stats()
    _store_stats(store, stats)
    return len(stats)


def _store_stats(store: StateStore, stats: dict[str, QuestionStat]) -> None:
    payload = {qid: [s.drawn, s.answered, s.correct] for qid, s in stats.items()}
    try:
        store.set(redis_keys.bank_question_stats(), json.dumps(payload))
    except StoreUnavailable:
        pass


def flagged_questions(store: StateStore) -> list[QuestionStat] | None:
    """Questions nearly everyone gets wrong, worst first (None while the statistics are being computed)."""
    stats = cached_question_stats(store)
    if stats is None:
        return None
    flagged = [s for s in stats.values() if s.flagged]
    return sorted(flagged, key=lambda s: (s.share_correct or 0, -s.answered))
