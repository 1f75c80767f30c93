"""Review: the resident's cumulative score follows the rule stated in 规则 (first paper of a day counts)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from app import clock
from app.extensions import db
from app.services import bank, papers
from quiz_bank.composer import to_displayed
from tests.factories import load_bundled_bank, make_campaign, make_participant


def answer_all_correctly(paper, rule="all_or_nothing"):
    for item in paper.items:
        q = bank.get_question(item.question_id)
        shown = to_displayed(q, item.option_order, item.answer_key) if q.is_choice else item.answer_key
        papers.answer(paper, item.position, shown, clock.now(), rule)


def test_cumulative_score_counts_the_first_paper_of_a_day_not_the_best(app, ctx):
    load_bundled_bank()
    campaign = make_campaign("twice", attempts_per_day=2)
    clock.freeze(campaign.starts_at + timedelta(hours=2))
    enrollment = make_participant(campaign, openid="o_twice")
    first = papers.todays_paper(enrollment, campaign, clock.now())
    papers.submit(first, clock.now() + timedelta(minutes=1), 0)  # nothing answered: 0 points, counted
    second = papers.todays_paper(enrollment, campaign, clock.now() + timedelta(minutes=2))
    answer_all_correctly(second)
    papers.submit(second, clock.now() + timedelta(minutes=3), 0)
    db.session.commit()
    assert first.counted and not second.counted and second.score == 100
    # 规则: "每天可答2次（以当天第一次交卷的成绩计入排名）" -- the leaderboard shows 0 for this resident
    assert papers.cumulative_score(enrollment.participant, campaign) == first.score == 0


def test_paper_issued_before_midnight_and_submitted_after_counts_for_its_own_day(app, ctx):
    load_bundled_bank()
    campaign = make_campaign()
    day = clock.campaign_day(campaign.starts_at) + timedelta(days=1)
    before = clock.local_datetime(day, datetime.min.time()) + timedelta(days=1) - timedelta(seconds=10)
    clock.freeze(before)
    enrollment = make_participant(campaign, openid="o_midnight")
    paper = papers.todays_paper(enrollment, campaign, before)
    answer_all_correctly(paper)
    after = before + timedelta(seconds=20)
    assert clock.campaign_day(after) != clock.campaign_day(before)
    papers.submit(paper, after, 0)
    db.session.commit()
    assert paper.day == day and paper.counted and paper.day_bit == 1 << 1
    assert papers.cumulative_score(enrollment.participant, campaign) == 100
    # the next day has its own paper
    clock.freeze(after)
    nxt = papers.todays_paper(enrollment, campaign, after)
    assert nxt.id != paper.id and nxt.day == clock.campaign_day(after)
    assert before.tzinfo is UTC or before.utcoffset() is not None
