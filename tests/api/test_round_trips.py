"""The H5/API hot paths stay cheap (issue 9): SQL statements and Redis round trips per request.

A submission is two statements (the caller's paper with its items; one statement that claims the paper,
records the answers, decides `counted` and returns the cumulative total) plus the commit; the leaderboard
writer reads nothing back. Warm leaderboard reads are one Redis round trip, and the team board needs no SQL at all.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import timedelta

import pytest
import redis
from sqlalchemy import event

from app import clock
from app.extensions import db
from app.services import campaigns, leaderboard_rebuild, leaderboards, standings
from tests.api.helpers import resident
from tests.api.test_papers import planned_answers


@dataclass
class Counts:
    statements: list[str] = field(default_factory=list)
    redis: int = 0


@contextmanager
def counting(app, monkeypatch: pytest.MonkeyPatch) -> Iterator[Counts]:
    """SQL statements on the app's engine and Redis round trips (a command, a pipeline or a script call)."""
    counts = Counts()
    client = app.extensions["fangfei.redis"]
    plain, piped = client.execute_command, redis.client.Pipeline.execute

    def command(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        counts.redis += 1
        return plain(*args, **kwargs)

    def pipeline(self, *args, **kwargs):  # noqa: ANN001, ANN002, ANN003, ANN202
        counts.redis += 1
        return piped(self, *args, **kwargs)

    def sql(conn, cursor, statement, *args) -> None:  # noqa: ANN001, ANN002
        counts.statements.append(statement)

    with app.app_context():
        engine = db.engine
    monkeypatch.setattr(client, "execute_command", command)
    monkeypatch.setattr(redis.client.Pipeline, "execute", pipeline)
    event.listen(engine, "before_cursor_execute", sql)
    try:
        yield counts
    finally:
        event.remove(engine, "before_cursor_execute", sql)
        monkeypatch.undo()


def warm_boards(app) -> None:
    with app.app_context():
        leaderboard_rebuild.rebuild(campaigns.current_campaign(clock.now()), clock.now())
        db.session.commit()


def submitted(app, emu, openid: str, plan: list[bool] | None = None) -> tuple[object, dict]:
    api = resident(app, emu, openid=openid)
    paper = api.get("/papers/today").body
    answers, _ = planned_answers(app, paper, plan) if plan else planned_answers(app, paper)
    clock.freeze(clock.now() + timedelta(minutes=3))
    res = api.post(f"/papers/{paper['id']}/submit", {"answers": answers})
    assert res.status == 200, res.text
    return api, res.body


def test_a_submission_is_two_statements_and_two_redis_round_trips(app, emu, campaign, monkeypatch):
    warm_boards(app)
    api = resident(app, emu, openid="o_rt_submit")
    paper = api.get("/papers/today").body
    answers, expected = planned_answers(app, paper)
    api.get("/leaderboard/teams")  # the process's copies (campaign, teams) are loaded
    clock.freeze(clock.now() + timedelta(minutes=3))  # a human pace: the paper counts (not "too fast")
    with counting(app, monkeypatch) as counts:
        res = api.post(f"/papers/{paper['id']}/submit", {"answers": answers})
    assert res.status == 200 and res.body["score"] == expected == res.body["cumulative_score"]
    assert len(counts.statements) == 2, counts.statements  # the read, then the claim with the answers
    assert counts.statements[0].lstrip().startswith("SELECT") and "FOR UPDATE" not in counts.statements[0]
    assert counts.statements[1].lstrip().startswith("WITH claimed AS")
    assert counts.redis == 2, counts.redis  # the answer pace (user and IP at once) and the leaderboard writer
    me = api.get("/leaderboard/me").body  # the writer mirrored the paper from what the request had
    assert me["me"]["points"] == expected and me["me"]["rank"] == 1 and me["team"]["points"] == expected
    with app.app_context():
        assert leaderboards.apply_paper(paper["id"]) == 0  # already counted: the same entry, not twice


def test_warm_leaderboard_reads_are_one_redis_round_trip(app, emu, campaign, monkeypatch):
    warm_boards(app)
    api, result = submitted(app, emu, "o_rt_reader")
    with counting(app, monkeypatch) as counts:
        teams = api.get("/leaderboard/teams")
    assert teams.status == 200 and counts.statements == [] and counts.redis == 1
    with counting(app, monkeypatch) as counts:
        me = api.get("/leaderboard/me")
    assert me.status == 200 and len(counts.statements) <= 1 and counts.redis == 1
    with app.app_context():
        c = campaigns.current_campaign(clock.now())
        from_sql = [r.as_dict() for r in standings.team_standings_sql(c)]
    assert teams.body["teams"] == from_sql
    mine = next(t for t in from_sql if t["points"] == result["score"] and t["participants"] == 1)
    assert me.body["team"] == mine and me.body["me"]["points"] == result["score"]


def test_the_team_board_follows_every_submission(app, emu, campaign):
    """The ranked board is reused only while the mirrored components are unchanged."""
    warm_boards(app)
    api, first = submitted(app, emu, "o_rt_first")
    before = {t["code"]: t["points"] for t in api.get("/leaderboard/teams").body["teams"]}
    assert sum(before.values()) == first["score"]
    _, second = submitted(app, emu, "o_rt_second", plan=[True] * 8)
    after = {t["code"]: t["points"] for t in api.get("/leaderboard/teams").body["teams"]}
    assert sum(after.values()) == first["score"] + second["score"] == first["score"] + 100


def test_reads_fall_back_to_sql_when_the_mirror_is_not_ready(app, emu, campaign, monkeypatch):
    warm_boards(app)
    api, result = submitted(app, emu, "o_rt_cold")
    warm = api.get("/leaderboard/me").body
    with app.app_context():
        c = campaigns.current_campaign(clock.now())
        app.extensions["fangfei.redis"].delete(leaderboards._k(c.id, "ready"))
    with counting(app, monkeypatch) as counts:
        cold = api.get("/leaderboard/me").body
    assert cold == warm and counts.statements  # the same answer, from the database
    assert cold["me"]["points"] == result["score"]


def test_my_team_follows_a_region_change(app, emu, campaign, monkeypatch):
    """The remembered membership (no SQL for a warm "my rank") is dropped when the team changes."""
    warm_boards(app)
    api = resident(app, emu, openid="o_rt_mover")
    assert api.get("/leaderboard/me").body["team"]["name"] == "北京市"
    with counting(app, monkeypatch) as counts:
        assert api.get("/leaderboard/me").status == 200
    assert counts.statements == [] and counts.redis == 1
    assert api.patch("/me", {"region": "上海"}).status == 200
    assert api.get("/leaderboard/me").body["team"]["name"] == "上海市"
    stranger = resident(app, emu, openid="o_rt_stranger", register=False)
    assert stranger.get("/leaderboard/me").status == 404
