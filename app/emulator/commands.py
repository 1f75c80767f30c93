"""The chat simulator's line language: text, /click KEY, /subscribe, /location, /image, /voice."""

from __future__ import annotations

import shlex
from pathlib import Path

import requests

from app.emulator.chat_client import ChatClient


def upload_media(api_base: str, path: str) -> str:
    """Put a local file into the emulator's media store, as if the resident had sent it to WeChat."""
    data = Path(path).read_bytes()
    res = requests.post(
        api_base.rstrip("/") + "/cgi-bin/media/upload", files={"media": (Path(path).name, data)}, timeout=5
    )
    return res.json()["media_id"]


def run_line(client: ChatClient, line: str, api_base: str) -> str:
    """Send one simulator line; returns the reply text (or a note when there is no reply)."""
    if line.startswith("/"):
        parts = shlex.split(line)
        cmd, args = parts[0], parts[1:]
        if cmd == "/click" and args:
            reply = client.click(args[0])
        elif cmd == "/subscribe":
            reply = client.subscribe()
        elif cmd == "/unsubscribe":
            reply = client.unsubscribe()
        elif cmd == "/location" and len(args) >= 2:
            reply = client.location(float(args[0]), float(args[1]), " ".join(args[2:]))
        elif cmd == "/image" and args:
            reply = client.image(upload_media(api_base, args[0]))
        elif cmd == "/voice" and args:
            reply = client.voice(" ".join(args))
        else:
            return (
                "[用法] 文字 | /click KEY | /subscribe | /location 纬度 经度 地名 | /image 路径 | /voice 文字"
            )
    else:
        reply = client.text(line)
    last = client.history[-1]
    if last.status != 200:
        return f"[HTTP {last.status}] {last.raw}"
    return reply or "[no reply]"
