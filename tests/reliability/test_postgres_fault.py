"""PostgreSQL crashes and restarts while residents answer: clean 503s, no half-written paper, the pool
reconnects by itself. A private cluster (tests/reliability/conftest.py), never the shared one."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor

from sqlalchemy import func, select

from app import clock
from app.extensions import db
from app.jobs.leaderboards import watch_leaderboards
from app.models.campaign import Campaign
from app.models.paper import Paper
from app.web import DATABASE_UNAVAILABLE
from tests.api.helpers import Api
from tests.api.test_papers import planned_answers
from tests.conftest import build_app, upgrade
from tests.reliability.conftest import residents
from tests.reliability.test_redis_fault import open_papers, sql_views, views
from tests.support import services
from tests.support.wechat import wechat_client
from wechat_handlers import copy

N = 16


def patient_resident(app, token: str, paper: dict, answers: dict, failures: list) -> float:
    """Answers, then submits; like the page, retries a call that failed (503) after a pause."""
    api = Api(app, token=token)

    def call(path: str, body: dict) -> None:
        for _ in range(60):
            res = api.post(path, body)
            if res.status == 200:
                return
            failures.append(res)
            time.sleep(0.25)
        raise AssertionError(f"{path} never succeeded")

    for position in range(1, 5):
        call(f"/papers/{paper['id']}/answers", {"position": position, "answer": answers[str(position)]})
    call(f"/papers/{paper['id']}/submit", {"answers": {k: v for k, v in answers.items() if int(k) > 4}})
    return time.monotonic()


def test_postgres_restarted_while_residents_answer(private_pg, redis_url, emu):
    services.clear_redis(redis_url)
    app = build_app(private_pg.url, redis_url, WECHAT_API_BASE=emu, WECHAT_OPEN_BASE=emu)
    upgrade(app)
    try:
        tokens = residents(app, N, prefix="o_pg_")
        opened = [(t, p, planned_answers(app, p)[0]) for t, p in open_papers(app, tokens)]
        wx = wechat_client(app, openid="o_pg_chat")
        failures: list = []
        done = threading.Semaphore(0)

        def resident(token: str, paper: dict, answers: dict) -> float:
            finished = patient_resident(app, token, paper, answers, failures)
            done.release()
            return finished

        with ThreadPoolExecutor(max_workers=6) as pool:
            futures = [pool.submit(resident, *row) for row in opened]
            for _ in range(4):
                done.acquire(timeout=60)
            private_pg.stop("immediate")  # a crash while the others are mid-paper
            down_api = Api(app, token=tokens[-1]).get("/me/results")
            down_chat = wx.send({"MsgType": "text", "Content": "我的成绩"})
            time.sleep(1.0)  # residents keep trying meanwhile
            private_pg.start()
            back = time.monotonic()
            finished = [f.result(timeout=120) for f in futures]

        # requests in flight failed cleanly: a 503 with a friendly message, never a 500 or a trace
        assert down_api.status == 503 and down_api.body["message"] == DATABASE_UNAVAILABLE
        assert down_chat.status == 200 and down_chat.text in (copy.SORRY, copy.RETRY_LATER)
        assert failures, "the restart was not noticed by anyone"
        assert {f.status for f in failures} == {503}, {(f.status, f.text[:80]) for f in failures}
        assert all("Traceback" not in f.text for f in failures)
        # the pool reconnected by itself: every resident finished soon after the database came back
        print(
            f"\n{len(failures)} clean 503s during the restart; last resident done {max(finished) - back:.2f} s after"
        )
        assert max(finished) - back < 10

        with app.app_context():
            rows = list(db.session.scalars(select(Paper)))
            assert len(rows) == N and {p.status for p in rows} == {"submitted"}
            for paper in rows:  # no half-written paper: every item scored, the total is their sum
                assert all(i.given is not None and i.awarded is not None for i in paper.items)
                assert paper.score == sum(i.awarded for i in paper.items)
            assert db.session.scalar(select(func.count()).select_from(Paper)) == N
            campaign = db.session.scalar(select(Campaign))  # the boards match the database afterwards
            assert "rebuilt" in watch_leaderboards(clock.now())
            assert views(campaign) == sql_views(campaign) and len(views(campaign)[0]) == N
        assert "答题" in wx.text("帮助")
    finally:
        clock.freeze(None)
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
