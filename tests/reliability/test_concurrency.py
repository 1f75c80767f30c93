"""Concurrency on real PostgreSQL, over a real socket: 50 duplicate deliveries of one chat message,
50 simultaneous submissions of one paper, two devices of one resident answering at once. Each ends in
exactly one scored paper, counted once on the leaderboard, and one reply for every delivery."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import requests
from sqlalchemy import select

from app import clock
from app.extensions import db
from app.models.campaign import Campaign
from app.models.paper import Paper
from app.services import leaderboard_rebuild, leaderboards, standings
from tests.api.helpers import key_for, resident, wrong
from tests.api.test_papers import planned_answers
from tests.quiz.conftest import EVENING
from tests.quiz.test_chat_quiz import register_by_chat, right_answer
from tests.support.wechat import wechat_client

N = 50


def at_once(n: int, fn) -> list:  # noqa: ANN001
    """Run fn() n times in n threads released together."""
    barrier = threading.Barrier(n, timeout=30)

    def go():  # noqa: ANN202
        barrier.wait()
        return fn()

    with ThreadPoolExecutor(max_workers=n) as pool:
        return [f.result(timeout=120) for f in [pool.submit(go) for _ in range(n)]]


def one_scored_paper(app) -> Paper:
    with app.app_context():
        rows = list(db.session.scalars(select(Paper)))
        assert len(rows) == 1
        paper = rows[0]
        assert paper.status == "submitted" and paper.score == sum(i.awarded or 0 for i in paper.items)
        campaign = db.session.scalar(select(Campaign))
        counted = [(r.team_id, r.papers) for r in leaderboards.team_board(campaign) if r.papers]
        assert leaderboards.is_ready(campaign) and counted == [(paper.team_id, 1)]  # counted once
        assert leaderboards.team_board(campaign) == standings.team_standings_sql(campaign)
        db.session.expunge(paper)
        return paper


def test_fifty_duplicate_deliveries_of_the_last_answer(app, campaign, live_server):
    with app.app_context():
        leaderboard_rebuild.rebuild(db.session.get(Campaign, campaign.id), clock.now())
    wx = wechat_client(app)  # in-process for the set-up
    register_by_chat(wx)
    for _ in range(7):
        wx.text(right_answer(app))
    clock.freeze(EVENING + timedelta(minutes=5))
    # The eighth answer, sealed once, delivered 50 times at the same moment (WeChat's retries, a replaying
    # proxy): same MsgId, same signature, same ciphertext.
    last = wx.build({"MsgType": "text", "Content": right_answer(app)})
    query, body = wx.seal(last)
    url = f"{live_server}/wechat?{query}"
    session_per_thread = threading.local()

    def deliver() -> tuple[int, str]:
        s = getattr(session_per_thread, "s", None) or requests.Session()
        session_per_thread.s = s
        res = s.post(url, data=body, timeout=30)
        return res.status_code, res.text

    deliveries = at_once(N, deliver)
    assert [status for status, _ in deliveries] == [200] * N  # a reply for every delivery
    replies = {wx.open_reply(200, raw).get("Content") for _, raw in deliveries if raw != "success"}
    assert len(replies) == 1, replies  # every delivery that got a text got the same one
    (reply,) = replies
    assert "得分：100/100分" in reply
    paper = one_scored_paper(app)
    assert paper.score == 100 and all(i.awarded == i.points for i in paper.items)
    print(f"\n{N} duplicate deliveries: {sum(raw == 'success' for _, raw in deliveries)} answered 'success'")


def test_fifty_simultaneous_submissions_over_http(app, campaign, live_server, emu):
    with app.app_context():
        leaderboard_rebuild.rebuild(db.session.get(Campaign, campaign.id), clock.now())
    api = resident(app, emu)
    paper = api.get("/papers/today").body
    answers, expected = planned_answers(app, paper)
    clock.freeze(EVENING + timedelta(minutes=5))
    headers = {"Authorization": f"Bearer {api.token}"}
    url = f"{live_server}/api/v1/papers/{paper['id']}/submit"
    results = at_once(N, lambda: requests.post(url, json={"answers": answers}, headers=headers, timeout=60))
    statuses = [r.status_code for r in results]
    # 429: the answer-pace limit (app.services.answer_pace) refuses a burst from one resident; 503: a
    # request that waited longer than DB_TIMEOUT for the paper's row lock or a pooled connection. Both
    # are clean JSON answers the page retries; neither records anything.
    assert set(statuses) <= {200, 429, 503} and statuses.count(200) >= 1, statuses
    errors = {429: "rate_limited", 503: "unavailable"}
    assert all(r.json()["error"] == errors[r.status_code] for r in results if r.status_code != 200)
    bodies = [r.json() for r in results if r.status_code == 200]
    print(
        f"\n{N} simultaneous submissions: " + ", ".join(f"{statuses.count(c)} x {c}" for c in (200, 429, 503))
    )
    assert sum(not b["already_submitted"] for b in bodies) == 1  # one submission scored it
    assert {b["score"] for b in bodies} == {expected}
    assert one_scored_paper(app).score == expected


def test_two_devices_answering_the_same_paper_at_once(app, campaign, live_server, emu):
    """Phone and tablet of one resident answer every question at the same moment, with different answers
    for the wrong-on-one-device questions: each question keeps exactly one answer, the paper is scored once."""
    with app.app_context():
        leaderboard_rebuild.rebuild(db.session.get(Campaign, campaign.id), clock.now())
    phone = resident(app, emu, openid="o_two_devices")
    paper = phone.get("/papers/today").body
    key = key_for(app, paper["id"])
    n_options = {i["position"]: len(i["options"]) for i in paper["items"]}
    clock.freeze(EVENING + timedelta(minutes=5))
    headers = {"Authorization": f"Bearer {phone.token}"}
    base = f"{live_server}/api/v1/papers/{paper['id']}"

    def device(right: bool):  # noqa: ANN202
        def run() -> list[tuple[int, int]]:
            out, s = [], requests.Session()
            for position, (answer, qtype, _) in sorted(key.items()):
                given = answer if right or position % 2 else wrong(answer, qtype, n_options[position])
                res = s.post(
                    f"{base}/answers",
                    json={"position": position, "answer": given},
                    headers=headers,
                    timeout=60,
                )
                out.append((position, res.status_code))
            res = s.post(f"{base}/submit", json={}, headers=headers, timeout=60)
            out.append((0, res.status_code))
            return out

        return run

    phone_run, tablet_run = device(True), device(False)
    turn = iter([phone_run, tablet_run])
    lock = threading.Lock()

    def next_device():  # noqa: ANN202
        with lock:
            fn = next(turn)
        return fn()

    outcomes = at_once(2, next_device)
    statuses = [status for run in outcomes for _, status in run]
    assert set(statuses) <= {200, 409}, statuses  # a conflict is a clean 409, never a 500
    for position in key:  # each question answered by exactly one device; a clash is refused, not merged
        pair = [dict(run)[position] for run in outcomes]
        assert 200 in pair
    paper_row = one_scored_paper(app)
    with app.app_context():
        items = {i.position: i for i in db.session.get(Paper, paper_row.id).items}
        assert all(items[p].given is not None for p in key)
