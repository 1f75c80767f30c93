"""`flask chat` talks to a running server over HTTP exactly as WeChat does."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.servers import ServerThread

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def live(app):
    server = ServerThread(app).start()
    yield server
    server.stop()


def run_chat(live_url: str, emu: str, lines: str, *extra: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "FLASK_APP": "app", "FANGFEI_ENV": "testing", "FANGFEI_WECHAT_API_BASE": emu}
    return subprocess.run(
        [sys.executable, "-m", "flask", "chat", "--url", live_url, *extra],
        input=lines,
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        timeout=60,
        check=False,
    )


def test_chat_session_in_safe_mode(live, emu, tmp_path):
    photo = tmp_path / "evidence.jpg"
    photo.write_bytes(b"\xff\xd8\xff\xe0fake-jpeg")
    script = (
        "/subscribe\n帮助\n规则\n/location 39.98 116.31 北京市海淀区\n/image "
        + str(photo)
        + "\n/voice 规则\n/quit\n"
    )
    result = run_chat(live.url, emu, script, "--openid", "o_cli_user")
    out = result.stdout
    assert result.returncode == 0, result.stderr
    assert "欢迎关注" in out
    assert "查询 编号" in out  # help
    assert out.count("8道题") == 2  # rules by text and by voice
    assert "收到您的位置" in out
    assert "如需举报" in out


def test_chat_plaintext_mode_and_bad_command(live, emu):
    result = run_chat(live.url, emu, "/nonsense\n帮助\n", "--mode", "plaintext")
    assert "[用法]" in result.stdout and "答题" in result.stdout


def test_emulator_command_serves(tmp_path):
    """`flask wechat emulator` (what `make run` starts) really serves the API."""
    import socket
    import time

    import requests

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {
        **os.environ,
        "FLASK_APP": "app",
        "FANGFEI_ENV": "testing",
        "FANGFEI_DATABASE_URL": f"sqlite:///{tmp_path / 'e.db'}",
    }
    proc = subprocess.Popen(
        [sys.executable, "-m", "flask", "wechat", "emulator", "--port", str(port)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        for _ in range(100):
            try:
                state = requests.get(f"http://127.0.0.1:{port}/_emulator/state", timeout=1).json()
                break
            except requests.ConnectionError:
                time.sleep(0.1)
        else:
            raise AssertionError("the emulator did not start")
        assert state["token_calls"] == 0
        token = requests.get(
            f"http://127.0.0.1:{port}/cgi-bin/token",
            params={
                "grant_type": "client_credential",
                "appid": "wx0123456789abcdef",
                "secret": "fangfei-dev-app-secret",
            },
            timeout=5,
        ).json()
        assert token["access_token"].startswith("EMU_")
    finally:
        proc.terminate()
        proc.wait(timeout=10)
