"""Submitting a whole paper: every answer is read, checked and scored on the server before any is recorded.

The rules and the ORM path (the paper loaded under its row lock: SQLite, or a submission that raced another
device's answer). On PostgreSQL app.services.paper_submit_sql does the same in two statements.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, update
from sqlalchemy.orm.attributes import set_committed_value

from app.errors import Conflict, DomainError, NotFound
from app.extensions import db
from app.models.campaign import Campaign
from app.models.paper import SUBMITTED, Paper, PaperItem
from app.models.participant import Participant
from app.services import bank, campaigns, papers
from app.services.campaigns import Rules
from quiz_bank.answers import InvalidAnswer, parse_answer
from quiz_bank.composer import to_original
from quiz_bank.schema import JUDGE_KEYS, Question, QuestionType
from quiz_bank.scoring import score

PAPER_NOT_FOUND = "没有找到这份试卷。"
CAMPAIGN_CLOSED = "这份试卷所属的答题活动已经结束。"
ANSWER_MISSING = "请提交答案，如 “B”、“AC” 或 “对”。"
RESUBMITTED = "这份试卷已经交卷了，不能再提交不同的答案。"
ANSWERED = "这道题已经作答过了，不能修改。"


class InvalidAnswers(DomainError):
    code = "invalid_answer"

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("；".join(f"第{p}题：{hint}" for p, hint in errors.items()))
        self.errors = errors


@dataclass(frozen=True)
class Submitted:
    """The outcome: the paper as stored, its owner, whether it was submitted before (`already`), and the
    cumulative score when this call knows it (None: the caller reads it), and the paper's questions."""

    paper: Any  # Paper or PaperRow
    participant: Any  # Participant or ParticipantRow
    already: bool
    cumulative: int | None
    questions: dict[str, Question]


# Reading and checking answers -----------------------------------------------------------------------
def answer_text(value: Any) -> str:
    """ "B", "AC", "对", or a list of letters (["A", "C"])."""
    if isinstance(value, list) and value and all(isinstance(v, str) for v in value):
        return "".join(value)
    if isinstance(value, str) and value.strip():
        return value
    raise DomainError(ANSWER_MISSING, code="invalid_answer")


def questions_of(items: list[Any]) -> dict[str, Question]:
    """The paper's questions by id, from one look at the process's copy of the bank."""
    return bank.get_questions(i.question_id for i in items)


def question_in(questions: dict[str, Question], item: Any) -> Question:
    q = questions.get(item.question_id)
    if q is None:
        raise NotFound("题目不存在。", code="question_missing")
    return q


def to_bank_keys(q: Question, item: Any, text_: str) -> str:
    """An answer typed in the letters shown on this paper, in the bank's own keys (InvalidAnswer if unreadable)."""
    shown = [chr(ord("A") + i) for i in range(len(item.option_order))] if q.is_choice else list(JUDGE_KEYS)
    displayed = parse_answer(QuestionType(item.qtype), text_, shown)
    return to_original(q, item.option_order, displayed) if q.is_choice else displayed


def checked_answers(items: list[Any], raw: dict, questions: dict[str, Question]) -> dict[int, str]:
    """The submitted answers by position in the bank's keys; every answer is checked before any is used
    (a question not on the paper, an empty answer, then unreadable answers, all at once: InvalidAnswers)."""
    by_position = {i.position: i for i in items}
    answers: dict[int, str] = {}
    for key, value in raw.items():
        position = int(key) if str(key).isdigit() else None
        if position not in by_position:
            raise DomainError(f"第{key}题不在您的试卷上。", code="not_on_paper")
        answers[position] = answer_text(value)
    keyed, errors = {}, {}
    for position, typed in sorted(answers.items()):
        try:
            item = by_position[position]
            keyed[position] = to_bank_keys(question_in(questions, item), item, typed)
        except InvalidAnswer as exc:
            errors[str(position)] = exc.hint
    if errors:
        raise InvalidAnswers(errors)
    return keyed


def open_campaign_of(paper: Any, now: datetime) -> Campaign:
    """The open campaign, if the paper belongs to it (else the paper's campaign has ended)."""
    campaign = campaigns.require_open(now)
    if campaign.id != paper.campaign_id:
        raise DomainError(CAMPAIGN_CLOSED, code="ended")
    return campaign


# The ORM path (SQLite; a race) ----------------------------------------------------------------------
def submit_locked(paper: Paper, participant: Participant, raw: dict, now: datetime) -> Submitted:
    """Submit {position: answer} for a paper loaded under its row lock. All answers are checked before any
    is recorded; a repeat of the stored submission returns it (`already`), a different one is 409."""
    questions = questions_of(paper.items)
    keyed = checked_answers(paper.items, raw, questions)
    if paper.status == SUBMITTED:
        by_position = {i.position: i for i in paper.items}
        if any(by_position[p].given != given for p, given in keyed.items()):
            raise Conflict(RESUBMITTED, code="already_submitted")
        return Submitted(paper, participant, True, None, questions)
    rules: Rules = campaigns.rules_of(open_campaign_of(paper, now))
    answer_all(paper, raw_positions(raw), now, rules.multiple_rule)  # every answer was checked above
    paper, cumulative = papers.submit_scored(paper, now, rules.min_seconds_per_paper)
    return Submitted(paper, participant, False, cumulative, questions)


def raw_positions(raw: dict) -> dict[int, str]:
    """{position: typed answer} of an already checked submission."""
    return {int(key): answer_text(value) for key, value in raw.items()}


_ITEMS = PaperItem.__table__
_RECORD = (
    update(_ITEMS)
    .where(_ITEMS.c.id == bindparam("item"))
    .values(
        given=bindparam("given", type_=_ITEMS.c.given.type),
        awarded=bindparam("awarded", type_=_ITEMS.c.awarded.type),
        answered_at=bindparam("at", type_=_ITEMS.c.answered_at.type),  # aware UTC, as the ORM stores it
    )
)


def answer_all(paper: Paper, answers: dict[int, str], now: datetime, multiple_rule: str) -> list[str]:
    """Record several answers with one write (the rules of `papers.answer`); returns per-position error
    hints (nothing recorded for those). A different answer to an answered question is refused (Conflict)."""
    papers._check_open(paper, now)  # noqa: SLF001
    by_position = {i.position: i for i in paper.items}
    errors: list[str] = []
    recorded: list[tuple[PaperItem, str, int]] = []
    for position, typed in sorted(answers.items()):
        item = by_position.get(position)
        if item is None:
            raise DomainError("这道题不在您的试卷上。", code="not_on_paper")
        q = papers.question_for(item)
        keys = [chr(ord("A") + i) for i in range(len(item.option_order))] if q.is_choice else ["对", "错"]
        try:
            displayed = parse_answer(QuestionType(item.qtype), typed, keys)
        except InvalidAnswer as exc:
            errors.append(f"第{position}题：{exc.hint}")
            continue
        original = to_original(q, item.option_order, displayed) if q.is_choice else displayed
        if item.given is not None:
            if item.given != original:
                raise Conflict(ANSWERED, code="already_answered")
            continue
        awarded = score(replace(q, answer=item.answer_key), original, item.points, multiple_rule)
        recorded.append((item, original, awarded))
    if recorded:  # one executemany (one round trip), without the unit of work's bookkeeping
        db.session.execute(
            _RECORD, [{"item": i.id, "given": g, "awarded": a, "at": now} for i, g, a in recorded]
        )
        for item, given, awarded in recorded:  # the rows as stored, so nothing is flushed again
            set_committed_value(item, "given", given)
            set_committed_value(item, "awarded", awarded)
            set_committed_value(item, "answered_at", now)
    return errors
