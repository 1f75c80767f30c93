"""Tip jobs: the outbox senders for office notices (e-mail, webhook, WeCom robot), the evidence-photo
download from WeChat, and the retention purge."""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import smtplib
import ssl
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime

import requests
from flask import current_app
from sqlalchemy import select

from app import clock, runtime
from app.errors import DomainError
from app.extensions import db
from app.models.outbox import OutboxMessage
from app.models.tip import FILE_FAILED, FILE_PENDING, FILE_STORED, Tip, TipAttachment
from app.services import evidence, tip_delivery, tip_review
from app.services.outbox import Sender

log = logging.getLogger(__name__)

MEDIA_ATTEMPTS = 6
MEDIA_BASE_DELAY = timedelta(seconds=30)


# Senders (called by app.jobs.outbox.deliver_outbox; raising means "retry later") ---------------------
def _notice(msg: OutboxMessage) -> tip_delivery.Notice:
    tip = db.session.get(Tip, int(msg.payload["tip_id"]))
    if tip is None:
        raise LookupError(f"tip {msg.payload['tip_id']} no longer exists")
    return tip_delivery.compose(tip, current_app.config)


def message_id(key: str, sender: str) -> str:
    """A Message-ID derived from the idempotency key: a resent copy carries the same one."""
    domain = sender.rsplit("@", 1)[-1] if "@" in sender else "fangfei.local"
    return f"<{key.replace(':', '.')}@{domain}>"


def _smtp() -> smtplib.SMTP:
    cfg = current_app.config
    if not cfg["SMTP_HOST"]:
        raise RuntimeError("FANGFEI_SMTP_HOST is not set")
    host, port, timeout = cfg["SMTP_HOST"], int(cfg["SMTP_PORT"]), float(cfg["SMTP_TIMEOUT"])
    if cfg["SMTP_SECURITY"] == "ssl":
        client: smtplib.SMTP = smtplib.SMTP_SSL(
            host, port, timeout=timeout, context=ssl.create_default_context()
        )
    else:
        client = smtplib.SMTP(host, port, timeout=timeout)
        if cfg["SMTP_SECURITY"] == "starttls":
            client.starttls(context=ssl.create_default_context())
    if cfg["SMTP_USER"]:
        client.login(cfg["SMTP_USER"], cfg["SMTP_PASSWORD"])
    return client


def email_sender(msg: OutboxMessage) -> None:
    notice, sender = _notice(msg), current_app.config["SMTP_FROM"]
    mail = EmailMessage()
    mail["From"] = sender
    mail["To"] = msg.destination
    mail["Subject"] = notice.subject()
    mail["Date"] = format_datetime(clock.now())
    mail["Message-ID"] = message_id(msg.idempotency_key, sender)
    mail["X-Fangfei-Idempotency-Key"] = msg.idempotency_key
    mail.set_content(notice.text())
    client = _smtp()
    try:
        client.send_message(mail)
    finally:
        try:  # once the server took the message, a failed goodbye must not count as a failed send
            client.quit()
        except (smtplib.SMTPException, OSError):
            client.close()


def sign(secret: str, timestamp: str, body: bytes) -> str:
    """X-Fangfei-Signature: HMAC-SHA256 over "<timestamp>.<body>" with TIP_WEBHOOK_SECRET."""
    digest = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()
    return f"sha256={digest}"


def webhook_sender(msg: OutboxMessage) -> None:
    cfg = current_app.config
    body = json.dumps(_notice(msg).as_json(msg.idempotency_key), ensure_ascii=False).encode()
    timestamp = str(int(clock.now().timestamp()))
    headers = {
        "Content-Type": "application/json; charset=utf-8",
        "Idempotency-Key": msg.idempotency_key,
        "X-Fangfei-Timestamp": timestamp,
        "X-Fangfei-Signature": sign(cfg["TIP_WEBHOOK_SECRET"], timestamp, body),
    }
    res = requests.post(
        msg.destination, data=body, headers=headers, timeout=float(cfg["HTTP_TIMEOUT"]), allow_redirects=False
    )
    if not 200 <= res.status_code < 300:
        raise RuntimeError(f"webhook answered HTTP {res.status_code}")


def wecom_sender(msg: OutboxMessage) -> None:
    cfg = current_app.config
    url = cfg["TIP_WECOM_WEBHOOK_URL"]
    if not url:
        raise RuntimeError("FANGFEI_TIP_WECOM_WEBHOOK_URL is not set")
    payload = {"msgtype": "markdown", "markdown": {"content": _notice(msg).markdown()}}
    try:
        res = requests.post(url, json=payload, timeout=float(cfg["HTTP_TIMEOUT"]), allow_redirects=False)
    except requests.RequestException as exc:  # its message holds the URL, and the URL holds the robot's key
        raise RuntimeError(f"WeCom robot unreachable: {type(exc).__name__}") from None
    data = res.json() if res.status_code == 200 else {}
    if data.get("errcode") != 0:
        raise RuntimeError(f"WeCom robot answered HTTP {res.status_code} errcode={data.get('errcode')}")


def tip_senders() -> dict[str, Sender]:
    return {
        tip_delivery.EMAIL: email_sender,
        tip_delivery.WEBHOOK: webhook_sender,
        tip_delivery.WECOM: wecom_sender,
    }


# Evidence photos -----------------------------------------------------------------------------------
def download_tip_media(now: datetime, limit: int = 20) -> str:
    """Fetch pending WeChat photos through the media API into MEDIA_DIR (sha256), one commit each."""
    query = (
        select(TipAttachment.id)
        .where(TipAttachment.status == FILE_PENDING, TipAttachment.next_attempt_at <= now)
        .order_by(TipAttachment.id)
        .limit(limit)
    )
    ids = list(db.session.scalars(query))
    stored = 0
    for att_id in ids:
        att = db.session.get(TipAttachment, att_id)
        if att is not None and _download(att, now):
            stored += 1
        db.session.commit()
    return f"{stored}/{len(ids)} photos stored"


def _download(att: TipAttachment, now: datetime) -> bool:
    att.attempts += 1
    try:
        res = runtime.wechat_api().media.download(att.media_id)
        if not isinstance(res, requests.Response):
            raise RuntimeError(f"media API answered JSON instead of a file: {str(res)[:100]}")
        saved = evidence.store(current_app.config["MEDIA_DIR"], att.tip_id, evidence.check(res.content))
    except DomainError as exc:  # not a photo, or too big: trying again will not help
        att.status, att.last_error = FILE_FAILED, exc.code
        log.error("tip photo %s refused: %s", att.id, exc.code)
        return False
    except Exception as exc:  # WeChat down, token trouble, disk: retry with backoff
        att.last_error = f"{type(exc).__name__}: {exc}"[:500]
        if att.attempts >= MEDIA_ATTEMPTS:
            att.status = FILE_FAILED
            log.error("tip photo %s failed for good: %s", att.id, att.last_error)
        else:
            att.next_attempt_at = now + MEDIA_BASE_DELAY * (2 ** (att.attempts - 1))
            log.warning("tip photo %s attempt %s failed: %s", att.id, att.attempts, att.last_error)
        return False
    att.status, att.stored_at, att.last_error, att.path = FILE_STORED, now, None, saved.path
    att.sha256, att.size, att.content_type = saved.sha256, saved.size, saved.content_type
    return True


# Retention -----------------------------------------------------------------------------------------
def purge_tips(now: datetime) -> str:
    """Delete tips closed longer than TIP_RETENTION_DAYS ago (statistics stay); files go after the commit."""
    cfg = current_app.config
    purged = tip_review.purge_closed(now, days=int(cfg["TIP_RETENTION_DAYS"]))
    db.session.commit()
    for tip_id in purged:
        evidence.remove_tip_files(cfg["MEDIA_DIR"], tip_id)
    return f"{len(purged)} tips purged"
