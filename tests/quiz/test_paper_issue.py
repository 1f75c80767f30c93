"""Issuing today's paper with statements built once: four statements, ORM objects as if loaded from the rows,
and the two-devices race still settled by the UNIQUE constraint."""

from __future__ import annotations

from sqlalchemy import inspect, select
from sqlalchemy.orm import Session

from app import clock
from app.extensions import db
from app.models.paper import OPEN, Paper, PaperItem
from app.services import paper_issue
from tests.factories import make_participant
from tests.support.statements import recorded


def test_a_new_paper_is_four_statements_and_its_objects_match_the_rows(app, campaign, ctx):
    enrollment = make_participant(campaign, openid="o_issue1")
    db.session.commit()
    now = clock.now()
    _ = (
        enrollment.team_id,
        enrollment.participant.id,
        campaign.slug,
        campaign.settings,
    )  # loaded, as in a request
    with recorded(db.engine) as seen:
        paper = paper_issue.todays_paper(enrollment, campaign, now)
    verbs = [s.split()[0] for s in seen if s not in ("BEGIN", "COMMIT") and "bank_questions" not in s]
    # (the bank's freshness stamp is read once per READ_CACHE_SECONDS, not per paper)
    assert verbs == ["SELECT", "SELECT", "INSERT", "INSERT"], [
        s[:60] for s in seen
    ]  # today, seen, paper, items
    state = inspect(paper)
    assert state.persistent and not db.session.dirty and not db.session.new
    assert not state.expired_attributes and all(not inspect(i).expired_attributes for i in paper.items)
    kept = {c: getattr(paper, c) for c in Paper.__table__.columns.keys()}
    kept_items = [{c: getattr(i, c) for c in PaperItem.__table__.columns.keys()} for i in paper.items]
    db.session.commit()
    with Session(db.engine) as other:  # what the database holds is what the objects said
        row = other.get(Paper, kept["id"])
        assert {c: getattr(row, c) for c in kept} == kept
        assert row.status == OPEN and row.counted is False and row.score is None
        stored = other.scalars(select(PaperItem).where(PaperItem.paper_id == row.id).order_by("position"))
        assert [{c: getattr(i, c) for c in PaperItem.__table__.columns.keys()} for i in stored] == kept_items
    assert [i["position"] for i in kept_items] == list(range(1, 9))


def test_the_same_paper_comes_back_without_an_insert(app, campaign, ctx):
    enrollment = make_participant(campaign, openid="o_issue2")
    first = paper_issue.todays_paper(enrollment, campaign, clock.now())
    db.session.commit()
    _ = (enrollment.team_id, enrollment.participant.id, campaign.slug, campaign.settings, first.id)
    with recorded(db.engine) as seen:
        again = paper_issue.todays_paper(enrollment, campaign, clock.now())
    assert again.id == first.id and not any(s.startswith("INSERT") for s in seen)


def test_a_paper_issued_by_another_device_meanwhile_is_returned(app, campaign, ctx):
    """The other device's INSERT wins between our read and our INSERT: ON CONFLICT DO NOTHING, then we read
    and return its paper."""
    enrollment = make_participant(campaign, openid="o_issue3")
    db.session.commit()
    now = clock.now()
    with Session(db.engine) as other:  # the other device, its own transaction, committed first
        theirs = paper_issue.todays_paper(other.merge(enrollment), other.merge(campaign), now)
        their_id = theirs.id
        other.commit()
    mine = paper_issue.issue(enrollment, campaign, now, attempt=1)
    assert mine.id == their_id
    assert db.session.scalar(select(db.func.count()).select_from(Paper)) == 1
