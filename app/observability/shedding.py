"""Load shedding for the WeChat callback: a short, polite, properly sealed reply instead of the work."""

from __future__ import annotations

from flask import Response, request

from app import runtime
from app.observability.hooks import note_wechat
from app.wechat import inbound, render
from wechat_handlers import copy
from wechat_handlers.incoming import Incoming
from wechat_handlers.replies import Text


def polite_busy_reply() -> Response:
    """Verify and open the message (cheap), answer "busy" without claiming its MsgId, so a resend is
    handled normally. Invalid requests are refused exactly as the callback would refuse them."""
    cfg = runtime.gateway()
    try:
        fields, encrypted = inbound.read_callback(cfg, request.args.to_dict(), request.get_data(cache=False))
    except inbound.Rejected as exc:
        return Response(exc.reason, status=exc.status, mimetype="text/plain")
    msg = Incoming.from_fields(fields)
    note_wechat(msg.msg_type, msg.event, msg.msg_id, msg.openid)
    xml = render.render(Text(copy.RETRY_LATER), msg)
    body = render.seal(cfg, xml) if encrypted else xml
    return Response(body, mimetype="application/xml")
