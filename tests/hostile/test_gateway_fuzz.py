"""A fuzzer over /wechat: hypothesis mutates valid signed and encrypted deliveries (bytes flipped, cut,
inserted; query parameters altered) and sends arbitrary bodies and texts. The gateway answers 200 only
for deliveries that are intact, otherwise 400/403/413; never a 5xx, never a trace, never a side effect."""

from __future__ import annotations

import os
import time

from hypothesis import example, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from app.extensions import db
from app.models.participant import Participant
from tests.support.wechat import wechat_client

EXAMPLES = int(os.environ.get("FANGFEI_FUZZ_EXAMPLES", "100"))
CLEAN = {200, 400, 403, 413}


def no_trace(text: str) -> bool:
    return "Traceback" not in text and 'File "' not in text


mutation = st.one_of(
    st.tuples(st.just("flip"), st.integers(0, 10_000), st.integers(1, 255)),
    st.tuples(st.just("cut"), st.integers(0, 10_000), st.integers(1, 200)),
    st.tuples(st.just("insert"), st.integers(0, 10_000), st.binary(min_size=1, max_size=40)),
    st.tuples(st.just("truncate"), st.integers(0, 10_000), st.none()),
)


def mutate(body: bytes, ops: list) -> bytes:
    data = bytearray(body)
    for kind, at, arg in ops:
        at = at % (len(data) + 1)
        if kind == "flip" and data:
            data[at % len(data)] ^= arg
        elif kind == "cut":
            del data[at : at + arg]
        elif kind == "insert":
            data[at:at] = arg
        elif kind == "truncate":
            del data[at:]
    return bytes(data)


@settings(max_examples=EXAMPLES)
@given(ops=st.lists(mutation, min_size=1, max_size=4), safe=st.booleans())
def test_mutated_deliveries_are_refused_cleanly(app, ops, safe):
    wx = wechat_client(app, mode="safe" if safe else "plaintext", openid="o_fuzz")
    query, body = wx.seal(wx.build({"MsgType": "text", "Content": "答题"}))
    mutated = mutate(body, ops)
    delivery = wx.post(query, mutated)
    assert delivery.status in CLEAN and no_trace(delivery.raw), (delivery.status, delivery.raw[:200])
    if safe and mutated != body:
        # the ciphertext is covered by msg_signature: any change to it is refused; a change outside it
        # (whitespace, the ToUserName element) may still open
        assert delivery.status != 200 or b"<Encrypt>" in mutated


@settings(max_examples=EXAMPLES)
@given(
    name=st.sampled_from(["timestamp", "nonce", "signature", "msg_signature", "encrypt_type", "openid"]),
    value=st.text(max_size=60),
)
def test_mutated_query_parameters_are_refused_cleanly(app, name, value):
    wx = wechat_client(app, openid="o_fuzz")
    query, body = wx.seal(wx.build({"MsgType": "text", "Content": "帮助"}))
    params = dict(part.split("=", 1) for part in query.split("&"))
    original = params.get(name)
    params[name] = value
    from urllib.parse import urlencode

    delivery = wx.post(urlencode(params), body)
    assert delivery.status in CLEAN and no_trace(delivery.raw)
    if name in ("timestamp", "nonce", "msg_signature") and value != original:
        assert delivery.status == 403


@settings(max_examples=EXAMPLES)
@given(body=st.binary(max_size=2000))
@example(body=b"<xml>" + b"<a>" * 5000 + b"</xml>")  # deep nesting
@example(body=b'<?xml version="1.0" encoding="UTF-16"?><xml/>')
@example(body=b"<xml><Content><![CDATA[\xed\xa0\x80]]></Content></xml>")  # an encoded surrogate
def test_arbitrary_plaintext_bodies_never_break_the_gateway(app, body):
    wx = wechat_client(app, mode="plaintext", openid="o_fuzz")
    query, _ = wx.seal("<xml/>")
    delivery = wx.post(query, body)
    assert delivery.status in CLEAN and no_trace(delivery.raw), (delivery.status, delivery.raw[:200])


XML_SAFE = st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00")


@settings(max_examples=EXAMPLES)
@given(text=st.text(alphabet=XML_SAFE, max_size=300))
@example(text="张三\u202e😀\x07\x1b[31m")
@example(text="'; DROP TABLE participants; --")
@example(text="]]><xml><MsgType>event</MsgType></xml>")
def test_any_text_message_gets_a_reply_and_stores_nothing(app, text):
    """Whatever a resident types (emoji, control characters, SQL, CDATA breakers): a reply, no 5xx."""
    wx = wechat_client(app, openid=f"o_fuzz_{time.monotonic_ns()}")
    delivery = wx.send({"MsgType": "text", "Content": text})
    assert delivery.status in (200, 400) and no_trace(delivery.raw)
    if "]]>" not in text and all(ch in "\t\n\r" or ord(ch) >= 0x20 for ch in text):
        assert delivery.status == 200 and delivery.raw  # a well-formed message always gets an answer
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Participant)) == 0
