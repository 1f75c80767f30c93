"""No personal data in logs: a realistic flow (chat registration with a phone, answers, a real-name tip;
the same over the H5 API, my data, deletion) with the app's loggers at DEBUG; the captured output holds
no phone number, openid or name."""

from __future__ import annotations

import logging
import re
from datetime import timedelta

from app import clock
from tests.api.helpers import key_for, resident
from tests.quiz.conftest import EVENING
from tests.quiz.test_chat_quiz import register_by_chat, right_answer
from tests.support.wechat import wechat_client
from tests.tips.conftest import chat_tip

APP_LOGGERS = ("app", "wechat_handlers", "quiz_bank", "config", "werkzeug", "fangfei")
PHONE = re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)")
NAMES = ("张三", "王秀英", "刘建国", "李四")
OPENIDS = ("o_resident_0001", "o_log_tipster", "o_log_h5")


def test_a_whole_flow_logs_no_phone_openid_or_name(app, emu, campaign, caplog, capfd):
    for name in APP_LOGGERS:
        caplog.set_level(logging.DEBUG, logger=name)
    app.config["ANSWER_LIMIT_USER"] = 12  # the slowed path logs too

    wx = wechat_client(app)
    register_by_chat(wx, name="张三", phone="13800138000")
    wx.text("Z")  # an unreadable answer
    for _ in range(7):
        wx.text(right_answer(app))
    clock.freeze(EVENING + timedelta(minutes=5))
    wx.text(right_answer(app))
    wx.text("我的信息")
    wx.text("我的成绩")
    chat_tip(app, "o_log_tipster", real_name=("王秀英", "13712345678"))

    api = resident(app, emu, openid="o_log_h5", name="李四", phone="13598765432")
    pid = api.get("/papers/today").body["id"]
    key = key_for(app, pid)
    for position in range(1, 9):
        api.post(f"/papers/{pid}/answers", {"position": position, "answer": key[position][0]})
    for _ in range(6):
        api.post(f"/papers/{pid}/answers", {"position": 1, "answer": key[1][0]})  # some get 429
    app.config["ANSWER_LIMIT_USER"] = 100
    api.post(f"/papers/{pid}/submit", {"answers": {}})
    api.post(
        "/tips",
        {
            "category": "person",
            "target": "赵某",
            "story": "借钱说年息三成",
            "anonymous": False,
            "name": "刘建国",
            "phone": "13698765432",
            "consent": True,
        },
    )
    api.post("/register", {"name": "李四", "region": "北京", "phone": "1359876543", "consent": True})  # bad
    api.get("/me/data")
    api.call("DELETE", "/me/data")
    wx.text("删除我的信息")
    wx.text("确认删除")

    out, err = capfd.readouterr()
    raw = []  # what the code logged, before app.observability's scrubber (a second line of defence)
    for record in caplog.records:
        raw.append(record.getMessage())
        raw.append(repr(getattr(record, "fields", "")))
        if record.exc_info:
            raw.append(logging.Formatter().formatException(record.exc_info))
    logged = "\n".join(raw) + out + err
    requests_logged = [r for r in caplog.records if r.getMessage() == "request"]
    assert len(requests_logged) >= 30 and "/api/v1/papers" in logged  # the flow was captured
    assert not PHONE.findall(logged), PHONE.findall(logged)[:3]
    for secret in (*NAMES, *OPENIDS):
        assert secret not in logged, secret
