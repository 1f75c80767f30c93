"""Anti-cheat rules for staff: keep residents out of rankings, review papers answered too fast.

Rules:
- An excluded resident appears in no ranking (Redis boards, SQL standings, published snapshots made
  afterwards) and their points leave their team's totals too: team scores are sums of residents' counted
  papers, so a scripted account must not lift its team either. Their papers and own score are kept.
- A paper submitted faster than the campaign's `min_seconds_per_paper` is stored with
  `flagged="too_fast"`: scored (the resident sees the score) but held out of every ranking until staff
  review it. Accepting clears the flag and adds it to the boards; rejecting keeps it out for good
  (`flagged="too_fast:rejected"`).
- Every staff decision needs a reason and writes an audit row (actor, action, reason).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.errors import DomainError, NotFound
from app.extensions import db
from app.models.paper import SUBMITTED, Paper
from app.models.participant import Participant
from app.services import after_commit, audit
from app.services.leaderboard_removal import remove_from_boards
from app.services.leaderboards import apply_paper

TOO_FAST = "too_fast"
REJECTED = "too_fast:rejected"
REASON_REQUIRED = "请填写原因（会写入审计日志）。"


def find_participant(ref: str | int) -> Participant:
    """A participant by id ("42") or openid."""
    text = str(ref).strip()
    found = db.session.get(Participant, int(text)) if text.isdigit() else None
    if found is None:
        found = db.session.scalar(select(Participant).where(Participant.openid == text))
    if found is None:
        raise NotFound("没有找到这位参与者。", code="participant_not_found")
    return found


def _reason(reason: str | None) -> str:
    text = (reason or "").strip()
    if not text:
        raise DomainError(REASON_REQUIRED, code="reason_required")
    return text[:500]


def _reapply(participant_id: int) -> None:
    """After commit: put a resident's counted, unflagged papers back on the boards (idempotent)."""
    with Session(db.engine) as session:
        ids = session.scalars(
            select(Paper.id).where(
                Paper.participant_id == participant_id,
                Paper.status == SUBMITTED,
                Paper.counted.is_(True),
                Paper.flagged.is_(None),
            )
        ).all()
    for paper_id in ids:
        apply_paper(paper_id)


def exclude_participant(participant_id: int, reason: str, actor: str, *, now: datetime) -> Participant:
    """Keep a resident out of all rankings (and their team's totals) from now on; audit-logged.
    Excluding an excluded resident changes nothing but is logged again with the new reason."""
    text = _reason(reason)
    participant = db.session.get(Participant, participant_id)
    if participant is None:
        raise NotFound("没有找到这位参与者。", code="participant_not_found")
    participant.excluded = True
    participant.updated_at = now
    audit.record(actor, "participant.exclude", "participant", participant.id, now=now, detail=text)
    db.session.flush()
    after_commit.defer(remove_from_boards, participant.id)
    return participant


def include_participant(participant_id: int, reason: str, actor: str, *, now: datetime) -> Participant:
    """Undo an exclusion: the resident's counted papers return to the rankings; audit-logged."""
    text = _reason(reason)
    participant = db.session.get(Participant, participant_id)
    if participant is None:
        raise NotFound("没有找到这位参与者。", code="participant_not_found")
    participant.excluded = False
    participant.updated_at = now
    audit.record(actor, "participant.include", "participant", participant.id, now=now, detail=text)
    db.session.flush()
    after_commit.defer(_reapply, participant.id)
    return participant


@dataclass(frozen=True)
class FlaggedPaper:
    paper_id: int
    participant_id: int
    campaign_id: int
    day: str
    flag: str
    score: int
    time_used_ms: int
    submitted_at: datetime | None
    excluded: bool


def flagged_papers(
    campaign_id: int | None = None, *, include_reviewed: bool = False, limit: int = 200
) -> list[FlaggedPaper]:
    """Flagged papers, newest first: pending review by default (`too_fast`), or all flags."""
    query = (
        select(Paper, Participant.excluded)
        .join(Participant, Participant.id == Paper.participant_id)
        .where(Paper.flagged.is_not(None), Paper.status == SUBMITTED)
        .order_by(Paper.submitted_at.desc(), Paper.id.desc())
        .limit(limit)
    )
    if not include_reviewed:
        query = query.where(Paper.flagged == TOO_FAST)
    if campaign_id is not None:
        query = query.where(Paper.campaign_id == campaign_id)
    return [
        FlaggedPaper(
            p.id,
            p.participant_id,
            p.campaign_id,
            p.day.isoformat(),
            p.flagged or "",
            p.score or 0,
            p.time_used_ms or 0,
            p.submitted_at,
            excluded,
        )
        for p, excluded in db.session.execute(query)
    ]


def review_paper(paper_id: int, accept: bool, reason: str, actor: str, *, now: datetime) -> Paper:
    """Staff decision on a flagged paper: accept (it joins the rankings) or reject (it stays out)."""
    text = _reason(reason)
    paper = db.session.get(Paper, paper_id)
    if paper is None or paper.status != SUBMITTED or paper.flagged is None:
        raise NotFound("没有找到这份待审核的试卷。", code="paper_not_flagged")
    paper.flagged = None if accept else REJECTED
    action = "paper.flag_accept" if accept else "paper.flag_reject"
    audit.record(actor, action, "paper", paper.id, now=now, detail=text)
    db.session.flush()
    if accept:
        after_commit.publish("paper_submitted", paper.id)
    return paper
