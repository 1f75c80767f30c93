"""The WeChat callback: verify, open, drop retries, hand to the router, seal the reply."""

from __future__ import annotations

from flask import Blueprint, Response, current_app, request

from app import runtime
from app.observability import hooks as signals
from app.state_store import StoreUnavailable
from app.wechat import inbound, render, turn
from wechat_handlers import copy
from wechat_handlers.incoming import Incoming
from wechat_handlers.replies import Text

bp = Blueprint("wechat", __name__)


@bp.get("/wechat")
def handshake() -> Response:
    try:
        return Response(inbound.echo(runtime.gateway(), request.args.to_dict()), mimetype="text/plain")
    except inbound.Rejected as exc:
        return Response(exc.reason, status=exc.status, mimetype="text/plain")


@bp.post("/wechat")
def callback() -> Response:
    cfg, store = runtime.gateway(), runtime.store()
    try:
        if (request.content_length or 0) > inbound.MAX_BODY:
            raise inbound.Rejected(413, "body too large")
        fields, encrypted = inbound.read_callback(cfg, request.args.to_dict(), request.get_data(cache=False))
    except inbound.Rejected as exc:
        return Response(exc.reason, status=exc.status, mimetype="text/plain")
    try:
        msg = Incoming.from_fields(fields)
    except ValueError:
        return Response("malformed message fields", status=400, mimetype="text/plain")
    signals.note_wechat(msg.msg_type, msg.event, msg.msg_id, msg.openid)
    if not msg.openid:
        return Response("missing FromUserName", status=400, mimetype="text/plain")

    try:
        xml, fresh = turn.handle_delivery(
            runtime.router(), msg, store, current_app.config, lambda reply: render.render(reply, msg)
        )
        signals.note_outcome("replied" if fresh else "duplicate")  # duplicate: a retry got the first reply
    except StoreUnavailable:  # no dedup possible: answer politely, WeChat's retry may get through
        signals.note_outcome("retry_later")
        xml = render.render(Text(copy.RETRY_LATER), msg)
    body = render.seal(cfg, xml) if encrypted else xml
    return Response(body, mimetype="application/xml" if body != "success" else "text/plain")
