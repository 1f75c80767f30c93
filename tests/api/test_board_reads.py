"""The cheap leaderboard read path (issue 9, scenario (d)): the public team board served from a short per-process
copy, "my rank" with a remembered membership that every process forgets when a resident moves, and bearer
tokens whose signature is checked once per process but whose age is checked every time."""

from __future__ import annotations

import time

import pytest
from sqlalchemy import text

from app import clock
from app.extensions import db
from app.services import campaigns, leaderboards, membership
from app.web.api import auth
from tests.api.helpers import resident
from tests.api.test_round_trips import counting, submitted, warm_boards


def _campaign_id(app) -> int:  # noqa: ANN001
    with app.app_context():
        return campaigns.current_campaign(clock.now()).id


def test_the_public_board_is_one_copy_per_process_for_a_short_while(app, emu, campaign, monkeypatch):
    app.config["PUBLIC_BOARD_SECONDS"] = 60
    warm_boards(app)
    api, first = submitted(app, emu, "o_pb_first")
    with counting(app, monkeypatch) as counts:
        fresh = api.get("/leaderboard/teams")
    assert fresh.status == 200 and counts.redis == 1
    with counting(app, monkeypatch) as counts:
        again = api.get("/leaderboard/teams")
    assert again.text == fresh.text and counts.redis == 0 and counts.statements == []
    # Another process's writer (not seen by this one) shows up only when the copy is older than the TTL.
    cid = _campaign_id(app)
    with app.app_context():
        team_id = next(t["team_id"] for t in _teams(app) if t["points"] == first["score"])
        app.extensions["fangfei.redis"].hincrby(leaderboards._k(cid, "team:all"), f"{team_id}:points", 5)
    assert api.get("/leaderboard/teams").text == fresh.text  # stale within PUBLIC_BOARD_SECONDS
    app.config["PUBLIC_BOARD_SECONDS"] = 0
    points = {t["code"]: t["points"] for t in api.get("/leaderboard/teams").body["teams"]}
    assert sum(points.values()) == first["score"] + 5
    # A paper mirrored by this process drops the copy at once.
    app.config["PUBLIC_BOARD_SECONDS"] = 60
    api.get("/leaderboard/teams")
    _, second = submitted(app, emu, "o_pb_second", plan=[True] * 8)
    after = {t["code"]: t["points"] for t in api.get("/leaderboard/teams").body["teams"]}
    assert sum(after.values()) == first["score"] + 5 + second["score"]


def _teams(app) -> list[dict]:  # noqa: ANN001
    c = campaigns.current_campaign(clock.now())
    return [{"team_id": r.team_id, "points": r.points} for r in leaderboards.team_board(c)]


def test_the_public_board_keeps_its_shape_and_errors(app, emu, campaign):
    warm_boards(app)
    api = resident(app, emu, openid="o_pb_shape")
    body = api.get("/leaderboard/teams").body
    assert set(body) == {"formula", "formula_text", "teams"} and len(body["teams"]) == 32
    bad = api.get("/leaderboard/teams?day=bad")
    assert bad.status == 400 and "日期格式" in bad.body["message"]
    assert api.get("/leaderboard/teams?day=2020-01-01").status == 200


def test_a_move_in_another_process_is_seen_at_the_next_read(app, emu, campaign, monkeypatch):
    """Another process moves a resident (its commit bumps the version in Redis): this process forgets."""
    warm_boards(app)
    api = resident(app, emu, openid="o_pb_mover")
    assert api.get("/leaderboard/me").body["team"]["name"] == "北京市"
    with counting(app, monkeypatch) as counts:
        assert api.get("/leaderboard/me").body["team"]["name"] == "北京市"
    assert counts.statements == [] and counts.redis == 1  # remembered, confirmed by the same round trip
    cid = _campaign_id(app)
    with app.app_context():  # what the other process commits: the row (no ORM event here), then the bump
        db.session.execute(
            text(
                "UPDATE enrollments SET team_id = (SELECT id FROM teams WHERE campaign_id = :c AND name = '上海市') "
                "WHERE campaign_id = :c AND participant_id = "
                "(SELECT id FROM participants WHERE openid = 'o_pb_mover')"
            ),
            {"c": cid},
        )
        db.session.commit()
        assert api.get("/leaderboard/me").body["team"]["name"] == "北京市"  # not told yet (up to MAX_AGE)
        membership._bump([cid])
    assert api.get("/leaderboard/me").body["team"]["name"] == "上海市"


def test_a_region_change_bumps_the_version_for_every_process(app, emu, campaign):
    warm_boards(app)
    api = resident(app, emu, openid="o_pb_bump")
    cid = _campaign_id(app)
    client = app.extensions["fangfei.redis"]
    with app.app_context():
        key = membership.version_key(cid)
    before = int(client.get(key) or 0)
    assert api.patch("/me", {"region": "上海"}).status == 200
    assert int(client.get(key) or 0) == before + 1


def test_without_the_version_a_remembered_membership_lives_read_cache_seconds(
    app, emu, campaign, monkeypatch
):
    """Redis down: my position comes from SQL, and the membership is re-read after READ_CACHE_SECONDS."""
    api = resident(app, emu, openid="o_pb_noredis")
    monkeypatch.setattr(membership, "MAX_AGE", 3600.0)
    app.config["READ_CACHE_SECONDS"] = 0
    with counting(app, monkeypatch) as counts:
        assert api.get("/leaderboard/me").status == 200  # the mirror is not ready: SQL
    lookups = [s for s in counts.statements if "FROM enrollments JOIN participants" in s]
    with counting(app, monkeypatch) as counts:
        assert api.get("/leaderboard/me").status == 200
    assert (
        len([s for s in counts.statements if "FROM enrollments JOIN participants" in s]) == len(lookups) == 1
    )


def test_a_token_is_verified_once_but_its_age_every_time(app, emu, monkeypatch):
    with app.app_context():
        token = auth.issue_token("o_pb_token")
        assert auth.openid_from_token(token) == "o_pb_token"
        calls = []
        real = auth.URLSafeTimedSerializer.loads

        def counted(self, *args, **kwargs):  # noqa: ANN001, ANN002, ANN003, ANN202
            calls.append(1)
            return real(self, *args, **kwargs)

        monkeypatch.setattr(auth.URLSafeTimedSerializer, "loads", counted)
        assert auth.openid_from_token(token) == "o_pb_token" and calls == []  # remembered
        assert auth.openid_from_token(token[:-2] + ("AA" if token[-2:] != "AA" else "BB")) is None
        assert auth.openid_from_token("not-a-token") is None
        now = time.time()
        monkeypatch.setattr(auth.time, "time", lambda: now + auth.TOKEN_MAX_AGE + 5)
        assert auth.openid_from_token(token) is None  # expired, although its signature was remembered
        app.config["SECRET_KEY"] = "another-secret-key-for-this-test-only-0123456789"
        monkeypatch.setattr(auth.time, "time", lambda: now)
        assert auth.openid_from_token(token) is None  # a new secret: nothing remembered counts


@pytest.mark.parametrize("cookie", [False, True])
def test_requests_without_a_session_cookie_get_no_cookie(app, cookie):
    client = app.test_client()
    if cookie:
        client.set_cookie("session", "garbage")
    res = client.get("/healthz")
    assert res.status_code == 200 and "Set-Cookie" not in res.headers
    assert res.headers["X-Frame-Options"] == "DENY" and "Content-Security-Policy" in res.headers
