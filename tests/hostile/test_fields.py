"""Property-based tests over what residents type: the answer parser, registration fields (API and chat)
and the tip intake. Any input gets a clean 2xx/4xx; what is stored is exactly what passed the rules."""

from __future__ import annotations

import itertools
import os
import unicodedata
from collections.abc import Iterator

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from app import clock
from app.extensions import db
from app.models.participant import Participant
from app.models.tip import Tip
from app.web.api.auth import issue_token
from quiz_bank.answers import InvalidAnswer, parse_answer
from quiz_bank.schema import QuestionType
from tests.conftest import build_app, clean_database
from tests.quiz.conftest import EVENING
from tests.support import services
from tests.support.wechat import wechat_client

EXAMPLES = int(os.environ.get("FANGFEI_FUZZ_EXAMPLES", "100"))
HOSTILE = [
    "<script>alert(1)</script>",
    "'; DROP TABLE participants; --",
    '=HYPERLINK("http://evil","点我")',
    "张三\u202e😀\x07",
    "\x00\x1b[31m",
    "𠮷" * 300,
]
_ids = itertools.count()


@settings(max_examples=EXAMPLES * 5)
@given(
    qtype=st.sampled_from(list(QuestionType)),
    text=st.text(max_size=40),
    n=st.integers(2, 6),
)
@example(qtype=QuestionType.SINGLE, text="Ｂ\u200b", n=4)
@example(qtype=QuestionType.MULTIPLE, text="a，c;DROP", n=4)
def test_answer_parser_accepts_or_explains(qtype, text, n):
    keys = [chr(ord("A") + i) for i in range(n)]
    try:
        parsed = parse_answer(qtype, text, keys)
    except InvalidAnswer as exc:
        assert exc.hint and all(
            "\u4e00" <= ch <= "\u9fff" for ch in exc.hint if ch.isalpha() and ord(ch) > 127
        )
        return
    if qtype is QuestionType.JUDGE:
        assert parsed in ("对", "错")
    else:
        assert parsed and set(parsed) <= set(keys) and list(parsed) == sorted(set(parsed))
        assert len(parsed) == 1 if qtype is QuestionType.SINGLE else len(parsed) >= 2


@pytest.fixture
def open_app(pg_url, redis_url, emu) -> Iterator:
    """The production-like app with an open campaign and rate limits out of the fuzzer's way."""
    from tests.factories import load_bundled_bank, make_campaign

    services.clear_redis(redis_url)
    app = build_app(
        pg_url,
        redis_url,
        WECHAT_API_BASE=emu,
        WECHAT_OPEN_BASE=emu,
        TIP_DAILY_LIMIT_USER=100_000,
        TIP_DAILY_LIMIT_IP=100_000,
    )
    clean_database(app)
    with app.app_context():
        load_bundled_bank()
        make_campaign()
    clock.freeze(EVENING)
    yield app
    clock.freeze(None)
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def post_as(app, path: str, body, openid: str):  # noqa: ANN001, ANN201
    with app.app_context():
        token = issue_token(openid)
    return app.test_client().post(f"/api/v1{path}", json=body, headers={"Authorization": f"Bearer {token}"})


field_text = st.one_of(st.sampled_from(HOSTILE), st.text(max_size=80))


@settings(max_examples=EXAMPLES)
@given(name=field_text, phone=st.one_of(st.none(), field_text), unit=st.one_of(st.none(), field_text))
@example(name="<script>alert(1)</script>", phone=None, unit="<b>x</b>")
@example(name="王\x00五", phone="13800138000", unit=None)
def test_registration_fields(open_app, name, phone, unit):
    openid = f"o_reg_{next(_ids)}"
    body = {"name": name, "region": "北京", "phone": phone, "work_unit": unit, "consent": True}
    res = post_as(open_app, "/register", body, openid)
    assert res.status_code in (201, 400), (res.status_code, res.get_data(as_text=True)[:200])
    with open_app.app_context():
        stored = db.session.scalar(select(Participant).where(Participant.openid == openid))
        if res.status_code == 400:
            assert stored is None and res.get_json()["message"]  # refused, nothing stored, a hint given
            return
        assert stored is not None
        for value in (stored.name, stored.work_unit or ""):
            assert not any(unicodedata.category(ch).startswith("C") for ch in value)
        assert "<" not in stored.name and ">" not in stored.name


@pytest.mark.parametrize("name", ["😀😀", "张\x07三", "<script>", "'; DROP TABLE x;--", "\u202e王五"])
def test_chat_registration_refuses_odd_names(open_app, name):
    wx = wechat_client(open_app, openid=f"o_chat_reg_{next(_ids)}")
    wx.text("答题")
    assert "请输入您的姓名" in wx.text("同意")
    delivery = wx.send({"MsgType": "text", "Content": name})
    if delivery.status == 400:  # a control character is not even well-formed XML: the gateway refuses it
        assert any(unicodedata.category(ch) == "Cc" for ch in name)
    else:
        assert "姓名" in delivery.text and "请选择" not in delivery.text  # asked again
    with open_app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Participant)) == 0


@settings(max_examples=EXAMPLES)
@given(target=field_text, story=field_text, place=st.one_of(st.none(), field_text))
@example(target="<img src=x onerror=alert(1)>", story="=cmd|' /C calc'!A0" * 3, place="@SUM(1+1)")
def test_tip_intake_fields(open_app, target, story, place):
    openid = f"o_tip_{next(_ids)}"
    body = {"category": "platform", "target": target, "story": story, "place": place, "anonymous": True}
    res = post_as(open_app, "/tips", body, openid)
    assert res.status_code in (201, 400), (res.status_code, res.get_data(as_text=True)[:200])
    with open_app.app_context():
        count = db.session.scalar(
            select(func.count()).select_from(Tip).where(Tip.receipt == res.get_json().get("receipt"))
        )
        assert count == (1 if res.status_code == 201 else 0)
