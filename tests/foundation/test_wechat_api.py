"""The WeChat API client against the local emulator over real HTTP: shared token, refresh, retries, menu."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import threading

import requests

from app import runtime
from app.extensions import db
from app.jobs.outbox import deliver_outbox
from app.models.outbox import OutboxMessage
from app.services import outbox
from tests.conftest import emulator_state


def test_token_fetched_once_by_many_threads(app, emu):
    with app.app_context():
        api = runtime.wechat_api(app)
        tokens: list[str] = []
        barrier = threading.Barrier(10)

        def get() -> None:
            barrier.wait()
            tokens.append(api.provider.get())

        threads = [threading.Thread(target=get) for _ in range(10)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    assert len(set(tokens)) == 1
    assert emulator_state(emu)["token_calls"] == 1


def test_token_shared_across_processes(app, emu, pg_url, redis_url):
    """N separate processes (as N gunicorn workers or hosts) make one refresh between them."""
    script = textwrap.dedent(
        f"""
        from tests.conftest import build_app
        from app import runtime
        app = build_app({pg_url!r}, {redis_url!r}, WECHAT_API_BASE={emu!r},
                        REDIS_NAMESPACE={app.config["REDIS_NAMESPACE"]!r})
        with app.app_context():
            print(runtime.wechat_api(app).provider.get())
        """
    )
    procs = [
        subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True) for _ in range(4)
    ]
    outputs = [p.communicate(timeout=60)[0].strip().splitlines()[-1] for p in procs]
    assert len(set(outputs)) == 1
    assert emulator_state(emu)["token_calls"] == 1


def test_invalid_token_is_refreshed_and_call_retried(app, emu):
    with app.app_context():
        api = runtime.wechat_api(app)
        first = api.provider.get()
        requests.post(emu + "_emulator/expire-tokens", timeout=5)
        api.message.send_text("o_user", "你好")
        assert api.provider.get() != first
    state = emulator_state(emu)
    assert state["token_calls"] == 2
    assert state["sent"][-1]["text"]["content"] == "你好"


def test_token_refresh_retries_on_errors(app, emu):
    requests.post(
        emu + "_emulator/faults", json={"endpoint": "token", "mode": "error", "count": 2}, timeout=5
    )
    with app.app_context():
        assert runtime.wechat_api(app).provider.get().startswith("EMU_")
    assert emulator_state(emu)["token_calls"] == 1  # two failures, then one success


def test_token_refresh_gives_up_cleanly(app, emu):
    from app.wechat.client import TokenUnavailable

    requests.post(
        emu + "_emulator/faults", json={"endpoint": "token", "mode": "http500", "count": 5}, timeout=5
    )
    with app.app_context():
        try:
            runtime.wechat_api(app).provider.get()
            raise AssertionError("expected TokenUnavailable")
        except TokenUnavailable as exc:
            assert "HTTP 500" in str(exc)


def test_menu_command_creates_the_configured_menu(app, emu):
    result = app.test_cli_runner().invoke(args=["wechat", "menu"])
    assert result.exit_code == 0, result.output
    menu = emulator_state(emu)["menu"]
    names = [b["name"] for b in menu["button"]]
    assert names == ["参与活动", "我要举报", "防非知识"]
    assert [b["name"] for b in menu["button"][0]["sub_button"]] == ["开始答题", "排行榜", "我的成绩"]


def test_overflow_messages_are_delivered_from_the_outbox(app, emu):
    from app import clock

    with app.app_context():
        outbox.enqueue_wechat_text("o_user", "第二段", key="t1", now=clock.now())
        db.session.commit()
        requests.post(emu + "_emulator/faults", json={"endpoint": "custom_send", "mode": "error"}, timeout=5)
        assert deliver_outbox(clock.now()) == "0/1 delivered"
        msg = db.session.query(OutboxMessage).one()
        assert msg.status == "pending" and msg.attempts == 1 and "WeChatClientException" in msg.last_error
        later = msg.next_attempt_at
        assert deliver_outbox(later) == "1/1 delivered"
        assert db.session.query(OutboxMessage).one().status == "sent"
    assert [m["text"]["content"] for m in emulator_state(emu)["sent"]] == ["第二段"]


def test_outbox_gives_up_after_max_attempts(app, emu):
    from datetime import timedelta

    from app import clock

    with app.app_context():
        outbox.enqueue_wechat_text("o_user", "x", key="t2", now=clock.now())
        db.session.commit()
        requests.post(
            emu + "_emulator/faults",
            json={"endpoint": "custom_send", "mode": "error", "count": 50},
            timeout=5,
        )
        when = clock.now()
        for _ in range(outbox.MAX_ATTEMPTS):
            deliver_outbox(when)
            when += timedelta(hours=2)
        msg = db.session.query(OutboxMessage).one()
        assert msg.status == "failed" and msg.attempts == outbox.MAX_ATTEMPTS


def test_emulator_oauth_code_is_single_use(emu):
    code = requests.post(emu + "_emulator/codes", json={"openid": "o_h5"}, timeout=5).json()["code"]
    params = {
        "appid": "wx0123456789abcdef",
        "secret": "fangfei-dev-app-secret",
        "code": code,
        "grant_type": "authorization_code",
    }
    first = requests.get(emu + "sns/oauth2/access_token", params=params, timeout=5).json()
    second = requests.get(emu + "sns/oauth2/access_token", params=params, timeout=5).json()
    assert first["openid"] == "o_h5"
    assert second["errcode"] == 40163


def test_emulator_code2session_and_media(emu):
    code = requests.post(emu + "_emulator/codes", json={"openid": "o_mini"}, timeout=5).json()["code"]
    res = requests.get(emu + "sns/jscode2session", params={"js_code": code}, timeout=5).json()
    assert res["openid"] == "o_mini"
    media_id = requests.post(
        emu + "cgi-bin/media/upload", files={"media": ("a.jpg", b"\xff\xd8jpegdata")}, timeout=5
    ).json()["media_id"]
    token = requests.get(
        emu + "cgi-bin/token",
        params={
            "grant_type": "client_credential",
            "appid": "wx0123456789abcdef",
            "secret": "fangfei-dev-app-secret",
        },
        timeout=5,
    ).json()["access_token"]
    got = requests.get(
        emu + "cgi-bin/media/get", params={"access_token": token, "media_id": media_id}, timeout=5
    )
    assert got.content == b"\xff\xd8jpegdata"
