"""What `make run` does, on a fresh SQLite file with no Redis: migrate, seed, serve, answer a chat."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import requests

from app.emulator.chat_client import http_transport
from tests.support.wechat import ChatClient

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_fresh_sqlite_migrate_seed_serve_and_chat(tmp_path, emu):
    env = {
        **os.environ,
        "FLASK_APP": "app",
        "FANGFEI_DATABASE_URL": f"sqlite:///{tmp_path / 'fangfei.db'}",
        "FANGFEI_WECHAT_API_BASE": emu,
        "FANGFEI_REDIS_URL": "",
    }
    env.pop("FANGFEI_ENV", None)  # development defaults, like make run
    flask = [sys.executable, "-m", "flask"]
    for args in (["db", "upgrade"], ["seed", "demo"]):
        done = subprocess.run(
            flask + args, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=False
        )
        assert done.returncode == 0, done.stderr
    port = free_port()
    server = subprocess.Popen(
        flask + ["run", "--host", "127.0.0.1", "--port", str(port), "--no-reload"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        for _ in range(100):
            try:
                if requests.get(base + "/readyz", timeout=1).status_code == 200:
                    break
            except requests.ConnectionError:
                time.sleep(0.1)
        assert requests.get(base + "/readyz", timeout=2).json()["checks"] == {"database": "ok"}
        wx = ChatClient(
            http_transport(base),
            "fangfei-dev-token",
            "wx0123456789abcdef",
            "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG",
            "safe",
            "o_make_run",
        )
        assert "欢迎关注" in wx.subscribe()
        assert "个人信息说明" in wx.text("答题")
        wx.text("同意")
        wx.text("赵六")
        wx.text("北京")
        wx.text("跳过")
        assert "第1/8题" in wx.text("跳过")
    finally:
        server.terminate()
        server.wait(timeout=10)
