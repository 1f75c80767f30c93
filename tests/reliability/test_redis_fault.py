"""Redis killed (SIGKILL) and restarted empty while residents answer: nothing lost, nothing counted twice."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

from sqlalchemy import func, select

from app import clock
from app.extensions import db
from app.jobs.leaderboards import watch_leaderboards
from app.models.campaign import Campaign
from app.models.paper import Paper
from app.services import leaderboard_rebuild, leaderboards, standings
from tests.api.helpers import Api
from tests.api.test_papers import planned_answers
from tests.reliability.conftest import residents
from tests.support.wechat import wechat_client
from wechat_handlers import copy

N = 24


def views(campaign: Campaign) -> tuple:
    """Individual order with points, the cumulative team board, today's team board."""
    day = clock.campaign_day(clock.now())
    people = [(pid, v) for pid, v in leaderboards._ordered(campaign, None)]  # noqa: SLF001
    teams = [
        (r.team_id, r.score, r.participants, r.papers, r.points) for r in leaderboards.team_board(campaign)
    ]
    today = [(r.team_id, r.points) for r in leaderboards.team_board(campaign, day)]
    return people, teams, today


def sql_views(campaign: Campaign) -> tuple:
    day = clock.campaign_day(clock.now())
    people = standings.order_individuals(campaign, standings.individual_aggregates_sql(campaign))
    teams = [
        (r.team_id, r.score, r.participants, r.papers, r.points)
        for r in standings.team_standings_sql(campaign)
    ]
    today = [(r.team_id, r.points) for r in standings.team_standings_sql(campaign, day=day)]
    return people, teams, today


def open_papers(app, tokens: list[str]) -> list[tuple[str, dict]]:
    """Every resident opens today's paper; then ten minutes pass (a zero-time paper would be flagged)."""
    opened = [(token, Api(app, token=token).get("/papers/today").body) for token in tokens]
    clock.freeze(clock.now() + timedelta(minutes=10))
    return opened


def answer_and_submit(app, token: str, paper: dict) -> list[int]:
    """One resident on the activity page: four answers one by one, then the submission of the rest."""
    api = Api(app, token=token)
    answers, _ = planned_answers(app, paper)
    statuses = [
        api.post(f"/papers/{paper['id']}/answers", {"position": p, "answer": answers[str(p)]}).status
        for p in range(1, 5)
    ]
    rest = {k: v for k, v in answers.items() if int(k) > 4}
    submitted = api.post(f"/papers/{paper['id']}/submit", {"answers": rest})
    return [*statuses, submitted.status]


def test_redis_killed_and_restarted_while_residents_answer(make_app, private_redis):
    app = make_app(private_redis.url)
    tokens = residents(app, N)
    with app.app_context():
        campaign = db.session.scalar(select(Campaign))
        leaderboard_rebuild.rebuild(campaign, clock.now())  # boards live and ready
    wx = wechat_client(app, openid="o_rel_chat")
    assert "答题" in wx.text("帮助")

    done = threading.Semaphore(0)

    opened = open_papers(app, tokens)

    def resident(token: str, paper: dict) -> list[int]:
        statuses = answer_and_submit(app, token, paper)
        done.release()
        return statuses

    with ThreadPoolExecutor(max_workers=6) as pool:
        futures = [pool.submit(resident, t, p) for t, p in opened]
        for _ in range(6):  # a quarter of the residents are through, the others mid-paper
            done.acquire(timeout=60)
        private_redis.kill()
        down_reply = wx.send({"MsgType": "text", "Content": "帮助"})  # chat while Redis is down
        statuses = [f.result(timeout=120) for f in futures]

    assert all(s == 200 for row in statuses for s in row), statuses  # no request failed
    assert down_reply.status == 200 and down_reply.text == copy.RETRY_LATER  # a polite retry message

    with app.app_context():  # every answer is in the database
        submitted = db.session.scalar(
            select(func.count()).select_from(Paper).where(Paper.status == "submitted")
        )
        assert submitted == N
        campaign = db.session.scalar(select(Campaign))
        assert not leaderboards.is_ready(campaign)  # boards answer from SQL meanwhile
        during = sql_views(campaign)

    private_redis.start()  # back on the same port, empty
    assert "答题" in wx.text("帮助")  # chat works again without a restart of the app
    with app.app_context():
        campaign = db.session.scalar(select(Campaign))
        assert "rebuilt" in watch_leaderboards(clock.now())
        assert leaderboards.is_ready(campaign)
        assert views(campaign) == sql_views(campaign) == during
        assert len(views(campaign)[0]) == N
        scores = dict(db.session.execute(select(Paper.participant_id, Paper.score)).all())
        assert {pid: standings.decode(v)[0] for pid, v in views(campaign)[0]} == scores

    # residents who retry their submission after the outage change nothing
    for token in tokens[:5]:
        api = Api(app, token=token)
        paper = api.get("/me/results").body["papers"][0]
        again = api.post(f"/papers/{paper['id']}/submit", {})
        assert again.status == 200 and again.body["already_submitted"] is True
    with app.app_context():
        campaign = db.session.scalar(select(Campaign))
        for paper_id in db.session.scalars(select(Paper.id)):
            assert leaderboards.apply_paper(paper_id) == 0  # already counted: no double counting
        assert views(campaign) == during
        assert watch_leaderboards(clock.now()) == "boards ok"
