"""Nothing about the answers leaves the server before the paper is submitted."""

from __future__ import annotations

import json

from app.extensions import db
from app.models.paper import Paper
from app.services import bank
from tests.api.helpers import key_for, option_count, resident, wrong

FORBIDDEN_KEYS = {
    "answer",
    "answer_key",
    "correct",
    "correct_answer",
    "awarded",
    "explanation",
    "source",
    "quote",
    "option_order",
    "seed",
    "question_id",
    "tags",
}


def keys_and_values(value, path=""):
    if isinstance(value, dict):
        for k, v in value.items():
            yield k, v
            yield from keys_and_values(v, f"{path}.{k}")
    elif isinstance(value, list):
        for v in value:
            yield from keys_and_values(v, path)


def secrets_of(app, paper_id: int) -> list[str]:
    """The explanations and quotes of the issued questions, as text and as JSON-escaped text."""
    with app.app_context():
        out = []
        for item in db.session.get(Paper, paper_id).items:
            q = bank.get_question(item.question_id)
            out += [q.explanation, json.dumps(q.explanation)[1:-1]]
            if q.quote:
                out += [q.quote, json.dumps(q.quote)[1:-1]]
        return out


def test_a_whole_paper_session_leaks_nothing_before_submission(app, emu, campaign):
    api = resident(app, emu)
    api.get("/campaign")
    api.get("/me")
    paper = api.get("/papers/today").body
    pid = paper["id"]
    key = key_for(app, pid)
    api.get("/papers/today")
    api.get(f"/papers/{pid}")
    api.get("/me/results")
    api.post(f"/papers/{pid}/submit", {"answers": {"1": "AB"}})  # invalid: refused with a hint
    api.post(f"/papers/{pid}/submit", {"answers": {"9": "A"}})  # not on the paper
    for position in range(1, 9):
        right, qtype, _ = key[position]
        given = right if position % 2 else wrong(right, qtype, option_count(paper, position))
        api.post(f"/papers/{pid}/answers", {"position": position, "answer": "Q"})  # unreadable
        api.post(f"/papers/{pid}/answers", {"position": position, "answer": given})
        api.post(f"/papers/{pid}/answers", {"position": position, "answer": given})  # repeated
        api.get(f"/papers/{pid}")
    api.post(f"/papers/{pid}/answers", {"position": 1, "answer": wrong(key[1][0], "single")})  # 409
    api.get("/papers/today")
    api.get("/me/results")

    before = list(api.calls)
    secrets = secrets_of(app, pid)
    assert len(before) > 35
    for call in before:
        assert call.body is not None, call.path
        for secret in secrets:
            assert secret not in call.text, (call.method, call.path)
        for k, v in keys_and_values(call.body):
            assert k not in FORBIDDEN_KEYS, (call.method, call.path, k)
            if k == "score":
                assert v is None, (call.method, call.path)
        assert '"correct' not in call.text and '"answer"' not in call.text

    result = api.post(f"/papers/{pid}/submit", {"answers": {}})
    assert result.status == 200
    assert any(s in result.text for s in secrets)  # the same check would have caught a leak
    assert {"correct_answer", "explanation", "awarded"} <= set(result.body["items"][0])
