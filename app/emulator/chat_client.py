"""Talks to fangfei's /wechat exactly as WeChat does: XML, signature, AES (safe mode) and retries."""

from __future__ import annotations

import itertools
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from xml.sax.saxutils import escape

from defusedxml.ElementTree import fromstring
from wechatpy.crypto import WeChatCrypto

from app.wechat.inbound import sign

# transport(path_with_query, body) -> (status, response text)
Transport = Callable[[str, bytes], tuple[int, str]]
_ids = itertools.count(int(time.time() * 1000))


def http_transport(base_url: str, timeout: float = 10.0) -> Transport:
    import requests

    session = requests.Session()

    def post(path: str, body: bytes) -> tuple[int, str]:
        res = session.post(base_url.rstrip("/") + path, data=body, timeout=timeout)
        return res.status_code, res.text

    return post


@dataclass
class Delivery:
    """One delivered message: the request as sent and the parsed reply."""

    status: int
    raw: str
    reply: dict[str, str]
    body: bytes = b""
    query: str = ""

    @property
    def text(self) -> str:
        return self.reply.get("Content", "")


@dataclass
class ChatClient:
    transport: Transport
    token: str
    app_id: str
    aes_key: str
    mode: str = "safe"  # plaintext or safe
    openid: str = "o_resident_0001"
    account: str = "gh_fangfei"
    path: str = "/wechat"
    history: list[Delivery] = field(default_factory=list)

    # Messages ----------------------------------------------------------------------------------
    def text(self, content: str) -> str:
        return self.send({"MsgType": "text", "Content": content}).text

    def click(self, key: str) -> str:
        return self.send({"MsgType": "event", "Event": "CLICK", "EventKey": key}).text

    def subscribe(self, scene: str = "") -> str:
        extra = {"EventKey": f"qrscene_{scene}"} if scene else {}
        return self.send({"MsgType": "event", "Event": "subscribe", **extra}).text

    def unsubscribe(self) -> str:
        return self.send({"MsgType": "event", "Event": "unsubscribe"}).text

    def location(self, lat: float, lng: float, label: str = "") -> str:
        fields = {"MsgType": "location", "Location_X": lat, "Location_Y": lng, "Scale": 15, "Label": label}
        return self.send(fields).text

    def image(self, media_id: str, pic_url: str = "") -> str:
        return self.send({"MsgType": "image", "MediaId": media_id, "PicUrl": pic_url}).text

    def voice(self, recognition: str, media_id: str = "VOICE1") -> str:
        fields = {"MsgType": "voice", "MediaId": media_id, "Format": "amr", "Recognition": recognition}
        return self.send(fields).text

    # Transport ---------------------------------------------------------------------------------
    def build(self, fields: dict[str, Any], create_time: int | None = None) -> str:
        base = {
            "ToUserName": self.account,
            "FromUserName": self.openid,
            "CreateTime": create_time or int(time.time()),
        }
        if fields.get("MsgType") != "event":
            base["MsgId"] = next(_ids)
        parts = [
            f"<{k}><![CDATA[{v}]]></{k}>" if isinstance(v, str) else f"<{k}>{v}</{k}>"
            for k, v in {**base, **fields}.items()
        ]
        return "<xml>" + "".join(parts) + "</xml>"

    def seal(self, xml: str, timestamp: str | None = None, nonce: str | None = None) -> tuple[str, bytes]:
        """Query string and body as WeChat would send them for this mode."""
        timestamp = timestamp or str(int(time.time()))
        nonce = nonce or secrets.token_hex(5)
        query = {
            "timestamp": timestamp,
            "nonce": nonce,
            "signature": sign(self.token, timestamp, nonce),
            "openid": self.openid,
        }
        body = xml.encode()
        if self.mode == "safe":
            crypto = WeChatCrypto(self.token, self.aes_key, self.app_id)
            sealed = crypto.encrypt_message(xml, nonce, timestamp)
            envelope = fromstring(sealed)
            encrypt = envelope.findtext("Encrypt") or ""
            query.update(encrypt_type="aes", msg_signature=sign(self.token, timestamp, nonce, encrypt))
            body = (
                f"<xml><ToUserName><![CDATA[{escape(self.account)}]]></ToUserName>"
                f"<Encrypt><![CDATA[{encrypt}]]></Encrypt></xml>".encode()
            )
        qs = "&".join(f"{k}={v}" for k, v in query.items())
        return qs, body

    def post(self, query: str, body: bytes) -> Delivery:
        status, raw = self.transport(f"{self.path}?{query}", body)
        delivery = Delivery(
            status=status, raw=raw, reply=self.open_reply(status, raw), body=body, query=query
        )
        self.history.append(delivery)
        return delivery

    def send(self, fields: dict[str, Any]) -> Delivery:
        query, body = self.seal(self.build(fields))
        return self.post(query, body)

    def open_reply(self, status: int, raw: str) -> dict[str, str]:
        if status != 200 or not raw or raw == "success":
            return {}
        root = fromstring(raw.encode())
        if root.find("Encrypt") is not None:
            crypto = WeChatCrypto(self.token, self.aes_key, self.app_id)
            plain = crypto.decrypt_message(
                {"Encrypt": root.findtext("Encrypt")},
                root.findtext("MsgSignature"),
                root.findtext("TimeStamp"),
                root.findtext("Nonce"),
            )
            root = fromstring(plain.encode())
        return {child.tag: child.text or "" for child in root}
