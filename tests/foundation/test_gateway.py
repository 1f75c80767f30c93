"""The /wechat gateway: handshake, modes, signatures, replays, size and XML limits, dedup, reply size."""

from __future__ import annotations

import time

import pytest
from wechatpy.crypto import WeChatCrypto

from app.wechat.inbound import sign
from tests.support.wechat import wechat_client

TOKEN = "fangfei-dev-token"


def signed_query(timestamp: str | None = None, nonce: str = "n1") -> dict[str, str]:
    ts = timestamp or str(int(time.time()))
    return {"timestamp": ts, "nonce": nonce, "signature": sign(TOKEN, ts, nonce)}


def test_handshake_returns_echostr(app):
    res = app.test_client().get("/wechat", query_string={**signed_query(), "echostr": "hello123"})
    assert res.status_code == 200
    assert res.get_data(as_text=True) == "hello123"


def test_handshake_bad_signature_is_403(app):
    q = {**signed_query(), "echostr": "x"}
    q["signature"] = "0" * 40
    assert app.test_client().get("/wechat", query_string=q).status_code == 403


def test_safe_mode_round_trip(wx):
    wx.mode = "safe"
    reply = wx.text("帮助")
    assert "答题" in reply and "举报" in reply
    raw = wx.history[-1].raw
    assert "<Encrypt>" in raw and "帮助" not in raw  # the reply itself is encrypted


def test_plaintext_in_compatible_mode(app):
    wx = wechat_client(app, mode="plaintext")
    assert "活动规则" in wx.text("规则")
    assert "<Encrypt>" not in wx.history[-1].raw


def test_safe_mode_refuses_plaintext(app):
    app.extensions["fangfei.gateway"] = app.extensions["fangfei.gateway"].__class__(
        token=TOKEN, app_id=app.config["WECHAT_APP_ID"], aes_key=app.config["WECHAT_AES_KEY"], mode="safe"
    )
    wx = wechat_client(app, mode="plaintext")
    wx.text("帮助")
    assert wx.history[-1].status == 403


def test_plaintext_mode_refuses_aes(app):
    app.extensions["fangfei.gateway"] = app.extensions["fangfei.gateway"].__class__(
        token=TOKEN,
        app_id=app.config["WECHAT_APP_ID"],
        aes_key=app.config["WECHAT_AES_KEY"],
        mode="plaintext",
    )
    wx = wechat_client(app, mode="safe")
    wx.text("帮助")
    assert wx.history[-1].status == 403


def test_bad_signature_is_403(app, wx):
    wx.mode = "plaintext"
    query, body = wx.seal(wx.build({"MsgType": "text", "Content": "帮助"}))
    query = query.replace("signature=", "signature=f")
    assert wx.post(query, body).status == 403


def test_bad_msg_signature_is_403(wx):
    query, body = wx.seal(wx.build({"MsgType": "text", "Content": "帮助"}))
    parts = dict(p.split("=", 1) for p in query.split("&"))
    parts["msg_signature"] = "0" * 40
    assert wx.post("&".join(f"{k}={v}" for k, v in parts.items()), body).status == 403


def test_stale_timestamp_is_rejected_as_replay(wx):
    old = str(int(time.time()) - 600)
    query, body = wx.seal(wx.build({"MsgType": "text", "Content": "帮助"}), timestamp=old)
    delivery = wx.post(query, body)
    assert delivery.status == 403
    assert "Traceback" not in delivery.raw


def test_replay_inside_window_with_other_body_is_rejected(wx):
    query, body = wx.seal(wx.build({"MsgType": "text", "Content": "帮助"}))
    _, other_body = wx.seal(wx.build({"MsgType": "text", "Content": "规则"}))
    assert wx.post(query, other_body).status == 403  # msg_signature covers the ciphertext


def test_oversized_body_is_413(wx):
    wx.mode = "plaintext"
    query, _ = wx.seal("<xml/>")
    body = b"<xml><Content>" + b"a" * (65 * 1024) + b"</Content></xml>"
    assert wx.post(query, body).status == 413


@pytest.mark.parametrize(
    "body",
    [
        b"<xml><ToUserName>",  # truncated
        b"not xml at all",
        b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]><xml><Content>&a;</Content></xml>',
        b'<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><xml><Content>&e;</Content></xml>',
        b"<xml><Content>\xff\xfe</Content></xml>",  # invalid UTF-8
        b"<root><a>1</a></root>",
    ],
)
def test_hostile_or_malformed_xml_is_400(wx, body):
    wx.mode = "plaintext"
    query, _ = wx.seal("<xml/>")
    delivery = wx.post(query, body)
    assert delivery.status == 400
    assert "Traceback" not in delivery.raw and "File " not in delivery.raw


def test_billion_laughs_inside_ciphertext_is_400(wx):
    bomb = (
        '<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]>'
        "<xml><FromUserName>o</FromUserName><MsgType>text</MsgType><Content>&lol2;</Content></xml>"
    )
    query, body = wx.seal(bomb)
    assert wx.post(query, body).status == 400


def test_wechat_published_safe_mode_sample_decrypts():
    """The sample from WeChat's message encryption guide (WXBizMsgCrypt Sample.py)."""
    encrypt = (
        "hyzAe4OzmOMbd6TvGdIOO6uBmdJoD0Fk53REIHvxYtJlE2B655HuD0m8KUePWB3+LrPXo87wzQ1QLvbeUgmBM4x6F8PGHQHFVAFm"
        "OD2LdJF9FrXpbUAh0B5GIItb52sn896wVsMSHGuPE328HnRGBcrS7C41IzDWyWNlZkyyXwon8T332jisa+h6tEDYsVticbSnyU8d"
        "KOIbgU6ux5VTjg3yt+WGzjlpKn6NPhRjpA912xMezR4kw6KWwMrCVKSVCZciVGCgavjIQ6X8tCOp3yZbGpy0VxpAe+77TszTfRd5"
        "RJSVO/HTnifJpXgCSUdUue1v6h0EIBYYI1BD1DlD+C0CR8e6OewpusjZ4uBl9FyJvnhvQl+q5rv1ixrcpCumEPo5MJSgM9ehVsNPf"
        "UM669WuMyVWQLCzpu9GhglF2PE="
    )
    crypto = WeChatCrypto("spamtest", "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG", "wx2c2769f8efd9abc2")
    plain = crypto.decrypt_message(
        {"Encrypt": encrypt}, "5d197aaffba7e9b25a30732f161a50dee96bd5fa", "1409735669", "1320562132"
    )
    assert "<Content><![CDATA[abcdteT]]></Content>" in plain
    assert "<FromUserName><![CDATA[oyORnuP8q7ou2gfYjqLzSIWZf0rs]]></FromUserName>" in plain
    assert "<MsgId>6054768590064713728</MsgId>" in plain
    # and our own signature function agrees with WeChat's msg_signature for that sample
    assert sign("spamtest", "1409735669", "1320562132", encrypt) == "5d197aaffba7e9b25a30732f161a50dee96bd5fa"


def test_retried_message_is_handled_once_and_gets_the_same_reply(app, wx):
    query, body = wx.seal(wx.build({"MsgType": "text", "Content": "取消"}))
    wx.text("帮助")  # something else in between
    first = wx.post(query, body)
    retries = [wx.post(query, body) for _ in range(3)]
    assert first.text
    assert all(r.text == first.text for r in retries)


def test_retried_event_dedups_on_user_time_event(app, wx):
    xml = wx.build({"MsgType": "event", "Event": "subscribe"}, create_time=int(time.time()))
    q1, b1 = wx.seal(xml)
    first = wx.post(q1, b1)
    q2, b2 = wx.seal(xml)  # WeChat re-signs a retry with a new nonce
    second = wx.post(q2, b2)
    assert "欢迎关注" in first.text and second.text == first.text


def test_long_reply_is_split_under_2000_bytes_and_rest_queued(app, wx):
    from app.extensions import db
    from app.models.outbox import OutboxMessage
    from wechat_handlers.replies import Text

    long_text = "\n".join(f"第{i}行：高收益意味着高风险，保本高收益就是金融诈骗。" for i in range(120))
    app.extensions["fangfei.router"].keyword("长文")(lambda ctx: Text(long_text))
    reply = wx.text("长文")
    assert len(reply.encode()) <= 2000
    assert "其余部分稍后发送" in reply
    with app.app_context():
        queued = db.session.query(OutboxMessage).order_by(OutboxMessage.id).all()
    assert queued and all(len(m.payload["text"].encode()) <= 2000 for m in queued)
    rebuilt = reply.split("\n……")[0] + "\n" + "\n".join(m.payload["text"] for m in queued)
    assert rebuilt == long_text
