"""Daily papers: answer one question, submit and score on the server (issue: app/services/paper_issue.py)."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from sqlalchemy import exists, func, select, update
from sqlalchemy.orm import aliased
from sqlalchemy.orm.attributes import set_committed_value

from app import clock
from app.errors import Conflict, DomainError, NotFound
from app.extensions import db
from app.models.campaign import Campaign
from app.models.paper import OPEN, SUBMITTED, Paper, PaperItem
from app.models.participant import Participant
from app.services import after_commit, bank, leaderboards
from app.services.paper_issue import EXPIRED, GRACE, seen_question_ids, todays_paper
from quiz_bank.answers import parse_answer
from quiz_bank.composer import to_original
from quiz_bank.schema import Question, QuestionType
from quiz_bank.scoring import score

# Issuing today's paper lives in paper_issue (statements built once); re-exported here for callers.
__all__ = ["EXPIRED", "GRACE", "seen_question_ids", "todays_paper"]


def get_paper(paper_id: int, participant: Participant) -> Paper:
    paper = db.session.get(Paper, paper_id)
    if paper is None or paper.participant_id != participant.id:
        raise NotFound("没有找到这份试卷。", code="paper_not_found")
    return paper


def question_for(item: PaperItem) -> Question:
    q = bank.get_question(item.question_id)
    if q is None:
        raise NotFound("题目不存在。", code="question_missing")
    return q


def next_item(paper: Paper) -> PaperItem | None:
    return next((i for i in paper.items if i.given is None), None)


@dataclass(frozen=True)
class AnswerResult:
    item: PaperItem
    question: Question
    correct: bool
    repeated: bool = False


def _check_open(paper: Paper, now: datetime) -> None:
    if paper.status == SUBMITTED:
        raise Conflict("这份试卷已经交卷了。", code="already_submitted")
    if paper.status == EXPIRED or (paper.deadline is not None and now > paper.deadline + GRACE):
        raise DomainError("答题时间已到，这份试卷不能再作答了。", code="time_over")


def answer(paper: Paper, position: int, text: str, now: datetime, multiple_rule: str) -> AnswerResult:
    """Record the answer to one question (as typed, in the letters shown on this paper).

    An invalid answer raises InvalidAnswer (with a hint) and changes nothing. Answering an answered
    question again with the same answer is idempotent; with another answer it is refused.
    """
    _check_open(paper, now)
    item = next((i for i in paper.items if i.position == position), None)
    if item is None:
        raise DomainError("这道题不在您的试卷上。", code="not_on_paper")
    q = question_for(item)
    qtype = QuestionType(item.qtype)
    display_keys = [chr(ord("A") + i) for i in range(len(item.option_order))] if q.is_choice else ["对", "错"]
    displayed = parse_answer(qtype, text, display_keys)
    original = to_original(q, item.option_order, displayed) if q.is_choice else displayed
    if item.given is not None:
        if item.given == original:
            return AnswerResult(item, q, item.awarded == item.points, repeated=True)
        raise Conflict("这道题已经作答过了，不能修改。", code="already_answered")
    keyed = replace(q, answer=item.answer_key)  # score against the key as issued
    item.given, item.answered_at = original, now
    item.awarded = score(keyed, original, item.points, multiple_rule)
    db.session.flush()
    return AnswerResult(item, q, item.awarded == item.points)


def submit(paper: Paper, now: datetime, min_seconds: int) -> Paper:
    """Close the paper and total it. Exactly one submission wins (a conditional UPDATE); a repeat of the
    same submission returns the stored result; unanswered questions score 0."""
    return submit_scored(paper, now, min_seconds)[0]


_OTHER = aliased(Paper)  # the resident's other papers (built once: an alias is costly to construct)


def submit_scored(paper: Paper, now: datetime, min_seconds: int) -> tuple[Paper, int | None]:
    """`submit`, and the resident's cumulative score after it (None when this call did not submit).

    One statement claims the paper, decides whether it counts (the first submitted paper of the day) and
    returns the other counted papers' total; the leaderboard writer gets what it needs without a query."""
    if paper.status == SUBMITTED:
        return paper, None
    _check_open(paper, now)
    for item in paper.items:
        if item.given is None:
            item.awarded = 0
    total = sum(item.awarded or 0 for item in paper.items)
    used_ms = int((now - paper.issued_at).total_seconds() * 1000)
    campaign = paper.campaign
    other = _OTHER
    mine = (other.participant_id == paper.participant_id, other.campaign_id == paper.campaign_id)
    earlier = exists().where(*mine, other.day == paper.day, other.status == SUBMITTED, other.id != paper.id)
    others = (
        select(func.coalesce(func.sum(other.score), 0))
        .where(*mine, other.status == SUBMITTED, other.counted.is_(True), other.id != paper.id)
        .scalar_subquery()
    )
    values = {
        "status": SUBMITTED,
        "submitted_at": now,
        "score": total,
        "time_used_ms": used_ms,
        "flagged": "too_fast" if used_ms < min_seconds * 1000 else None,
        "counted": ~earlier,
        "day_bit": 1 << (paper.day - clock.campaign_day(campaign.starts_at)).days,
    }
    claimed = db.session.execute(
        update(Paper)
        .where(Paper.id == paper.id, Paper.status == OPEN)
        .values(**values)
        .returning(*(getattr(Paper, name) for name in values), others)
        .execution_options(synchronize_session=False)
    ).first()
    if claimed is None:
        db.session.refresh(paper)
        if paper.status != SUBMITTED:
            raise Conflict("这份试卷已经交卷了。", code="already_submitted")
        return paper, None
    for name, value in zip(values, claimed, strict=False):  # what the database stored: no read back
        set_committed_value(paper, name, value)
    participant = db.session.get(Participant, paper.participant_id)  # loaded by the caller: no query
    if participant is not None:
        team = next((t for t in leaderboards.teams_of(campaign) if t.id == paper.team_id), None)
        entry = leaderboards.entry_for(paper, participant, campaign, team.name if team else None)
        leaderboards.remember(db.session(), entry)
    after_commit.publish("paper_submitted", paper.id)
    return paper, int(claimed[-1] or 0) + (total if paper.counted else 0)


def cumulative_score(participant: Participant, campaign: Campaign) -> int:
    """Sum of the counted papers: the first submitted paper of each day (the rule the leaderboards use)."""
    total = select(func.coalesce(func.sum(Paper.score), 0)).where(
        Paper.participant_id == participant.id,
        Paper.campaign_id == campaign.id,
        Paper.status == SUBMITTED,
        Paper.counted.is_(True),
    )
    return int(db.session.scalar(total) or 0)


def history(participant: Participant, campaign: Campaign) -> list[Paper]:
    return list(
        db.session.scalars(
            select(Paper)
            .where(Paper.participant_id == participant.id, Paper.campaign_id == campaign.id)
            .order_by(Paper.day.desc(), Paper.attempt.desc())
        )
    )
