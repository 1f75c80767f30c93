"""Daily papers: issue (reproducible draw), answer one question, submit and score on the server."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError

from app import clock
from app.errors import Conflict, DomainError, NotFound
from app.extensions import db
from app.models.campaign import Campaign
from app.models.paper import OPEN, SUBMITTED, Paper, PaperItem
from app.models.participant import Enrollment, Participant
from app.services import after_commit, bank
from app.services.campaigns import rules_of
from quiz_bank.answers import InvalidAnswer, parse_answer
from quiz_bank.composer import NotEnoughQuestions, draw_paper, to_original
from quiz_bank.schema import Question, QuestionType
from quiz_bank.scoring import score

EXPIRED = "expired"
GRACE = timedelta(seconds=5)


def _papers_today(participant: Participant, campaign: Campaign, now: datetime) -> list[Paper]:
    return list(
        db.session.scalars(
            select(Paper)
            .where(
                Paper.participant_id == participant.id,
                Paper.campaign_id == campaign.id,
                Paper.day == clock.campaign_day(now),
            )
            .order_by(Paper.attempt)
        )
    )


def seen_question_ids(participant: Participant, campaign: Campaign) -> set[str]:
    rows = db.session.scalars(
        select(PaperItem.question_id)
        .join(Paper, Paper.id == PaperItem.paper_id)
        .where(Paper.participant_id == participant.id, Paper.campaign_id == campaign.id)
    )
    return set(rows)


def todays_paper(enrollment: Enrollment, campaign: Campaign, now: datetime) -> Paper:
    """Today's open paper, issuing one if allowed. Re-requesting the same day returns the same paper.

    Rule: at most `attempts_per_day` papers per Asia/Shanghai day; an open paper past its time limit expires.
    """
    participant = enrollment.participant
    rules = rules_of(campaign)
    papers = _papers_today(participant, campaign, now)
    for paper in papers:
        if paper.status == OPEN:
            if paper.deadline is not None and now > paper.deadline + GRACE:
                paper.status = EXPIRED
                db.session.flush()
                continue
            return paper
    if len(papers) >= rules.attempts_per_day:
        raise DomainError("今天的答题已经完成啦，明天再来吧！回复“我的成绩”查看得分。", code="done_today")
    return _issue(enrollment, campaign, now, attempt=len(papers) + 1)


def _issue(enrollment: Enrollment, campaign: Campaign, now: datetime, attempt: int) -> Paper:
    participant, rules = enrollment.participant, rules_of(campaign)
    day = clock.campaign_day(now)
    seed = f"{campaign.slug}:{participant.id}:{day.isoformat()}:{attempt}"
    questions = bank.all_questions()
    try:
        drawn = draw_paper(
            questions,
            rules.mix,
            seen_question_ids(participant, campaign),
            seed,
            shuffle_options=rules.shuffle_options,
        )
    except NotEnoughQuestions:
        raise DomainError("题库正在更新，请稍后再来答题。", code="bank_too_small") from None
    by_id = {q.id: q for q in questions}
    paper = Paper(
        participant_id=participant.id,
        campaign_id=campaign.id,
        team_id=enrollment.team_id,
        day=day,
        attempt=attempt,
        seed=seed,
        status=OPEN,
        issued_at=now,
        max_score=rules.total_points,
        deadline=now + timedelta(seconds=rules.time_limit_seconds) if rules.time_limit_seconds else None,
    )
    paper.items = [
        PaperItem(
            position=i,
            question_id=d.question_id,
            qtype=d.type.value,
            points=d.points,
            option_order=list(d.option_order),
            answer_key=by_id[d.question_id].answer,
        )
        for i, d in enumerate(drawn, start=1)
    ]
    try:
        with db.session.begin_nested():  # two devices at once: the UNIQUE constraint picks one paper
            db.session.add(paper)
    except IntegrityError:
        existing = [p for p in _papers_today(participant, campaign, now) if p.attempt == attempt]
        if existing:
            return existing[0]
        raise
    return paper


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
    if paper.status == SUBMITTED:
        return paper
    _check_open(paper, now)
    for item in paper.items:
        if item.given is None:
            item.awarded = 0
    total = sum(item.awarded or 0 for item in paper.items)
    used_ms = int((now - paper.issued_at).total_seconds() * 1000)
    earlier = db.session.scalar(
        select(func.count())
        .select_from(Paper)
        .where(
            Paper.participant_id == paper.participant_id,
            Paper.campaign_id == paper.campaign_id,
            Paper.day == paper.day,
            Paper.status == SUBMITTED,
            Paper.id != paper.id,
        )
    )
    first_day = clock.campaign_day(paper.campaign.starts_at)
    claimed = db.session.execute(
        update(Paper)
        .where(Paper.id == paper.id, Paper.status == OPEN)
        .values(
            status=SUBMITTED,
            submitted_at=now,
            score=total,
            time_used_ms=used_ms,
            flagged="too_fast" if used_ms < min_seconds * 1000 else None,
            counted=not earlier,
            day_bit=1 << (paper.day - first_day).days,
        )
        .returning(Paper.id)
    ).first()
    db.session.refresh(paper)
    if claimed is None and paper.status != SUBMITTED:
        raise Conflict("这份试卷已经交卷了。", code="already_submitted")
    if claimed is not None:
        after_commit.publish("paper_submitted", paper.id)
    return paper


def answer_all(paper: Paper, answers: dict[int, str], now: datetime, multiple_rule: str) -> list[str]:
    """Record several answers; returns per-position error hints (nothing recorded for those)."""
    errors = []
    for position, text in sorted(answers.items()):
        try:
            answer(paper, position, text, now, multiple_rule)
        except InvalidAnswer as exc:
            errors.append(f"第{position}题：{exc.hint}")
    return errors


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
