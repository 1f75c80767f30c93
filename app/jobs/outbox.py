"""Job: deliver due outbox messages (one commit per message, so a crash loses at most one mark)."""

from __future__ import annotations

from datetime import datetime

from flask import current_app

from app import runtime
from app.extensions import db
from app.models.outbox import OutboxMessage
from app.services import outbox
from app.services.outbox import Sender


def wechat_custom_sender(msg: OutboxMessage) -> None:
    api = runtime.wechat_api()
    payload = msg.payload
    if payload.get("msgtype") == "text":
        api.message.send_text(msg.destination, payload["text"])
    else:
        raise ValueError(f"unsupported wechat payload {payload.get('msgtype')}")


def senders() -> dict[str, Sender]:
    """Channel -> sender. Features add theirs through app.extensions['fangfei.senders']."""
    table: dict[str, Sender] = {"wechat_custom": wechat_custom_sender}
    table.update(current_app.extensions.get("fangfei.senders", {}))
    return table


def deliver_outbox(now: datetime, limit: int = 200) -> str:
    ids = outbox.lease_due(now, limit)
    db.session.commit()
    sent = 0
    table = senders()
    for msg_id in ids:
        msg = db.session.get(OutboxMessage, msg_id)
        if msg is not None and outbox.deliver(msg, table, now):
            sent += 1
        db.session.commit()
    return f"{sent}/{len(ids)} delivered"
