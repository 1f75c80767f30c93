"""Today's paper for a resident: found, or drawn and issued. The statements are built once per process
(expression construction and its cache key cost more CPU than running them: see bench/load/profile_chat.py).

Rule: at most `attempts_per_day` papers per Asia/Shanghai day; an open paper past its time limit expires;
re-requesting the same day returns the same paper; two devices at once get one paper (the UNIQUE
constraint picks it, the loser reads it).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import bindparam, insert, select, text
from sqlalchemy.orm import make_transient_to_detached
from sqlalchemy.orm.attributes import set_committed_value

from app import clock
from app.errors import Conflict, DomainError
from app.extensions import db
from app.models.campaign import Campaign
from app.models.paper import OPEN, Paper, PaperItem
from app.models.participant import Enrollment, Participant
from app.services import bank
from app.services.campaigns import rules_of
from quiz_bank.composer import NotEnoughQuestions, draw_paper

EXPIRED = "expired"
GRACE = timedelta(seconds=5)

_PAPERS_TODAY = (
    select(Paper)
    .where(
        Paper.participant_id == bindparam("b_participant"),
        Paper.campaign_id == bindparam("b_campaign"),
        Paper.day == bindparam("b_day"),
    )
    .order_by(Paper.attempt)
)
_SEEN = (
    select(PaperItem.question_id)
    .join(Paper, Paper.id == PaperItem.paper_id)
    .where(Paper.participant_id == bindparam("b_participant"), Paper.campaign_id == bindparam("b_campaign"))
)
_ITEMS = insert(PaperItem.__table__).returning(
    PaperItem.__table__.c.id, PaperItem.__table__.c.position, sort_by_parameter_order=True
)
_PAPER_COLUMNS = ("participant_id", "campaign_id", "team_id", "day", "attempt", "seed", "status", "issued_at",
                  "max_score", "deadline", "counted", "day_bit")  # fmt: skip


def _insert_paper_statement() -> Any:
    """INSERT ... ON CONFLICT DO NOTHING RETURNING id, as text with typed parameters (the same SQL on
    PostgreSQL and SQLite). Not the dialects' insert().on_conflict_do_nothing(): SQLAlchemy cannot cache
    that construct and compiled it on every paper; nor the ORM's RETURNING entity, five times the CPU."""
    table = Paper.__table__
    columns, values = ", ".join(_PAPER_COLUMNS), ", ".join(f":b_{c}" for c in _PAPER_COLUMNS)
    # Column names come from the constant above; every value is a bound parameter.
    sql = (
        f"INSERT INTO papers ({columns}) VALUES ({values})"  # noqa: S608
        " ON CONFLICT (participant_id, campaign_id, day, attempt) DO NOTHING RETURNING id"
    )
    typed = [bindparam(f"b_{c}", type_=table.c[c].type) for c in _PAPER_COLUMNS]
    return text(sql).bindparams(*typed).columns(table.c.id)


_INSERT_PAPER = _insert_paper_statement()


def _persistent(obj: Any) -> Any:
    """An object whose row was just inserted, as if loaded from it: every column set, attached, clean."""
    make_transient_to_detached(obj)
    db.session.add(obj)
    return obj


def papers_today(participant: Participant, campaign: Campaign, now: datetime) -> list[Paper]:
    params = {"b_participant": participant.id, "b_campaign": campaign.id, "b_day": clock.campaign_day(now)}
    return list(db.session.scalars(_PAPERS_TODAY, params))


def seen_question_ids(participant: Participant, campaign: Campaign) -> set[str]:
    return set(db.session.scalars(_SEEN, {"b_participant": participant.id, "b_campaign": campaign.id}))


def todays_paper(enrollment: Enrollment, campaign: Campaign, now: datetime) -> Paper:
    """Today's open paper, issuing one if allowed (the rule is in the module docstring)."""
    participant = enrollment.participant
    rules = rules_of(campaign)
    papers = papers_today(participant, campaign, now)
    for paper in papers:
        if paper.status == OPEN:
            if paper.deadline is not None and now > paper.deadline + GRACE:
                paper.status = EXPIRED
                db.session.flush()
                continue
            return paper
    if len(papers) >= rules.attempts_per_day:
        raise DomainError("今天的答题已经完成啦，明天再来吧！回复“我的成绩”查看得分。", code="done_today")
    return issue(enrollment, campaign, now, attempt=len(papers) + 1)


def issue(enrollment: Enrollment, campaign: Campaign, now: datetime, attempt: int) -> Paper:
    """Draw and store a paper: two statements (the paper, then its items in one multi-row INSERT), each
    returning ORM objects: no unit of work, no savepoint."""
    participant, rules = enrollment.participant, rules_of(campaign)
    day = clock.campaign_day(now)
    seed = f"{campaign.slug}:{participant.id}:{day.isoformat()}:{attempt}"
    questions = bank.all_questions()
    try:
        drawn = draw_paper(
            questions, rules.mix, seen_question_ids(participant, campaign), seed,
            shuffle_options=rules.shuffle_options,
        )  # fmt: skip
    except NotEnoughQuestions:
        raise DomainError("题库正在更新，请稍后再来答题。", code="bank_too_small") from None
    by_id = {q.id: q for q in questions}
    values = {
        "participant_id": participant.id,
        "campaign_id": campaign.id,
        "team_id": enrollment.team_id,
        "day": day,
        "attempt": attempt,
        "seed": seed,
        "status": OPEN,
        "issued_at": now,
        "max_score": rules.total_points,
        "deadline": now + timedelta(seconds=rules.time_limit_seconds) if rules.time_limit_seconds else None,
        "counted": False,
        "day_bit": 0,
    }
    params = {f"b_{name}": value for name, value in values.items()}
    paper_id = db.session.execute(_INSERT_PAPER, params).scalar()
    if paper_id is None:
        existing = [p for p in papers_today(participant, campaign, now) if p.attempt == attempt]
        if existing:
            return existing[0]
        raise Conflict("试卷正在生成，请稍后再试。", code="paper_race")
    paper = _persistent(
        Paper(id=paper_id, **values, submitted_at=None, score=None, time_used_ms=None, flagged=None)
    )
    rows = [
        {
            "paper_id": paper_id,
            "position": i,
            "question_id": d.question_id,
            "qtype": d.type.value,
            "points": d.points,
            "option_order": list(d.option_order),
            "answer_key": by_id[d.question_id].answer,
        }
        for i, d in enumerate(drawn, start=1)
    ]
    ids = dict((position, item_id) for item_id, position in db.session.execute(_ITEMS, rows))
    items = [
        _persistent(PaperItem(id=ids[row["position"]], **row, given=None, awarded=None, answered_at=None))
        for row in rows
    ]
    set_committed_value(paper, "items", items)
    return paper
