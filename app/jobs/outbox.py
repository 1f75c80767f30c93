"""Job: deliver due outbox messages (one commit per message, so a crash loses at most one mark)."""

from __future__ import annotations

import time
from datetime import datetime

from flask import current_app

from app import runtime
from app.extensions import db
from app.jobs.tips import tip_senders
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
    """Channel -> sender: WeChat, the tip notices, and any added through app.extensions['fangfei.senders']."""
    table: dict[str, Sender] = {"wechat_custom": wechat_custom_sender, **tip_senders()}
    table.update(current_app.extensions.get("fangfei.senders", {}))
    return table


# A send is bounded by its timeouts (HTTP_TIMEOUT, SMTP_TIMEOUT: seconds); new sends start only within
# this window of the lease, so every send ends while its lease still holds.
SEND_WINDOW_S = outbox.LEASE.total_seconds() - 60


def deliver_outbox(now: datetime, limit: int = 200) -> str:
    ids = outbox.lease_due(now, limit)
    db.session.commit()
    sent = 0
    table = senders()
    started = time.monotonic()
    for index, msg_id in enumerate(ids):
        if time.monotonic() - started > SEND_WINDOW_S:
            # Stop starting sends well before the leases run out, so no other runner can lease (and send)
            # a message this one is still sending; the rest go back to the queue at once.
            outbox.release(ids[index:])
            db.session.commit()
            break
        msg = db.session.get(OutboxMessage, msg_id)
        if msg is not None and outbox.deliver(msg, table, now):
            sent += 1
        db.session.commit()
    return f"{sent}/{len(ids)} delivered"
