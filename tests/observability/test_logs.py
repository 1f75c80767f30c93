"""Structured logs: JSON lines with a request id (X-Request-Id honoured) and the WeChat MsgId, and no
names, phone numbers or openids anywhere in them."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator

import pytest

from app.observability.hooks import note_wechat, queue_wait
from app.observability.logs import JsonFormatter
from tests.quiz.test_chat_quiz import register_by_chat, right_answer
from tests.support.wechat import wechat_client
from tests.tips.conftest import chat_tip

OPENID = "oQ3x8Zk_2Lm9Wn4Rt7Yv1Bc6Df0G"  # 28 characters, shaped like a real openid
NAME, PHONE = "欧阳晓明", "13912345678"


@pytest.fixture
def captured(app) -> Iterator[io.StringIO]:  # noqa: ANN001
    buffer = io.StringIO()
    handler = logging.StreamHandler(buffer)
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    level = root.level
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    yield buffer
    root.removeHandler(handler)
    root.setLevel(level)


def lines(buffer: io.StringIO) -> list[dict]:
    return [json.loads(line) for line in buffer.getvalue().splitlines() if line.strip()]


def test_a_whole_quiz_and_a_real_name_tip_leave_no_personal_data(app, campaign, captured):
    wx = wechat_client(app, openid=OPENID)
    register_by_chat(wx, name=NAME, phone=PHONE)
    for _ in range(8):
        wx.text(right_answer(app, OPENID))
    chat_tip(app, openid=OPENID, real_name=(NAME, PHONE))
    text = captured.getvalue()
    entries = lines(captured)
    access = [e for e in entries if e["logger"] == "fangfei.access" and e.get("path") == "/wechat"]
    assert len(access) >= 20
    assert all(e["request_id"] and e["status"] == 200 for e in access)
    assert {e["wechat_type"] for e in access} == {"text"}
    msg_ids = [e["msg_id"] for e in access]
    assert len(set(msg_ids)) == len(msg_ids)  # each message carries its own WeChat MsgId
    for secret in (OPENID, PHONE, "139 1234 5678", NAME, "openid="):
        assert secret not in text, f"{secret!r} leaked into the logs"


def test_request_id_is_honoured_or_generated(app, captured):
    client = app.test_client()
    res = client.get("/healthz", headers={"X-Request-Id": "lb-7f3a9c"})
    assert res.headers["X-Request-Id"] == "lb-7f3a9c"
    generated = client.get("/healthz", headers={"X-Request-Id": "bad id with spaces <script>"})
    assert len(generated.headers["X-Request-Id"]) == 32
    ids = [e["request_id"] for e in lines(captured) if e["logger"] == "fangfei.access"]
    assert ids == ["lb-7f3a9c", generated.headers["X-Request-Id"]]


def test_scrubbing_catches_personal_data_a_careless_line_would_leak(app, captured):
    with app.test_request_context("/wechat"):
        app.preprocess_request()
        note_wechat("event", "subscribe", None, "o_short_test_id")
        logging.getLogger("fangfei.test").error(
            "handler failed for e:o_short_test_id:1700000000:subscribe, phone 13800138000, id %s", OPENID
        )
    text = captured.getvalue()
    assert "o_short_test_id" not in text and "13800138000" not in text and OPENID not in text
    assert "<openid>" in text and "<phone>" in text


def test_queue_wait_reads_nginx_request_start():
    assert queue_wait("t=1000.250", now=1004.0) == pytest.approx(3.75)
    assert queue_wait("t=1700000000123", now=1700000004.123) == pytest.approx(4.0)
    assert queue_wait("t=1700000000123456", now=1700000001.123456) == pytest.approx(1.0)
    assert queue_wait("garbage") is None and queue_wait("") is None
