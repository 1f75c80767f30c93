"""Papers: same paper on re-request, reproducible draws, server-side scoring, one submission wins."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app import clock
from app.errors import Conflict, DomainError
from app.extensions import db
from app.models.paper import Paper, PaperItem
from app.services import bank, campaigns, papers
from quiz_bank.composer import draw_paper, to_displayed
from tests.factories import make_campaign, make_participant


def issue(app, campaign, openid="o_p1"):
    enrollment = make_participant(campaign, openid=openid)
    paper = papers.todays_paper(enrollment, campaign, clock.now())
    db.session.commit()
    return enrollment, paper


def test_same_paper_on_re_request(app, campaign, ctx):
    enrollment, first = issue(app, campaign)
    again = papers.todays_paper(enrollment, campaign, clock.now() + timedelta(hours=1))
    assert again.id == first.id
    assert [i.question_id for i in again.items] == [i.question_id for i in first.items]


def test_paper_follows_the_mix(app, campaign, ctx):
    _, paper = issue(app, campaign)
    assert [(i.qtype, i.points) for i in paper.items] == [("single", 10)] * 3 + [("judge", 10)] * 3 + [
        ("multiple", 20)
    ] * 2
    assert paper.max_score == 100


def test_draw_is_reproducible_from_stored_data(app, campaign, ctx):
    """An auditor recomputes the paper from the bank, the seen questions before it, and its seed."""
    enrollment, paper = issue(app, campaign)
    rules = campaigns.rules_of(campaign)
    redrawn = draw_paper(bank.all_questions(), rules.mix, set(), paper.seed, shuffle_options=True)
    assert [(d.question_id, list(d.option_order)) for d in redrawn] == [
        (i.question_id, i.option_order) for i in paper.items
    ]


def test_papers_differ_between_residents(app, campaign, ctx):
    _, a = issue(app, campaign, "o_a")
    _, b = issue(app, campaign, "o_b")
    assert [i.question_id for i in a.items] != [i.question_id for i in b.items]


def test_options_are_shuffled_but_scored_against_the_key(app, campaign, ctx):
    _, paper = issue(app, campaign)
    rule = campaigns.rules_of(campaign).multiple_rule
    shuffled = 0
    for item in paper.items:
        q = bank.get_question(item.question_id)
        if q.is_choice:
            shuffled += item.option_order != sorted(item.option_order)
            shown = to_displayed(q, item.option_order, q.answer)
            assert papers.answer(paper, item.position, shown, clock.now(), rule).correct
        else:
            assert papers.answer(paper, item.position, q.answer, clock.now(), rule).correct
    assert shuffled >= 1
    assert papers.submit(paper, clock.now() + timedelta(minutes=2), 20).score == 100


def test_key_is_fixed_at_issue_time(app, campaign, ctx):
    """Editing a question's key after a paper was issued does not change how that paper is scored."""
    _, paper = issue(app, campaign)
    item = paper.items[3]  # a judge question
    q = bank.get_question(item.question_id)
    flipped = "错" if q.answer == "对" else "对"
    from dataclasses import replace

    bank.sync_questions([replace(q, answer=flipped)], clock.now())
    result = papers.answer(paper, item.position, q.answer, clock.now(), "all_or_nothing")
    assert result.correct


def test_rejections(app, campaign, ctx):
    _, paper = issue(app, campaign)
    rule = "all_or_nothing"
    with pytest.raises(DomainError, match="不在您的试卷上"):
        papers.answer(paper, 9, "A", clock.now(), rule)
    q = bank.get_question(paper.items[0].question_id)
    shown = to_displayed(q, paper.items[0].option_order, q.answer)
    papers.answer(paper, 1, shown, clock.now(), rule)
    assert papers.answer(paper, 1, shown, clock.now(), rule).repeated  # same answer again: idempotent
    other = next(x for x in "ABCD" if x != shown)
    with pytest.raises(Conflict, match="已经作答"):
        papers.answer(paper, 1, other, clock.now(), rule)
    papers.submit(paper, clock.now(), 20)
    with pytest.raises(Conflict, match="已经交卷"):
        papers.answer(paper, 2, "A", clock.now(), rule)


def test_another_users_paper_is_not_found(app, campaign, ctx):
    from app.errors import NotFound

    _, paper = issue(app, campaign, "o_a")
    other, _ = issue(app, campaign, "o_b")
    with pytest.raises(NotFound):
        papers.get_paper(paper.id, other.participant)


def test_time_limit(app, ctx):
    from tests.factories import load_bundled_bank

    load_bundled_bank()
    campaign = make_campaign("timed", time_limit_seconds=300)
    clock.freeze(campaign.starts_at + timedelta(hours=2))
    enrollment, paper = issue(app, campaign)
    assert paper.deadline == paper.issued_at + timedelta(seconds=300)
    late = paper.issued_at + timedelta(seconds=400)
    with pytest.raises(DomainError, match="答题时间已到"):
        papers.answer(paper, 1, "A", late, "all_or_nothing")
    with pytest.raises(DomainError, match="答题时间已到"):
        papers.submit(paper, late, 20)
    with pytest.raises(DomainError, match="今天的答题已经完成"):
        papers.todays_paper(enrollment, campaign, late)  # the expired paper used the day's attempt


def test_attempts_per_day_configurable(app, ctx):
    from tests.factories import load_bundled_bank

    load_bundled_bank()
    campaign = make_campaign("twice", attempts_per_day=2)
    clock.freeze(campaign.starts_at + timedelta(hours=2))
    enrollment, first = issue(app, campaign)
    papers.submit(first, clock.now(), 0)
    second = papers.todays_paper(enrollment, campaign, clock.now())
    assert second.id != first.id and second.attempt == 2
    papers.submit(second, clock.now(), 0)
    with pytest.raises(DomainError):
        papers.todays_paper(enrollment, campaign, clock.now())


def test_too_fast_paper_is_flagged(app, campaign, ctx):
    _, paper = issue(app, campaign)
    assert papers.submit(paper, paper.issued_at + timedelta(seconds=5), 20).flagged == "too_fast"


def test_concurrent_submissions_score_once(app, campaign):
    """50 concurrent submissions of the same paper on PostgreSQL: one scored paper, no error leaks."""
    with app.app_context():
        _, paper = issue(app, campaign)
        paper_id = paper.id
        published: list[int] = []
        from app.services import after_commit

        after_commit.subscribe("paper_submitted", published.append)
    outcomes: list[str] = []
    barrier = threading.Barrier(50, timeout=30)

    def submit() -> None:
        barrier.wait()  # before touching the pool: 50 threads share 10 connections
        with app.app_context():
            p = db.session.get(Paper, paper_id)
            try:
                papers.submit(p, clock.now(), 20)
                db.session.commit()
                outcomes.append("ok")
            except Conflict:
                db.session.rollback()
                outcomes.append("conflict")
            finally:
                db.session.remove()

    threads = [threading.Thread(target=submit) for _ in range(50)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    with app.app_context():
        assert (
            db.session.scalar(select(func.count()).select_from(Paper).where(Paper.status == "submitted")) == 1
        )
        assert db.session.scalar(select(func.count()).select_from(PaperItem)) == 8
    assert set(outcomes) <= {"ok", "conflict"} and len(outcomes) == 50
    assert published.count(paper_id) == 1  # the leaderboard hook fires exactly once


def test_two_devices_issue_one_paper(app, campaign):
    with app.app_context():
        enrollment = make_participant(campaign)
        enrollment_id = enrollment.id
    ids: list[int] = []
    barrier = threading.Barrier(2, timeout=30)

    def open_paper() -> None:
        from app.models.participant import Enrollment

        with app.app_context():
            e = db.session.get(Enrollment, enrollment_id)
            c = db.session.get(type(campaign), campaign.id)
            barrier.wait()
            p = papers.todays_paper(e, c, clock.now())
            db.session.commit()
            ids.append(p.id)
            db.session.remove()

    threads = [threading.Thread(target=open_paper) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(ids) == 2 and ids[0] == ids[1]
