"""The quiz API, part 2: today's paper, answers, the submission (scored only on the server), results.

Before a paper is submitted nothing about its answers leaves the server: no key, no correctness, no
explanation, no score. Answers are read in the letters shown on that paper and scored against the key
stored on the paper when it was issued.
"""

from __future__ import annotations

from typing import Any

from flask import current_app, jsonify, request
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from app import clock, runtime
from app.errors import DomainError, NotFound
from app.extensions import db
from app.models.campaign import Campaign
from app.models.paper import OPEN, SUBMITTED, Paper, PaperItem
from app.models.participant import Participant
from app.services import campaigns, paper_submit, paper_submit_sql, papers
from app.services.answer_pace import check_answer_pace
from app.services.paper_submit import PAPER_NOT_FOUND, InvalidAnswers, answer_text
from app.web.api import bp
from app.web.api.auth import client_ip, current_openid, login_required
from app.web.api.quiz import BAD_REQUEST, any_campaign, json_body, my_enrollment, team_json
from quiz_bank.answers import InvalidAnswer
from quiz_bank.composer import displayed_options, to_displayed
from quiz_bank.schema import Question, QuestionType

DONE_TODAY = "今天的答题已经完成啦，明天再来吧！可以在“我的成绩”里查看得分和解析。"


@bp.errorhandler(InvalidAnswers)
def invalid_answers(exc: InvalidAnswers):  # noqa: ANN201
    db.session.rollback()
    return jsonify(error=exc.code, message=exc.message, errors=exc.errors), exc.status


def shown(q: Question, item: PaperItem, original: str | None) -> str | None:
    if original is None:
        return None
    return to_displayed(q, item.option_order, original) if q.is_choice else original


# Whose paper ----------------------------------------------------------------------------------------
def my_paper(paper_id: int, *, lock: bool = False) -> tuple[Participant, Paper]:
    """The caller's paper with its items, and the caller (404 for anyone else's). `lock` serialises answers
    and submissions of one paper (FOR UPDATE of the paper row); the items are then read by a second
    statement, after the lock is granted, so they include what the previous holder committed."""
    query = (
        select(Paper, Participant)
        .join(Participant, Participant.id == Paper.participant_id)
        .where(Paper.id == paper_id, Participant.openid == current_openid())
    )
    if lock:
        query = query.with_for_update(of=Paper).execution_options(populate_existing=True)
        row = db.session.execute(query).first()
        if row is not None:
            db.session.expire(row[0], ["items"])  # loaded on first use, by a statement of its own
    else:
        row = db.session.execute(query.options(joinedload(Paper.items))).unique().first()
    if row is None:
        raise NotFound(PAPER_NOT_FOUND, code="paper_not_found")
    return row[1], row[0]


def open_campaign_of(paper: Paper) -> Campaign:
    return paper_submit.open_campaign_of(paper, clock.now())


# Shaping --------------------------------------------------------------------------------------------
def item_json(item: PaperItem, q: Question) -> dict[str, Any]:
    """One question as shown: no key, no correctness, no explanation."""
    qtype = QuestionType(item.qtype)
    return {
        "position": item.position,
        "type": qtype.value,
        "type_label": qtype.label,
        "points": item.points,
        "stem": q.stem,
        "options": [{"key": key, "text": text} for key, text in displayed_options(q, item.option_order)],
        "answered": item.given is not None,
        "given": shown(q, item, item.given),
    }


def paper_json(paper: Paper) -> dict[str, Any]:
    """A paper being answered (or expired): the questions only."""
    return {
        "id": paper.id,
        "day": paper.day.isoformat(),
        "attempt": paper.attempt,
        "status": paper.status,
        "issued_at": paper.issued_at.isoformat(),
        "deadline": paper.deadline.isoformat() if paper.deadline else None,
        "max_score": paper.max_score,
        "total": len(paper.items),
        "answered_count": sum(1 for i in paper.items if i.given is not None),
        "items": [item_json(i, papers.question_for(i)) for i in paper.items],
    }


def result_json(
    paper: Paper,
    participant: Participant,
    *,
    already: bool = False,
    cumulative: int | None = None,
    questions: dict[str, Question] | None = None,
) -> dict[str, Any]:
    """A submitted paper: score, and per question the answer given, the key, points, explanation, source
    (`cumulative`: the resident's cumulative score when the caller already knows it; `questions`: the
    paper's questions by id when the caller has them)."""
    items = []
    for item in paper.items:
        q = paper_submit.question_in(questions, item) if questions is not None else papers.question_for(item)
        awarded = item.awarded or 0
        items.append(
            {
                **item_json(item, q),
                "correct_answer": shown(q, item, item.answer_key),
                "awarded": awarded,
                "correct": awarded == item.points,
                "explanation": q.explanation,
                "source": q.source_label,
            }
        )
    if cumulative is None:
        cumulative = papers.cumulative_score(participant, db.session.get(Campaign, paper.campaign_id))
    return {
        "id": paper.id,
        "day": paper.day.isoformat(),
        "attempt": paper.attempt,
        "status": paper.status,
        "score": paper.score,
        "max_score": paper.max_score,
        "time_used_ms": paper.time_used_ms,
        "submitted_at": paper.submitted_at.isoformat() if paper.submitted_at else None,
        "already_submitted": already,
        "cumulative_score": cumulative,
        "items": items,
    }


def summary_json(paper: Paper) -> dict[str, Any]:
    done = paper.status == SUBMITTED
    return {
        "id": paper.id,
        "day": paper.day.isoformat(),
        "attempt": paper.attempt,
        "status": paper.status,
        "score": paper.score if done else None,
        "max_score": paper.max_score,
        "time_used_ms": paper.time_used_ms if done else None,
        "submitted_at": paper.submitted_at.isoformat() if done and paper.submitted_at else None,
    }


# Views ----------------------------------------------------------------------------------------------
@bp.get("/papers/today")
@login_required
def paper_today():  # noqa: ANN201
    """Today's paper, issued on the first request; the same paper on every later request today."""
    now = clock.now()
    campaign = campaigns.require_open(now)
    participant, enrollment = my_enrollment(campaign)
    try:
        paper = papers.todays_paper(enrollment, campaign, now)
    except DomainError as exc:
        if exc.code != "done_today":
            raise
        db.session.commit()  # keeps a paper that just ran out of time marked as expired
        today = [p for p in papers.history(participant, campaign) if p.day == clock.campaign_day(now)]
        return jsonify(error="done_today", message=DONE_TODAY, paper_id=today[0].id if today else None), 409
    body = paper_json(paper)
    db.session.commit()
    return jsonify(body)


@bp.get("/papers/<int:paper_id>")
@login_required
def paper_detail(paper_id: int):  # noqa: ANN201
    """A paper of mine: the questions while open; with keys, points and explanations once submitted."""
    participant, paper = my_paper(paper_id)
    return jsonify(result_json(paper, participant) if paper.status == SUBMITTED else paper_json(paper))


@bp.post("/papers/<int:paper_id>/answers")
@login_required
def answer_one(paper_id: int):  # noqa: ANN201
    """Record one answer {position, answer}. The same answer again is accepted; a different one is 409."""
    data = json_body()
    position = data.get("position")
    if not isinstance(position, int) or isinstance(position, bool):
        raise DomainError(BAD_REQUEST, code="bad_request")
    text = answer_text(data.get("answer"))
    check_answer_pace(runtime.store(), current_openid(), client_ip(), current_app.config)
    _, paper = my_paper(paper_id, lock=True)
    campaign = open_campaign_of(paper) if paper.status == OPEN else None
    rule = campaigns.rules_of(campaign).multiple_rule if campaign else "all_or_nothing"
    try:
        papers.answer(paper, position, text, clock.now(), rule)
    except InvalidAnswer as exc:
        raise DomainError(exc.hint, code="invalid_answer") from None
    answered = sum(1 for i in paper.items if i.given is not None)
    db.session.commit()
    return jsonify(position=position, recorded=True, answered_count=answered)


@bp.post("/papers/<int:paper_id>/submit")
@login_required
def submit(paper_id: int):  # noqa: ANN201
    """Submit {answers: {"1": "B", ...}} (may be empty after answering one by one) and get the result.

    All answers are checked before any is recorded. Repeating the same submission returns the stored
    result (`already_submitted: true`); a different one is 409."""
    data = request.get_json(silent=True)
    data = {} if data is None and not request.get_data() else data
    raw = data.get("answers", {}) if isinstance(data, dict) else None
    if not isinstance(raw, dict):
        raise DomainError(BAD_REQUEST, code="bad_request")
    check_answer_pace(runtime.store(), current_openid(), client_ip(), current_app.config)
    done = None
    for _ in range(2 if paper_submit_sql.fast_path() else 0):
        try:
            done = paper_submit_sql.submit(current_openid(), paper_id, raw, clock.now())
            break
        except paper_submit_sql.Raced:  # another device answered meanwhile: undo, read again
            db.session.rollback()
    if done is None:  # SQLite, or raced twice: under the paper's row lock
        participant, paper = my_paper(paper_id, lock=True)
        done = paper_submit.submit_locked(paper, participant, raw, clock.now())
    body = result_json(
        done.paper,
        done.participant,
        already=done.already,
        cumulative=done.cumulative,
        questions=done.questions,
    )
    db.session.commit()
    return jsonify(body)


@bp.get("/me/results")
@login_required
def my_results():  # noqa: ANN201
    """My cumulative score, today's state and every paper of the campaign (newest first)."""
    campaign = any_campaign()
    participant, enrollment = my_enrollment(campaign)
    history = papers.history(participant, campaign)
    now = clock.now()
    todays = [p for p in history if p.day == clock.campaign_day(now)]
    done = [p for p in todays if p.status == SUBMITTED]
    if done:
        ranked = next((p for p in done if p.counted), done[0])  # the first paper of the day counts
        today = {"status": "submitted", "score": ranked.score, "paper_id": ranked.id}
    elif todays:
        late = todays[0].deadline is not None and now > todays[0].deadline + papers.GRACE
        status = "expired" if todays[0].status != OPEN or late else "open"
        today = {"status": status, "score": None, "paper_id": todays[0].id}
    else:
        today = {"status": "none", "score": None, "paper_id": None}
    return jsonify(
        name=participant.name,
        team=team_json(enrollment.team),
        cumulative_score=papers.cumulative_score(participant, campaign),
        days_played=len({p.day for p in history if p.status == SUBMITTED}),
        today=today,
        papers=[summary_json(p) for p in history],
    )
