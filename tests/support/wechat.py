"""WeChat client helper for tests: signs and encrypts like WeChat, in-process or over HTTP."""

from __future__ import annotations

from flask import Flask

from app.emulator.chat_client import ChatClient, Transport, http_transport


def flask_transport(app: Flask) -> Transport:
    client = app.test_client()

    def post(path: str, body: bytes) -> tuple[int, str]:
        res = client.post(path, data=body, content_type="text/xml")
        return res.status_code, res.get_data(as_text=True)

    return post


def wechat_client(
    app: Flask, openid: str = "o_resident_0001", mode: str = "safe", base_url: str | None = None
):
    cfg = app.config
    transport = http_transport(base_url) if base_url else flask_transport(app)
    return ChatClient(
        transport, cfg["WECHAT_TOKEN"], cfg["WECHAT_APP_ID"], cfg["WECHAT_AES_KEY"], mode, openid
    )


__all__ = ["ChatClient", "wechat_client"]
