"""Scripted answering is slowed: per resident and per IP on the API, per resident in chat. A refused
request records nothing and says so politely in Chinese."""

from __future__ import annotations

import redis as redis_lib
from sqlalchemy import select

from app import redis_keys
from app.extensions import db
from app.models.paper import Paper
from app.models.participant import Participant
from tests.api.helpers import key_for, resident
from tests.quiz.test_chat_quiz import register_by_chat, right_answer

SLOW = "您答得太快啦"


def given(app, paper_id):
    with app.app_context():
        return {i.position: i.given for i in db.session.get(Paper, paper_id).items}


def test_api_burst_from_one_resident_is_slowed_and_changes_nothing(app, emu, campaign):
    app.config["ANSWER_LIMIT_USER"] = 5
    api = resident(app, emu)
    pid = api.get("/papers/today").body["id"]
    key = key_for(app, pid)
    statuses = [
        api.post(f"/papers/{pid}/answers", {"position": 1, "answer": key[1][0]}).status for _ in range(5)
    ]
    assert statuses == [200] * 5  # the same answer again is accepted (idempotent) and counted
    refused = api.post(f"/papers/{pid}/answers", {"position": 2, "answer": key[2][0]})
    assert refused.status == 429 and refused.body["error"] == "rate_limited"
    assert SLOW in refused.body["message"] and "Traceback" not in refused.text
    assert given(app, pid)[2] is None  # nothing recorded
    submit = api.post(f"/papers/{pid}/submit", {"answers": {}})
    assert submit.status == 429
    assert api.get(f"/papers/{pid}").body["status"] == "open"  # not submitted by the refused call
    r = redis_lib.Redis.from_url(app.config["REDIS_URL"])
    ttls = [r.ttl(k) for k in r.scan_iter(redis_keys.rate("answer-user", "*", 60).name)]
    assert ttls and all(0 < t <= 60 for t in ttls)  # the window ends: a person can carry on a minute later


def test_api_burst_from_one_ip_is_slowed_for_that_ip_only(app, emu, campaign):
    app.config["ANSWER_LIMIT_USER"] = 100
    app.config["ANSWER_LIMIT_IP"] = 6
    a, b, c = resident(app, emu), resident(app, emu), resident(app, emu)
    c.ip = "198.51.100.9"
    papers = {id(api): api.get("/papers/today").body["id"] for api in (a, b, c)}
    keys = {who: key_for(app, pid) for who, pid in papers.items()}

    def answer(api, position):
        pid, right = papers[id(api)], keys[id(api)][position][0]
        return api.post(f"/papers/{pid}/answers", {"position": position, "answer": right})

    assert [answer(a, p).status for p in (1, 2, 3, 4)] == [200] * 4
    assert [answer(b, p).status for p in (1, 2)] == [200] * 2
    blocked = answer(b, 3)
    assert blocked.status == 429 and SLOW in blocked.body["message"]
    assert given(app, papers[id(b)])[3] is None
    assert answer(c, 1).status == 200  # another address is not affected


def test_chat_burst_is_slowed_and_the_question_waits(app, wx, campaign):
    app.config["ANSWER_LIMIT_USER"] = 3
    register_by_chat(wx)
    for _ in range(3):
        assert "第" in wx.text(right_answer(app))
    reply = wx.text(right_answer(app))
    assert SLOW in reply and "回答正确" not in reply
    with app.app_context():
        participant = db.session.scalar(select(Participant).where(Participant.openid == "o_resident_0001"))
        paper = db.session.scalar(select(Paper).where(Paper.participant_id == participant.id))
        assert sum(1 for i in paper.items if i.given is not None) == 3 and paper.status == "open"
