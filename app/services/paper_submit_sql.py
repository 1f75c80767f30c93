"""Submitting a paper on PostgreSQL in two statements: one read of the caller's paper with its items, and one
statement that claims the paper (only while it is open: of two devices submitting at once exactly one wins),
records the unanswered items' answers and scores, and returns what the result and the leaderboard writer need.

The rules are those of app.services.paper_submit (the ORM path, used on SQLite); grading uses the process's
parsed copy of the bank. Nothing goes through the ORM's unit of work: the rows are plain objects with the
models' attribute names, so the result renders the same way.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, datetime

from sqlalchemy import JSON, Boolean, Integer, String, column, text

from app import clock
from app.errors import Conflict, NotFound
from app.extensions import db
from app.models.paper import SUBMITTED, Paper
from app.services import after_commit, campaigns, leaderboards, papers
from app.services.paper_submit import (
    ANSWERED,
    PAPER_NOT_FOUND,
    RESUBMITTED,
    Submitted,
    checked_answers,
    open_campaign_of,
    question_in,
    questions_of,
)
from quiz_bank.schema import Question
from quiz_bank.scoring import score


class Raced(Exception):
    """Another device answered a question of this paper between our read and our write: roll back, retry."""


@dataclass(slots=True)
class ItemRow:
    """A paper item as read by the submission (PaperItem's names, so the result renders the same way)."""

    id: int
    position: int
    question_id: str
    qtype: str
    points: int
    option_order: list[str]
    answer_key: str
    given: str | None
    awarded: int | None


@dataclass(frozen=True, slots=True)
class ParticipantRow:
    """What the submission needs of the paper's owner (Participant's names)."""

    id: int
    name: str
    excluded: bool


@dataclass(slots=True)
class PaperRow:
    """A paper as read by the submission (Paper's names)."""

    id: int
    participant_id: int
    campaign_id: int
    team_id: int
    day: date
    attempt: int
    status: str
    issued_at: datetime
    deadline: datetime | None
    max_score: int
    score: int | None
    time_used_ms: int | None
    submitted_at: datetime | None
    counted: bool
    flagged: str | None
    day_bit: int
    participant: ParticipantRow
    items: list[ItemRow] = field(default_factory=list)


# The PostgreSQL path --------------------------------------------------------------------------------
_P = Paper.__table__.c
# One row: the paper, its owner's name and exclusion, and the items as one JSON array (one column to
# convert instead of eight rows of nine).
_READ = text(
    """
SELECT p.id, p.participant_id, p.campaign_id, p.team_id, p.day, p.attempt, p.status, p.issued_at,
       p.deadline, p.max_score, p.score, p.time_used_ms, p.submitted_at, p.counted, p.flagged, p.day_bit,
       pt.name, pt.excluded,
       (SELECT json_agg(json_build_array(i.id, i.position, i.question_id, i.qtype, i.points, i.option_order,
                                         i.answer_key, i.given, i.awarded) ORDER BY i.position)
          FROM paper_items i WHERE i.paper_id = p.id) AS items
FROM papers p
JOIN participants pt ON pt.id = p.participant_id
WHERE p.id = :paper AND pt.openid = :openid
"""
).columns(  # typed and positional: the result's metadata is built once, and times come back as aware UTC
    *(column(c.name, c.type) for c in (_P.id, _P.participant_id, _P.campaign_id, _P.team_id, _P.day,
      _P.attempt, _P.status, _P.issued_at, _P.deadline, _P.max_score, _P.score, _P.time_used_ms,
      _P.submitted_at, _P.counted, _P.flagged, _P.day_bit)),
    column("name", String), column("excluded", Boolean), column("items", JSON),
)  # fmt: skip
# Claims the paper while it is open (a second device's claim waits for the first and then finds it
# submitted), fills the items that were unanswered when read (never an item answered meanwhile: the
# count tells), and returns `counted` (first submitted paper of the day) and the other counted papers' sum.
_CLAIM = text(
    """
WITH claimed AS (
  UPDATE papers SET status = 'submitted', submitted_at = :now, score = :score, time_used_ms = :used,
         flagged = :flagged, day_bit = :day_bit,
         counted = NOT EXISTS (
           SELECT 1 FROM papers o WHERE o.participant_id = :participant AND o.campaign_id = :campaign
             AND o.day = :day AND o.status = 'submitted' AND o.id <> :paper)
  WHERE id = :paper AND status = 'open'
  RETURNING counted
), written AS (
  UPDATE paper_items i
  SET given = v.given, awarded = v.awarded,
      answered_at = CASE WHEN v.given IS NULL THEN NULL ELSE CAST(:now AS timestamptz) END
  FROM unnest(CAST(:ids AS integer[]), CAST(:givens AS varchar[]), CAST(:awards AS integer[]))
         AS v(id, given, awarded), claimed
  WHERE i.id = v.id AND i.paper_id = :paper AND i.given IS NULL
  RETURNING i.id
)
SELECT claimed.counted,
       (SELECT coalesce(sum(o.score), 0) FROM papers o
         WHERE o.participant_id = :participant AND o.campaign_id = :campaign AND o.status = 'submitted'
           AND o.counted AND o.id <> :paper),
       (SELECT count(*) FROM written)
FROM claimed
"""
).columns(column("counted", Boolean), column("others", Integer), column("written", Integer))


def fast_path() -> bool:
    """Whether the two-statement submission applies (PostgreSQL)."""
    return db.engine.dialect.name == "postgresql"


def _read(openid: str, paper_id: int) -> PaperRow:
    r = db.session.connection().execute(_READ, {"paper": paper_id, "openid": openid}).first()
    if r is None:
        raise NotFound(PAPER_NOT_FOUND, code="paper_not_found")
    paper = PaperRow(*r[:16], ParticipantRow(r[1], r[16], r[17]))
    paper.items = [ItemRow(*item) for item in r[18] or ()]
    return paper


def submit(openid: str, paper_id: int, raw: dict, now: datetime) -> Submitted:
    """Submit {position: answer} for the caller's paper and score it (the rules of `submit_locked`)."""
    paper = _read(openid, paper_id)
    questions = questions_of(paper.items)
    keyed = checked_answers(paper.items, raw, questions)
    if paper.status != SUBMITTED:
        claimed = _claim(paper, keyed, questions, now)
        if claimed is not None:
            return claimed
        paper = _read(openid, paper_id)  # another device submitted first: answer as a repeat would
    if paper.status == SUBMITTED:
        by_position = {i.position: i for i in paper.items}
        if any(by_position[p].given != given for p, given in keyed.items()):
            raise Conflict(RESUBMITTED, code="already_submitted")
        return Submitted(paper, paper.participant, True, None, questions)
    papers._check_open(paper, now)  # noqa: SLF001 (expired meanwhile: time_over)
    raise Conflict("这份试卷已经交卷了。", code="already_submitted")


def _claim(
    paper: PaperRow, keyed: dict[int, str], questions: dict[str, Question], now: datetime
) -> Submitted | None:
    campaign = open_campaign_of(paper, now)
    rules = campaigns.rules_of(campaign)
    papers._check_open(paper, now)  # noqa: SLF001 (the same rule as answering)
    pending: list[ItemRow] = []
    ids, givens, awards = [], [], []
    total = 0
    for item in paper.items:
        given = keyed.get(item.position)
        if item.given is not None:
            if given is not None and given != item.given:
                raise Conflict(ANSWERED, code="already_answered")
            total += item.awarded or 0
            continue
        awarded = 0
        if given is not None:
            q = question_in(questions, item)
            keyed_q = (
                q if q.answer == item.answer_key else replace(q, answer=item.answer_key)
            )  # key as issued
            awarded = score(keyed_q, given, item.points, rules.multiple_rule)
        pending.append(item)
        ids.append(item.id)
        givens.append(given)
        awards.append(awarded)
        total += awarded
    used_ms = int((now - paper.issued_at).total_seconds() * 1000)
    flagged = "too_fast" if used_ms < rules.min_seconds_per_paper * 1000 else None
    day_bit = 1 << (paper.day - clock.campaign_day(campaign.starts_at)).days
    params = {"now": now, "score": total, "used": used_ms, "flagged": flagged, "day_bit": day_bit,
              "participant": paper.participant_id, "campaign": paper.campaign_id, "day": paper.day,
              "paper": paper.id, "ids": ids, "givens": givens, "awards": awards}  # fmt: skip
    row = db.session.connection().execute(_CLAIM, params).first()
    if row is None:
        return None
    counted, others, written = row
    if written != len(ids):
        raise Raced(paper.id)
    paper.status, paper.submitted_at, paper.score, paper.time_used_ms = SUBMITTED, now, total, used_ms
    paper.flagged, paper.counted, paper.day_bit = flagged, counted, day_bit
    for item, given, awarded in zip(pending, givens, awards, strict=True):
        item.given, item.awarded = given, awarded
    team = next((t for t in leaderboards.teams_of(campaign) if t.id == paper.team_id), None)
    entry = leaderboards.entry_for(paper, paper.participant, campaign, team.name if team else None)  # type: ignore[arg-type]
    leaderboards.remember(db.session(), entry)
    after_commit.publish("paper_submitted", paper.id)
    cumulative = int(others or 0) + (total if counted else 0)
    return Submitted(paper, paper.participant, False, cumulative, questions)
