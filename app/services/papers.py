"""Daily papers: issue (reproducible draw), answer one question, submit and score on the server."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from sqlalchemy import bindparam, exists, func, insert, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import aliased
from sqlalchemy.orm.attributes import set_committed_value

from app import clock
from app.errors import Conflict, DomainError, NotFound
from app.extensions import db
from app.models.campaign import Campaign
from app.models.paper import OPEN, SUBMITTED, Paper, PaperItem
from app.models.participant import Enrollment, Participant
from app.services import after_commit, bank, leaderboards
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
    dialect = postgresql if db.engine.dialect.name == "postgresql" else sqlite
    # Two devices at once: the UNIQUE constraint picks one paper (the loser inserts nothing and reads it).
    # Two statements (paper, then its items in one multi-row INSERT), each returning ORM objects: no unit of
    # work, no savepoint.
    paper = db.session.scalars(
        dialect.insert(Paper)
        .values(
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
            counted=False,
            day_bit=0,
        )
        .on_conflict_do_nothing(index_elements=["participant_id", "campaign_id", "day", "attempt"])
        .returning(Paper)
    ).first()
    if paper is None:
        existing = [p for p in _papers_today(participant, campaign, now) if p.attempt == attempt]
        if existing:
            return existing[0]
        raise Conflict("试卷正在生成，请稍后再试。", code="paper_race")
    rows = [
        {
            "paper_id": paper.id,
            "position": i,
            "question_id": d.question_id,
            "qtype": d.type.value,
            "points": d.points,
            "option_order": list(d.option_order),
            "answer_key": by_id[d.question_id].answer,
        }
        for i, d in enumerate(drawn, start=1)
    ]
    items = db.session.scalars(
        insert(PaperItem).returning(PaperItem, sort_by_parameter_order=True), rows
    ).all()
    set_committed_value(paper, "items", sorted(items, key=lambda item: item.position))
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
    """Record several answers with one write (the rules of `answer`); returns per-position error hints
    (nothing recorded for those). A different answer to an answered question is refused (Conflict)."""
    _check_open(paper, now)
    by_position = {i.position: i for i in paper.items}
    errors: list[str] = []
    recorded: list[tuple[PaperItem, str, int]] = []
    for position, text in sorted(answers.items()):
        item = by_position.get(position)
        if item is None:
            raise DomainError("这道题不在您的试卷上。", code="not_on_paper")
        q = question_for(item)
        keys = [chr(ord("A") + i) for i in range(len(item.option_order))] if q.is_choice else ["对", "错"]
        try:
            displayed = parse_answer(QuestionType(item.qtype), text, keys)
        except InvalidAnswer as exc:
            errors.append(f"第{position}题：{exc.hint}")
            continue
        original = to_original(q, item.option_order, displayed) if q.is_choice else displayed
        if item.given is not None:
            if item.given != original:
                raise Conflict("这道题已经作答过了，不能修改。", code="already_answered")
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
