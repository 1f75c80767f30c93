"""The answer key, correctness and explanations never leave the server before submission: every /api/v1
route in the app's url_map is called during an open paper (new routes are walked automatically), and
every chat keyword is sent while a paper is being answered."""

from __future__ import annotations

import re

from sqlalchemy import select

from app import runtime
from app.extensions import db
from app.models.paper import Paper
from app.models.participant import Participant
from app.services import bank
from tests.api.helpers import key_for, resident, wrong
from tests.api.test_no_leaks import FORBIDDEN_KEYS, keys_and_values, secrets_of
from tests.quiz.test_chat_quiz import register_by_chat, right_answer

METHODS = {"GET", "POST", "PATCH", "PUT", "DELETE"}
LAST = {("/api/v1/me/data", "DELETE")}  # erases the caller: walked last


def api_routes(app) -> list[tuple[str, str]]:
    return sorted(
        (rule.rule, method)
        for rule in app.url_map.iter_rules()
        if rule.rule.startswith("/api/v1")
        for method in rule.methods & METHODS
    )


def bodies(rule: str, method: str, key: dict) -> list:
    """Requests worth sending to a route: empty/garbage always; real answers where answering is allowed.
    The submit route only gets refused bodies: submitting is the moment the key may be shown."""
    if method in ("GET", "DELETE"):
        return [None]
    if rule.endswith("/answers"):
        return [
            {},
            {"position": 1, "answer": "Q"},
            {"position": 1, "answer": wrong(key[1][0], key[1][1])},
            {"position": 2, "answer": key[2][0]},
            {"position": 2, "answer": key[2][0]},
        ]
    if rule.endswith("/submit"):
        return [{"answers": {"1": "Q"}}, {"answers": {"99": "A"}}, {"answers": "x"}]
    if rule.endswith("/register"):
        return [{}, {"name": "张三", "region": "北京", "phone": "13800138000", "consent": True}]
    return [{}, {"x": 1}]


def test_every_api_route_during_an_open_paper_leaks_nothing(app, emu, campaign):
    api = resident(app, emu)
    pid = api.get("/papers/today").body["id"]
    key = key_for(app, pid)
    routes = api_routes(app)
    assert len(routes) >= 20
    walked = set()
    for rule, method in sorted(routes, key=lambda r: r in LAST):
        path = rule.removeprefix("/api/v1")
        for concrete in {
            re.sub(r"<int:paper_id>", str(pid), path),
            re.sub(r"<int:paper_id>", "999999", path),
        }:
            for body in bodies(rule, method, key):
                api.call(method, concrete, json=body)
        walked.add((rule, method))
    assert walked == set(routes)

    secrets = secrets_of(app, pid)
    assert len(api.calls) > len(routes)
    for call in api.calls:
        for secret in secrets:
            assert secret not in call.text, (call.method, call.path)
        if call.path == "/openapi.json":
            continue  # the schema names fields such as "answer"; it holds no data (secrets checked above)
        for k, v in keys_and_values(call.body):
            assert k not in FORBIDDEN_KEYS, (call.method, call.path, k)
            if k == "score" and call.path.startswith(("/papers", "/me")):
                assert v is None, (call.method, call.path)
        assert '"correct' not in call.text, (call.method, call.path)

    # The same checks see the key once a paper is submitted (so they could fail).
    other = resident(app, emu)
    other_pid = other.get("/papers/today").body["id"]
    result = other.post(f"/papers/{other_pid}/submit", {"answers": {}})
    assert result.status == 200 and any(s in result.text for s in secrets_of(app, other_pid))
    assert any(k in FORBIDDEN_KEYS for k, _ in keys_and_values(result.body))


def explanations(app, openid="o_resident_0001") -> dict[int, str]:
    with app.app_context():
        participant = db.session.scalar(select(Participant).where(Participant.openid == openid))
        paper = db.session.scalar(select(Paper).where(Paper.participant_id == participant.id))
        return {i.position: bank.get_question(i.question_id).explanation for i in paper.items}


def test_every_chat_keyword_during_a_paper_leaks_nothing(app, wx, campaign):
    register_by_chat(wx)  # ends by showing question 1
    secrets = explanations(app)
    with app.app_context():
        keywords = sorted(runtime.router().keywords)
    assert len(keywords) > 20
    replies = []
    for word in keywords:
        replies.append((word, wx.text(word)))
        replies.append((word, wx.text("答题")))  # back to the paper: the question again, nothing more
    replies.append(("bad", wx.text("Z")))  # unreadable: a hint, nothing else ("q" would mean 取消)
    for word, reply in replies:
        for secret in secrets.values():
            assert secret not in reply, word
        for marker in ("正确答案", "回答正确", "回答错误", "解析："):
            assert marker not in reply, (word, marker)

    # Documented chat behaviour: once a question's answer is recorded (it can no longer change), the
    # feedback shows that question's key and explanation, and never another question's.
    feedback = wx.text(right_answer(app))
    first = next(p for p in sorted(secrets) if secrets[p] in feedback)
    assert "回答正确" in feedback
    assert all(secrets[p] not in feedback for p in secrets if p != first)
