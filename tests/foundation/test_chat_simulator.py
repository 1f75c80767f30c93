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
