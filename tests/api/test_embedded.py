"""The API on `make run`'s deployment: SQLite, no Redis (login codes remembered in the database store)."""

from __future__ import annotations

from tests.api.helpers import Api, key_for, mint_code, resident


def test_login_register_answer_and_submit_on_sqlite(embedded_app, emu, embedded_campaign):
    app = embedded_app
    code = mint_code(emu, "o_embedded")
    assert Api(app).post("/login/oauth", {"code": code}).status == 200
    assert Api(app).post("/login/oauth", {"code": code}).status == 200  # remembered without Redis
    api = resident(app, emu, "o_embedded")
    paper = api.get("/papers/today").body
    assert api.get("/papers/today").body["id"] == paper["id"]
    key = key_for(app, paper["id"])
    assert api.post(f"/papers/{paper['id']}/answers", {"position": 1, "answer": key[1][0]}).status == 200
    answers = {str(p): v[0] for p, v in key.items()}
    result = api.post(f"/papers/{paper['id']}/submit", {"answers": answers})
    assert result.status == 200 and result.body["score"] == 100
    repeat = api.post(f"/papers/{paper['id']}/submit", {"answers": answers})
    assert repeat.status == 200 and repeat.body["already_submitted"] is True
    changed = {**answers, "4": "对" if answers["4"] == "错" else "错"}
    assert api.post(f"/papers/{paper['id']}/submit", {"answers": changed}).status == 409
    assert api.get("/me/results").body["cumulative_score"] == 100
    other = resident(app, emu, "o_embedded_2", name="李四")
    assert other.get(f"/papers/{paper['id']}").status == 404
