"""The floor: bare Flask + wechatpy with no application logic. Verifies the signature, decrypts, parses,
and answers an encrypted echo. What a 2-core node can do before fangfei does any work."""

from __future__ import annotations

import os

from flask import Flask, Response, request
from wechatpy import create_reply, parse_message
from wechatpy.crypto import WeChatCrypto
from wechatpy.utils import check_signature

TOKEN = os.environ["FANGFEI_WECHAT_TOKEN"]
crypto = WeChatCrypto(TOKEN, os.environ["FANGFEI_WECHAT_AES_KEY"], os.environ["FANGFEI_WECHAT_APP_ID"])
app = Flask(__name__)


@app.get("/healthz")
def healthz() -> str:
    return "ok"


@app.post("/wechat")
def wechat() -> Response:
    args = request.args
    check_signature(TOKEN, args["signature"], args["timestamp"], args["nonce"])
    xml = crypto.decrypt_message(request.get_data(), args["msg_signature"], args["timestamp"], args["nonce"])
    msg = parse_message(xml)
    reply = create_reply(getattr(msg, "content", "") or "success", msg)
    return Response(crypto.encrypt_message(reply.render(), args["nonce"]), mimetype="application/xml")
