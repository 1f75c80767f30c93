"""A paper answered faster than the campaign's human minimum: scored, but held out of rankings until
staff review it (accept: it joins; reject: it stays out). Staff see it in `flask residents flagged`."""

from __future__ import annotations

import random
from datetime import timedelta

from app import clock
from app.extensions import db
from app.models.paper import Paper
from app.services import audit, campaigns, leaderboard_rebuild, leaderboards, moderation, papers, standings
from tests.factories import load_bundled_bank, make_campaign, make_participant
from tests.leaderboards.conftest import DAY1_EVENING
from tests.leaderboards.test_redis_and_sql import redis_views, sql_views


def submit_paper(enrollment, campaign, when, rng, used_s):
    """Answer today's paper (some right) and submit after `used_s` seconds, under the campaign's rules."""
    paper = papers.todays_paper(enrollment, campaign, when)
    for item in paper.items:
        right = rng.random() < 0.7
        item.given, item.awarded, item.answered_at = (
            (item.answer_key if right else "X"),
            (item.points if right else 0),
            when,
        )
    papers.submit(paper, when + timedelta(seconds=used_s), campaigns.rules_of(campaign).min_seconds_per_paper)
    db.session.commit()
    return paper


def cli(app, *args):
    return app.test_cli_runner().invoke(args=["residents", *args])


def test_too_fast_paper_is_held_out_until_reviewed(app, ctx):
    load_bundled_bank()
    campaign = make_campaign(min_seconds_per_paper=45)  # the configurable human minimum
    clock.freeze(DAY1_EVENING)
    leaderboard_rebuild.rebuild(campaign, DAY1_EVENING)
    rng = random.Random(4)
    honest = make_participant(campaign, openid="o_honest", name="王芳")
    bot = make_participant(campaign, openid="o_bot", name="李强", region="31")
    submit_paper(honest, campaign, DAY1_EVENING, rng, used_s=120)
    fast = submit_paper(bot, campaign, DAY1_EVENING, rng, used_s=44)  # one second under the minimum
    rules_min = campaign.settings["min_seconds_per_paper"]
    assert rules_min == 45

    db.session.expire_all()
    fast = db.session.get(Paper, fast.id)
    assert fast.flagged == "too_fast" and fast.score is not None  # scored, and marked
    assert papers.cumulative_score(fast_participant := bot.participant, campaign) == fast.score
    assert leaderboards.ranking_order(campaign) == [honest.participant_id]  # Redis
    assert [a.participant_id for a in standings.individual_aggregates_sql(campaign)] == [
        honest.participant_id
    ]
    assert redis_views(campaign) == sql_views(campaign)
    out = cli(app, "flagged").output
    assert f"paper {fast.id}  participant {fast_participant.id}" in out and "too_fast" in out
    assert "used=44.0s" in out and "1 flagged paper(s)" in out

    result = cli(
        app, "review", str(fast.id), "--accept", "--reason", "电话核实，熟悉题目", "--actor", "staff-wang"
    )
    assert result.exit_code == 0, result.output
    db.session.expire_all()
    assert set(leaderboards.ranking_order(campaign)) == {honest.participant_id, bot.participant_id}
    assert redis_views(campaign) == sql_views(campaign)
    assert "0 flagged paper(s)" in cli(app, "flagged").output
    [row] = audit.trail("paper", fast.id)
    assert (row.action, row.actor, row.detail) == ("paper.flag_accept", "staff-wang", "电话核实，熟悉题目")


def test_rejected_paper_stays_out_even_after_a_rebuild(app, ctx):
    load_bundled_bank()
    campaign = make_campaign(min_seconds_per_paper=30)
    clock.freeze(DAY1_EVENING)
    rng = random.Random(2)
    bot = make_participant(campaign, openid="o_bot2", name="赵敏")
    fast = submit_paper(bot, campaign, DAY1_EVENING, rng, used_s=3)
    clock.freeze(DAY1_EVENING + timedelta(days=1))
    later = submit_paper(bot, campaign, DAY1_EVENING + timedelta(days=1), rng, used_s=200)
    leaderboard_rebuild.rebuild(campaign, clock.now())
    moderation.review_paper(fast.id, False, "脚本特征明显", "staff-zhao", now=clock.now())
    db.session.commit()
    leaderboard_rebuild.rebuild(campaign, clock.now())
    [agg] = standings.individual_aggregates_sql(campaign)
    assert agg.points == db.session.get(Paper, later.id).score  # only the reviewed-clean paper counts
    assert redis_views(campaign) == sql_views(campaign)
    assert "too_fast:rejected" in cli(app, "flagged", "--all").output
    assert "0 flagged paper(s)" in cli(app, "flagged").output
    assert not moderation.flagged_papers()  # pending list is empty; the rejection is kept on record
