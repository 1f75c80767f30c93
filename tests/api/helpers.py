"""A resident's H5 page or mini-program talking to /api/v1, plus answer helpers that read the bank's key."""

from __future__ import annotations

import contextvars
import itertools
from dataclasses import dataclass, field
from typing import Any

import requests
from flask import Flask

from app.extensions import db
from app.models.paper import Paper
from app.services import bank
from quiz_bank.composer import to_displayed

REGISTRATION = {
    "name": "张三",
    "region": "北京",
    "phone": "13800138000",
    "work_unit": "海淀区某街道",
    "consent": True,
}


@dataclass
class Call:
    method: str
    path: str
    sent: Any
    status: int
    text: str
    body: Any


@dataclass
class Api:
    """A browser tab of the activity page: keeps the session token and records every call."""

    app: Flask
    token: str | None = None
    ip: str = "127.0.0.1"
    calls: list[Call] = field(default_factory=list)

    def call(self, method: str, path: str, json: Any = None, **kwargs: Any) -> Call:
        headers = {"Authorization": f"Bearer {self.token}"} if self.token else {}
        # An empty context, as in production: the request gets its own app context (g, database session)
        # even when the test holds one (the campaign fixtures do).
        res = contextvars.Context().run(
            self.app.test_client().open,
            "/api/v1" + path,
            method=method,
            json=json,
            headers=headers,
            environ_base={"REMOTE_ADDR": self.ip},
            **kwargs,
        )
        call = Call(
            method, path, json, res.status_code, res.get_data(as_text=True), res.get_json(silent=True)
        )
        self.calls.append(call)
        return call

    def get(self, path: str, **kwargs: Any) -> Call:
        return self.call("GET", path, **kwargs)

    def post(self, path: str, json: Any = None, **kwargs: Any) -> Call:
        return self.call("POST", path, json=json, **kwargs)

    def patch(self, path: str, json: Any = None) -> Call:
        return self.call("PATCH", path, json=json)

    def login(self, emu: str, openid: str, kind: str = "oauth") -> Call:
        res = self.post(f"/login/{kind}", {"code": mint_code(emu, openid)})
        assert res.status == 200, res.text
        self.token = res.body["token"]
        return res


_openids = itertools.count(1)


def mint_code(emu: str, openid: str) -> str:
    """What WeChat hands the page after the resident opens it from the menu."""
    return requests.post(emu + "_emulator/codes", json={"openid": openid}, timeout=5).json()["code"]


def resident(app: Flask, emu: str, openid: str | None = None, register: bool = True, **details: Any) -> Api:
    api = Api(app)
    api.login(emu, openid or f"o_api_{next(_openids):04d}")
    if register:
        res = api.post("/register", {**REGISTRATION, **details})
        assert res.status == 201, res.text
    return api


# The key, read independently of the API ------------------------------------------------------------
def key_for(app: Flask, paper_id: int) -> dict[int, tuple[str, str, int]]:
    """position -> (right answer in displayed letters, type, points), from the bank's own key."""
    with app.app_context():
        paper = db.session.get(Paper, paper_id)
        out = {}
        for item in paper.items:
            q = bank.get_question(item.question_id)
            shown = to_displayed(q, item.option_order, q.answer) if q.is_choice else q.answer
            out[item.position] = (shown, item.qtype, item.points)
        return out


def wrong(right: str, qtype: str, n_options: int = 4) -> str:
    if qtype == "judge":
        return "错" if right == "对" else "对"
    letters = [chr(ord("A") + i) for i in range(n_options)]
    if qtype == "single":
        return next(x for x in letters if x != right)
    pairs = ("".join(p) for p in itertools.combinations(letters, 2))
    return next(p for p in pairs if p != right)


def option_count(paper: dict, position: int) -> int:
    return len(next(i for i in paper["items"] if i["position"] == position)["options"])
