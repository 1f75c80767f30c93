"""Telling the office about new tips: one outbox row per destination, and what each notice may say.

A notice carries the receipt code, category, time, channel and a dashboard link. The tipster's identity is
never sent; what the tip says is sent only when TIP_NOTIFY_FULL_CONTENT=1. Each (tip, destination) row has
an idempotency key that travels with the message (Message-ID, Idempotency-Key header) so a receiver can
discard the one copy a crash between "sent" and "marked sent" can cause.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select

from app import clock
from app.extensions import db
from app.models.outbox import FAILED, PENDING, OutboxMessage
from app.models.tip import CATEGORY_LABELS, Tip
from app.services import outbox

log = logging.getLogger(__name__)

EMAIL, WEBHOOK, WECOM = "tip_email", "tip_webhook", "tip_wecom"
CHANNELS = (EMAIL, WEBHOOK, WECOM)
WECOM_DESTINATION = "wecom-robot"  # the robot URL holds its key, so it stays in the settings
CHANNEL_LABELS = {"wechat": "公众号对话", "web": "网页"}
STORY_IN_NOTICE = 1500  # characters of the story a notice may carry (WeCom caps a message at 4 KB)


@dataclass(frozen=True)
class Destination:
    channel: str
    address: str


def _split(value: str) -> list[str]:
    return [part.strip() for part in (value or "").split(",") if part.strip()]


def destinations(config: Mapping[str, Any]) -> list[Destination]:
    """Every configured office destination: each e-mail address, each webhook URL, the WeCom robot."""
    found = [Destination(EMAIL, address) for address in _split(config.get("TIP_EMAIL_TO", ""))]
    found += [Destination(WEBHOOK, url) for url in _split(config.get("TIP_WEBHOOK_URLS", ""))]
    if config.get("TIP_WECOM_WEBHOOK_URL"):
        found.append(Destination(WECOM, WECOM_DESTINATION))
    return found


def delivery_key(receipt: str, destination: Destination) -> str:
    """The idempotency key of one tip at one destination (stable across retries and runners)."""
    digest = hashlib.sha256(f"{destination.channel}|{destination.address}".encode()).hexdigest()[:12]
    return f"tip:{receipt}:{destination.channel}:{digest}"


def _targets(receipt: str, config: Mapping[str, Any]) -> list[Destination]:
    targets = destinations(config)
    if not targets:
        log.warning("tip %s: no office destination configured (TIP_EMAIL_TO, TIP_WEBHOOK_URLS, ...)", receipt)
    return targets


def enqueue_notices(
    tip_id: int, receipt: str, config: Mapping[str, Any], now: datetime
) -> list[OutboxMessage]:
    """Queue one notice per destination, in the caller's transaction (the tip and its rows commit together)."""
    return [
        outbox.enqueue(d.channel, d.address, {"tip_id": tip_id}, key=key, now=now)
        for d, key in planned_notices(receipt, config)
    ]


def planned_notices(receipt: str, config: Mapping[str, Any]) -> list[tuple[Destination, str]]:
    """The notices `enqueue_notices` would queue for a tip with this receipt: (destination, idempotency key)
    each, for callers that write them in the statement that files the tip."""
    return [(d, delivery_key(receipt, d)) for d in _targets(receipt, config)]


# What a notice says ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class Notice:
    receipt: str
    category: str
    category_label: str
    submitted_at: datetime
    channel: str
    anonymous: bool
    attachments: int
    link: str
    content: dict[str, str] | None  # only with TIP_NOTIFY_FULL_CONTENT=1

    @property
    def local_time(self) -> str:
        return clock.fmt_local(self.submitted_at)

    def subject(self) -> str:
        return f"【举报线索】{self.receipt} {self.category_label} {self.local_time}"

    def lines(self) -> list[str]:
        who = "匿名" if self.anonymous else "实名（身份信息请在后台查看）"
        lines = [
            f"回执编号：{self.receipt}",
            f"类别：{self.category_label}",
            f"提交时间：{self.local_time}（北京时间）",
            f"来源：{CHANNEL_LABELS.get(self.channel, self.channel)}",
            f"举报人：{who}",
            f"证据文件：{self.attachments} 个",
        ]
        if self.content:
            lines += [f"被举报对象：{self.content['target']}", f"经过：{self.content['story']}"]
            if self.content.get("place"):
                lines.append(f"地点：{self.content['place']}")
        return lines

    def text(self) -> str:
        body = ["收到一条新的举报线索。", *self.lines(), "", f"详情请登录后台查看：{self.link}"]
        return "\n".join(body) + "\n"

    def markdown(self) -> str:
        rows = "\n".join(f"> {line}" for line in self.lines())
        return f"**新的举报线索**\n{rows}\n[登录后台查看详情]({self.link})"

    def as_json(self, key: str) -> dict[str, Any]:
        return {
            "event": "tip.created",
            "idempotency_key": key,
            "receipt": self.receipt,
            "category": self.category,
            "category_label": self.category_label,
            "submitted_at": self.submitted_at.isoformat(),
            "channel": self.channel,
            "anonymous": self.anonymous,
            "attachments": self.attachments,
            "dashboard_url": self.link,
            "content": self.content,
        }


def compose(tip: Tip, config: Mapping[str, Any]) -> Notice:
    """The notice for a tip, following the office's TIP_NOTIFY_FULL_CONTENT choice."""
    content = None
    if int(config.get("TIP_NOTIFY_FULL_CONTENT") or 0):
        story = tip.story if len(tip.story) <= STORY_IN_NOTICE else tip.story[:STORY_IN_NOTICE] + "……"
        content = {"target": tip.target, "story": story, "place": tip.place or ""}
    return Notice(
        receipt=tip.receipt,
        category=tip.category,
        category_label=CATEGORY_LABELS[tip.category],
        submitted_at=tip.created_at,
        channel=tip.channel,
        anonymous=tip.anonymous,
        attachments=len(tip.attachments),
        link=f"{str(config.get('DASHBOARD_URL', '')).rstrip('/')}/tips/{tip.receipt}",
        content=content,
    )


# What staff see of deliveries -----------------------------------------------------------------------
def deliveries_of(receipt: str) -> list[OutboxMessage]:
    query = select(OutboxMessage).where(OutboxMessage.idempotency_key.startswith(f"tip:{receipt}:"))
    return list(db.session.scalars(query.order_by(OutboxMessage.id)))


def failed_deliveries(limit: int = 200) -> list[OutboxMessage]:
    """Notices that gave up after the retry cap: the office was not told about these tips."""
    query = (
        select(OutboxMessage)
        .where(OutboxMessage.channel.in_(CHANNELS), OutboxMessage.status == FAILED)
        .order_by(OutboxMessage.id)
        .limit(limit)
    )
    return list(db.session.scalars(query))


def receipt_of(msg: OutboxMessage) -> str:
    return msg.idempotency_key.split(":")[1]


def redeliver(receipt: str, now: datetime) -> int:
    """Give failed notices of a tip a fresh set of attempts (after the office fixed its mail or webhook)."""
    count = 0
    for msg in deliveries_of(receipt):
        if msg.status == FAILED:
            msg.status, msg.attempts, msg.next_attempt_at, msg.leased_until = PENDING, 0, now, None
            count += 1
    db.session.flush()
    return count
