"""Render reply values to WeChat's passive-reply XML (and encrypt it when the request was encrypted)."""

from __future__ import annotations

import secrets
import time

from app.wechat.inbound import GatewayConfig
from wechat_handlers.incoming import Incoming
from wechat_handlers.replies import News, Reply, Text


def _cdata(text: str) -> str:
    return "<![CDATA[" + text.replace("]]>", "]]]]><![CDATA[>") + "]]>"


def render(reply: Reply, msg: Incoming) -> str:
    """Plain reply XML, or 'success' for no reply."""
    head = (
        f"<xml><ToUserName>{_cdata(msg.openid)}</ToUserName>"
        f"<FromUserName>{_cdata(msg.to_user)}</FromUserName>"
        f"<CreateTime>{int(time.time())}</CreateTime>"
    )
    if isinstance(reply, Text):
        return head + f"<MsgType><![CDATA[text]]></MsgType><Content>{_cdata(reply.text)}</Content></xml>"
    if isinstance(reply, News) and reply.articles:
        items = "".join(
            f"<item><Title>{_cdata(a.title)}</Title><Description>{_cdata(a.description)}</Description>"
            f"<PicUrl>{_cdata(a.image)}</PicUrl><Url>{_cdata(a.url)}</Url></item>"
            for a in reply.articles[:1]
        )
        return (
            head
            + f"<MsgType><![CDATA[news]]></MsgType><ArticleCount>1</ArticleCount><Articles>{items}</Articles></xml>"
        )
    return "success"  # Silent, or an empty News


def seal(cfg: GatewayConfig, xml: str) -> str:
    """Encrypt a rendered reply for safe/compatible mode (a fresh nonce per delivery)."""
    if xml == "success":
        return xml
    return cfg.crypto.encrypt_message(xml, secrets.token_hex(8), str(int(time.time())))
