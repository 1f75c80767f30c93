"""The after-commit writer takes what the submitting transaction knew; a rollback mirrors nothing."""

from __future__ import annotations

import random
from datetime import timedelta

from app import clock
from app.extensions import db
from app.services import leaderboard_rebuild, leaderboards, papers, standings
from app.services.leaderboard_mirror import _ENTRIES
from tests.factories import make_participant
from tests.leaderboards.conftest import DAY1_EVENING, submit_paper


def _answered(enrollment, campaign):
    paper = papers.todays_paper(enrollment, campaign, DAY1_EVENING)
    for item in paper.items:
        item.given, item.awarded, item.answered_at = item.answer_key, item.points, DAY1_EVENING
    return paper


def test_a_rolled_back_submission_mirrors_nothing(app, lb_campaign):
    leaderboard_rebuild.rebuild(lb_campaign, clock.now())
    db.session.commit()
    enrollment = make_participant(lb_campaign, openid="o_rollback", name="张三", region="11")
    paper = _answered(enrollment, lb_campaign)
    papers.submit(paper, DAY1_EVENING + timedelta(minutes=2), 20)
    assert paper.id in db.session.info[_ENTRIES]
    db.session.rollback()
    assert _ENTRIES not in db.session.info
    db.session.commit()
    assert leaderboards.ranking_order(lb_campaign) == []
    assert sum(r.points for r in leaderboards.team_board(lb_campaign)) == 0


def test_the_writer_mirrors_what_was_committed(app, lb_campaign):
    leaderboard_rebuild.rebuild(lb_campaign, clock.now())
    db.session.commit()
    rng = random.Random(3)
    people = [make_participant(lb_campaign, openid=f"o_w{i}", name="李四", region="31") for i in range(6)]
    for i, e in enumerate(people):
        submit_paper(e, lb_campaign, DAY1_EVENING + timedelta(minutes=i), rng, used_s=30 + i)
    assert _ENTRIES not in db.session.info or not db.session.info[_ENTRIES]  # each one consumed
    assert leaderboards.team_board(lb_campaign) == standings.team_standings_sql(lb_campaign)
    ordered = standings.order_individuals(lb_campaign, standings.individual_aggregates_sql(lb_campaign))
    assert leaderboards.ranking_order(lb_campaign) == [pid for pid, _ in ordered]
    top = leaderboards.top_individuals(lb_campaign, 3)
    assert all(r.name == "李*" and r.team for r in top)


def test_papers_of_excluded_or_flagged_residents_are_not_mirrored(app, lb_campaign):
    leaderboard_rebuild.rebuild(lb_campaign, clock.now())
    db.session.commit()
    fast = make_participant(lb_campaign, openid="o_fast", name="王五", region="11")
    paper = _answered(fast, lb_campaign)
    papers.submit(paper, paper.issued_at + timedelta(seconds=3), 20)  # too fast: waits for review
    db.session.commit()
    excluded = make_participant(lb_campaign, openid="o_excluded", name="赵六", region="11")
    excluded.participant.excluded = True
    other = _answered(excluded, lb_campaign)
    papers.submit(other, DAY1_EVENING + timedelta(minutes=2), 20)
    db.session.commit()
    assert leaderboards.ranking_order(lb_campaign) == []
    assert leaderboards.team_board(lb_campaign) == standings.team_standings_sql(lb_campaign)
