"""Staff exclusion: out of Redis boards, SQL standings and team totals at once; audited; reversible."""

from __future__ import annotations

import redis as redis_lib

from app import redis_keys
from app.extensions import db
from app.models.participant import Participant
from app.services import audit, leaderboard_rebuild, leaderboards
from tests.leaderboards.conftest import populate
from tests.leaderboards.test_redis_and_sql import redis_views, sql_views


def cli(app, *args):
    return app.test_cli_runner().invoke(args=["residents", *args])


def names_hash(app, campaign_id):
    r = redis_lib.Redis.from_url(app.config["REDIS_URL"], decode_responses=True)
    return r.hgetall(redis_keys.leaderboard(campaign_id, "names").name)


def test_exclude_removes_a_resident_everywhere_at_once_and_include_restores(app, lb_campaign):
    leaderboard_rebuild.rebuild(lb_campaign, lb_campaign.starts_at)
    enrollments = populate(lb_campaign, n_people=30, days=3, seed=3)
    assert redis_views(lb_campaign) == sql_views(lb_campaign)
    top = leaderboards.ranking_order(lb_campaign)[0]
    team_before = {r.team_id: r.points for r in leaderboards.team_board(lb_campaign)}
    openid = next(e.participant.openid for e in enrollments if e.participant_id == top)

    result = cli(app, "exclude", openid, "--reason", "同一设备批量刷分", "--actor", "staff-li")
    assert result.exit_code == 0, result.output
    assert f"participant {top} excluded" in result.output

    db.session.expire_all()
    order = leaderboards.ranking_order(lb_campaign)  # Redis, no rebuild in between
    assert top not in order and len(order) >= 15
    assert redis_views(lb_campaign) == sql_views(lb_campaign)  # team totals and day boards agree with SQL
    team_after = {r.team_id: r.points for r in leaderboards.team_board(lb_campaign)}
    assert sum(team_after.values()) < sum(team_before.values())
    assert str(top) not in names_hash(app, lb_campaign.id)
    assert not leaderboard_rebuild.drifted(lb_campaign)
    [row] = audit.trail("participant", top)
    assert (row.actor, row.action, row.detail) == ("staff-li", "participant.exclude", "同一设备批量刷分")

    result = cli(app, "include", str(top), "--reason", "核实为本人答题", "--actor", "staff-li")
    assert result.exit_code == 0, result.output
    db.session.expire_all()
    assert leaderboards.ranking_order(lb_campaign)[0] == top
    assert redis_views(lb_campaign) == sql_views(lb_campaign)
    assert {r.team_id: r.points for r in leaderboards.team_board(lb_campaign)} == team_before
    assert [r.action for r in audit.trail("participant", top)] == [
        "participant.exclude",
        "participant.include",
    ]


def test_exclusion_needs_a_reason_and_a_known_resident(app, lb_campaign):
    leaderboard_rebuild.rebuild(lb_campaign, lb_campaign.starts_at)
    populate(lb_campaign, n_people=5, days=1, seed=1)
    before = redis_views(lb_campaign)
    some = leaderboards.ranking_order(lb_campaign)[0]
    assert cli(app, "exclude", str(some)).exit_code != 0  # --reason is required
    result = cli(app, "exclude", str(some), "--reason", "   ")
    assert result.exit_code != 0 and "原因" in result.output
    result = cli(app, "exclude", "o_nobody", "--reason", "x")
    assert result.exit_code != 0 and "没有找到" in result.output
    db.session.expire_all()
    assert redis_views(lb_campaign) == before
    assert not db.session.get(Participant, some).excluded
    assert audit.trail("participant", some) == []


def test_exclusion_survives_a_rebuild(app, lb_campaign):
    populate(lb_campaign, n_people=12, days=2, seed=9)
    leaderboard_rebuild.rebuild(lb_campaign, lb_campaign.starts_at)
    victim = leaderboards.ranking_order(lb_campaign)[1]
    assert cli(app, "exclude", str(victim), "--reason", "代答").exit_code == 0
    leaderboard_rebuild.rebuild(lb_campaign, lb_campaign.ends_at)
    assert victim not in leaderboards.ranking_order(lb_campaign)
    assert redis_views(lb_campaign) == sql_views(lb_campaign)
