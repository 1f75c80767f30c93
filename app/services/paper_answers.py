"""Answering from a snapshot: the chat keeps its paper's items in the dialog and records each answer with one
conditional UPDATE, instead of loading the participant, the paper and its items for every message.

The UPDATE is the rule: it writes only to an unanswered item of an open paper within its time limit, so a
stale snapshot (the paper answered on the H5 page meanwhile, expired, submitted) changes nothing and the
caller takes the full path (papers.answer), which explains what happened.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, exists, or_, select, update
from sqlalchemy.orm import contains_eager

from app.errors import NotFound
from app.extensions import db
from app.models.paper import OPEN, Paper, PaperItem
from app.models.participant import Participant
from app.services.papers import GRACE, question_for
from quiz_bank.answers import parse_answer
from quiz_bank.composer import to_original
from quiz_bank.schema import Question, QuestionType
from quiz_bank.scoring import score


@dataclass(frozen=True)
class ItemSnapshot:
    """What the chat needs of one paper item (the same names as PaperItem, so it renders the same way)."""

    position: int
    question_id: str
    qtype: str
    points: int
    option_order: list[str]
    answer_key: str
    answered: bool = False

    def to_json(self) -> list[Any]:
        return [self.position, self.question_id, self.qtype, self.points, self.option_order, self.answer_key,
                self.answered]  # fmt: skip


def snapshot(paper: Paper) -> list[list[Any]]:
    """The paper's items as stored in the dialog (JSON)."""
    return [
        ItemSnapshot(
            i.position,
            i.question_id,
            i.qtype,
            i.points,
            list(i.option_order),
            i.answer_key,
            i.given is not None,
        ).to_json()  # fmt: skip
        for i in paper.items
    ]


def items_of(raw: Any) -> list[ItemSnapshot] | None:
    """The snapshot from dialog data; None when there is none or it is unreadable (take the full path)."""
    try:
        return [
            ItemSnapshot(int(p), str(q), str(t), int(n), list(o), str(k), bool(a))
            for p, q, t, n, o, k, a in raw
        ]
    except (TypeError, ValueError):
        return None


def mark_answered(raw: list[list[Any]], position: int) -> list[list[Any]]:
    return [[*row[:6], True] if row[0] == position else row for row in raw]


@dataclass(frozen=True)
class Graded:
    question: Question
    given: str  # in original letters
    awarded: int
    points: int

    @property
    def correct(self) -> bool:
        return self.awarded == self.points


def grade(item: ItemSnapshot, text: str, multiple_rule: str) -> Graded:
    """Parse the typed answer (letters as shown on this paper) and score it against the key as issued.
    Raises InvalidAnswer with a hint; nothing is written."""
    q = question_for(item)  # type: ignore[arg-type]  (an ItemSnapshot has PaperItem's question_id)
    qtype = QuestionType(item.qtype)
    display_keys = [chr(ord("A") + i) for i in range(len(item.option_order))] if q.is_choice else ["对", "错"]
    displayed = parse_answer(qtype, text, display_keys)
    given = to_original(q, item.option_order, displayed) if q.is_choice else displayed
    awarded = score(replace(q, answer=item.answer_key), given, item.points, multiple_rule)
    return Graded(q, given, awarded, item.points)


def _record_statement() -> Any:
    """UPDATE one unanswered item of an open paper within its time limit; RETURNING its id. Built once:
    constructing the expression per call (and its cache key) cost four times its execution's CPU."""
    items, papers_ = PaperItem.__table__, Paper.__table__
    paper_is_open = exists().where(
        papers_.c.id == bindparam("b_paper"),
        papers_.c.status == OPEN,
        or_(papers_.c.deadline.is_(None), papers_.c.deadline >= bindparam("b_not_before")),
    )
    return (
        update(items)
        .where(
            items.c.paper_id == bindparam("b_paper"),
            items.c.position == bindparam("b_position"),
            items.c.given.is_(None),
        )
        .where(paper_is_open)
        .values(given=bindparam("b_given"), awarded=bindparam("b_awarded"), answered_at=bindparam("b_now"))
        .returning(items.c.id)
    )


_RECORD = _record_statement()


def record(paper_id: int, position: int, graded: Graded, now: datetime) -> bool:
    """Store the answer if the item is still unanswered and the paper open and in time; one statement
    (Core, built once: this is the chat's hottest statement)."""
    params = {
        "b_paper": paper_id,
        "b_position": position,
        "b_given": graded.given,
        "b_awarded": graded.awarded,
        "b_now": now,
        "b_not_before": now - GRACE,
    }
    return db.session.execute(_RECORD, params).first() is not None


def paper_of(openid: str, paper_id: int) -> tuple[Paper, Participant]:
    """The resident's paper with its items, and the resident, in one query (someone else's paper: NotFound)."""
    row = db.session.execute(
        select(Paper, Participant)
        .join(Participant, Participant.id == Paper.participant_id)
        .outerjoin(Paper.items)
        .where(Paper.id == paper_id, Participant.openid == openid)
        .options(contains_eager(Paper.items))
    ).first()
    if row is None:
        raise NotFound("没有找到这份试卷。", code="paper_not_found")
    return row[0], row[1]
