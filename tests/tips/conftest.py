"""Fixtures for tips: apps with office destinations, a real SMTP server and a real HTTP receiver."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import select

from app import clock
from app.extensions import db
from app.jobs.outbox import deliver_outbox
from app.jobs.runner import run_job
from app.models.outbox import OutboxMessage
from app.web.api.auth import issue_token
from tests.conftest import build_app, clean_database
from tests.support import services
from tests.support.wechat import wechat_client
from tests.tips.receivers import Receiver, SmtpServer

SECRET = "office-webhook-secret"
DASHBOARD = "https://office.example/staff"


@pytest.fixture
def make_app(pg_url: str, redis_url: str, emu: str, tmp_path: Path) -> Iterator[Callable[..., Flask]]:
    """Production-like apps (PostgreSQL + Redis + emulator) with tip settings; media under tmp_path."""
    made: list[Flask] = []
    services.clear_redis(redis_url)

    def make(**overrides) -> Flask:  # noqa: ANN003
        redis = overrides.pop("REDIS_URL", redis_url)
        settings = {
            "WECHAT_API_BASE": emu,
            "WECHAT_OPEN_BASE": emu,
            "MEDIA_DIR": str(tmp_path / "media"),
            "DASHBOARD_URL": DASHBOARD,
            **overrides,
        }
        application = build_app(pg_url, redis, **settings)
        if not made:
            clean_database(application)
        made.append(application)
        return application

    yield make
    clock.freeze(None)
    for application in made:
        with application.app_context():
            db.session.remove()
            db.engine.dispose()


@pytest.fixture
def office() -> Iterator[Receiver]:
    receiver = Receiver(SECRET)
    yield receiver
    receiver.stop()


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    server = SmtpServer().start()
    yield server
    server.stop()


def mail_settings(smtp: SmtpServer, to: str = "duty@office.example") -> dict:
    return {
        "TIP_EMAIL_TO": to,
        "SMTP_HOST": "127.0.0.1",
        "SMTP_PORT": smtp.port,
        "SMTP_SECURITY": "none",
        "SMTP_TIMEOUT": 2.0,
        "SMTP_FROM": "fangfei@tips.example",
    }


def hook_settings(office: Receiver) -> dict:
    return {"TIP_WEBHOOK_URLS": office.url + "/hook", "TIP_WEBHOOK_SECRET": SECRET}


# Helpers -------------------------------------------------------------------------------------------
def api(app: Flask, openid: str = "o_web_0001") -> tuple:
    with app.app_context():
        token = issue_token(openid)
    return app.test_client(), {"Authorization": f"Bearer {token}"}


TIP = {
    "category": "platform",
    "target": "鑫盛财富App",
    "story": "业务员说投十万每月返3%，拉人还有提成，现在提不了现。",
    "place": "北京市海淀区某小区",
    "anonymous": True,
}


def file_tip(app: Flask, openid: str = "o_web_0001", **fields) -> dict:  # noqa: ANN003
    client, headers = api(app, openid)
    res = client.post("/api/v1/tips", json={**TIP, **fields}, headers=headers)
    assert res.status_code == 201, res.get_json()
    return res.get_json()


def chat_tip(
    app: Flask,
    openid: str = "o_chat_0001",
    *,
    story: tuple[str, ...] = ("他们说投一万每月返五百。", "还让我拉亲戚朋友一起投。"),
    real_name: tuple[str, str] | None = None,
) -> str:
    """Go through the whole chat dialog; returns the receipt code."""
    wx = wechat_client(app, openid=openid)
    wx.text("举报")
    wx.text("1")
    wx.text("某某投资咨询有限公司")
    for piece in story:
        wx.text(piece)
    wx.text("好了")
    wx.text("跳过")
    wx.text("好了")
    if real_name:
        wx.text("2")
        wx.text(real_name[0])
        wx.text(real_name[1])
    else:
        wx.text("1")
    reply = wx.text("确认")
    assert "提交成功" in reply, reply
    return receipt_in(reply)


def receipt_in(text: str) -> str:
    import re

    found = re.search(r"JB-[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{2}", text)
    assert found, text
    return found.group(0)


def deliver(app: Flask, now: datetime | None = None) -> None:
    assert run_job(app, "deliver_outbox", deliver_outbox, now=now or clock.now())


def later(seconds: float) -> datetime:
    return clock.now() + timedelta(seconds=seconds)


def outbox_rows(app: Flask) -> list[OutboxMessage]:
    with app.app_context():
        rows = list(db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))
        db.session.expunge_all()
        return rows
