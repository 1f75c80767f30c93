"""Tips (举报线索): check a draft and file it with a receipt code.

A tip's content (Tip) is kept apart from who sent it (TipIdentity, encrypted, real-name tips only); no IP
address is stored. Filing also queues one notice per office destination in the same statement
(app.services.tip_filing, app.services.tip_delivery), so a committed tip is never left unannounced. Receipt
codes and look-ups: app.services.receipts.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select

from app import clock, personal_data
from app.errors import DomainError, RateLimited
from app.extensions import db
from app.models.tip import (
    CATEGORIES,
    FILE_PENDING,
    FILE_STORED,
    RECEIVED,
    Tip,
    TipAttachment,
    TipIdentity,
)
from app.services import after_commit, evidence, rate_limits, tip_filing
from app.services.receipts import new_receipt
from app.services.tip_filing import FiledTip
from app.state_store import StateStore, StoreUnavailable

log = logging.getLogger(__name__)

TARGET_MAX, STORY_MAX, PLACE_MAX, NAME_MAX = 200, 3000, 200, 30
PHONE_RE = re.compile(r"^(1[3-9]\d{9}|0\d{2,3}-?\d{7,8})$")
DAY = 24 * 3600

NEED_CATEGORY = "请选择举报对象的类型。"
NEED_TARGET = "请写上被举报的公司、平台、App 或个人的名称。"
TARGET_TOO_LONG = f"名称太长了，请控制在{TARGET_MAX}字以内。"
NEED_STORY = "请说一说发生了什么事。"
STORY_TOO_LONG = f"经过写得太长了（最多{STORY_MAX}字），请挑重点说。"
PLACE_TOO_LONG = f"地点请控制在{PLACE_MAX}字以内。"
NEED_NAME = "实名举报请留下您的姓名。"
NAME_TOO_LONG = f"姓名请控制在{NAME_MAX}字以内。"
BAD_PHONE = "手机号码好像不对，请发送11位手机号码。"
NEED_CONSENT = "实名举报需要先阅读并同意《实名举报人信息说明》；不同意可以匿名举报。"
DAILY_LIMIT = "您今天提交的举报已经比较多了，请明天再来。情况紧急请直接拨打110。"


@dataclass(frozen=True)
class TipDraft:
    """Everything a tipster told us, before it is filed."""

    category: str
    target: str
    story: str
    place: str | None = None
    latitude: float | None = None
    longitude: float | None = None
    anonymous: bool = True
    name: str | None = None
    phone: str | None = None
    media_ids: tuple[str, ...] = ()  # WeChat photos, downloaded later by the media job
    files: tuple[evidence.Evidence, ...] = ()  # web uploads, already checked
    draft_key: str | None = None  # idempotency: the same draft files one tip
    consent_version: str | None = None  # real-name only: the tips privacy notice agreed to (services.privacy)


# Checking input (shared by the chat steps and the API) ------------------------------------------
# Unicode's Cc (C0, DEL, C1) and Cs (surrogates) categories, newline and tab excepted
_UNPRINTABLE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff]")


def _plain(text: str | None) -> str:
    """Without control characters (NUL, escapes; newlines and tabs stay) and lone surrogates, which no
    page, export or database column should carry."""
    return _UNPRINTABLE.sub("", text or "")


def clean_target(text: str) -> str:
    text = _plain(text).strip()
    if not text:
        raise DomainError(NEED_TARGET, code="target_required")
    if len(text) > TARGET_MAX:
        raise DomainError(TARGET_TOO_LONG, code="target_too_long")
    return text


def clean_story(text: str) -> str:
    text = _plain(text).strip()
    if not text:
        raise DomainError(NEED_STORY, code="story_required")
    if len(text) > STORY_MAX:
        raise DomainError(STORY_TOO_LONG, code="story_too_long")
    return text


def clean_place(text: str | None) -> str | None:
    text = _plain(text).strip()
    if len(text) > PLACE_MAX:
        raise DomainError(PLACE_TOO_LONG, code="place_too_long")
    return text or None


def clean_name(text: str | None) -> str:
    text = _plain(text).strip()
    if not text:
        raise DomainError(NEED_NAME, code="name_required")
    if len(text) > NAME_MAX:
        raise DomainError(NAME_TOO_LONG, code="name_too_long")
    return text


def clean_phone(text: str | None) -> str:
    digits = re.sub(r"[\s()（）]", "", text or "").removeprefix("+86")
    if not PHONE_RE.match(digits):
        raise DomainError(BAD_PHONE, code="bad_phone")
    return digits


def check_draft(draft: TipDraft) -> TipDraft:
    """The whole draft, checked and trimmed. Real-name tips need a name and a phone."""
    if draft.category not in CATEGORIES:
        raise DomainError(NEED_CATEGORY, code="category_required")
    evidence.check_count(len(draft.media_ids) + len(draft.files))
    name = phone = None
    if not draft.anonymous:
        name, phone = clean_name(draft.name), clean_phone(draft.phone)
        if not draft.consent_version:
            raise DomainError(NEED_CONSENT, code="consent_required")
    return TipDraft(
        category=draft.category,
        target=clean_target(draft.target),
        story=clean_story(draft.story),
        place=clean_place(draft.place),
        latitude=draft.latitude,
        longitude=draft.longitude,
        anonymous=draft.anonymous,
        name=name,
        phone=phone,
        media_ids=draft.media_ids,
        files=draft.files,
        draft_key=draft.draft_key,
        consent_version=draft.consent_version if not draft.anonymous else None,
    )


# Daily limits -------------------------------------------------------------------------------------
def _daily_subjects(openid: str | None, ip: str | None, config: Mapping[str, Any], now: datetime):  # noqa: ANN202
    day = clock.campaign_day(now).isoformat()
    if openid:
        yield "tip-day-user", f"{openid}:{day}", int(config["TIP_DAILY_LIMIT_USER"])
    if ip:
        yield "tip-day-ip", f"{ip}:{day}", int(config["TIP_DAILY_LIMIT_IP"])


def check_daily_room(
    store: StateStore, *, openid: str | None, ip: str | None, config: Mapping[str, Any], now: datetime
) -> None:
    """Refuse early (before a long form) when today's limit is already used up."""
    try:
        for bucket, subject, limit in _daily_subjects(openid, ip, config, now):
            if rate_limits.peek_exceeded(store, bucket, subject, limit, DAY):
                raise RateLimited(DAILY_LIMIT)
    except StoreUnavailable:
        log.warning("state store unavailable: daily tip limit not checked")


def _count_submission(
    store: StateStore, openid: str | None, ip: str | None, config: Mapping[str, Any], now: datetime
) -> None:
    hits = [
        (bucket, subject, limit, DAY) for bucket, subject, limit in _daily_subjects(openid, ip, config, now)
    ]
    try:
        rate_limits.hit_all(store, hits, DAILY_LIMIT)
    except StoreUnavailable:  # a tip is worth more than a limit: accept it
        log.warning("state store unavailable: daily tip limit not counted")


# Filing -------------------------------------------------------------------------------------------
RECEIPT_DRAWS = 5  # a taken code (~never at 49 random bits) is drawn again; the UNIQUE constraint decides


def submit_tip(
    draft: TipDraft,
    *,
    channel: str,
    openid: str | None,
    ip: str | None,
    store: StateStore,
    config: Mapping[str, Any],
    now: datetime,
) -> FiledTip:
    """File a tip: receipt code, content, encrypted identity (real-name only), evidence, one queued notice
    per office destination. The IP is used for the daily limit only and is not stored. Returns the id,
    receipt code and status (a draft filed before returns that tip)."""
    if draft.draft_key:
        filed = _filed(draft.draft_key)
        if filed is not None:
            return FiledTip.of(filed)
    draft = check_draft(draft)
    _count_submission(store, openid, ip, config, now)
    tip, new = _file(draft, channel, config, now)
    if not new:  # the same draft was filed by a concurrent request meanwhile
        return tip
    extra = _details(tip.id, draft, openid, config, now)
    if extra:
        db.session.add_all(extra)
        db.session.flush()
    after_commit.publish("tip_filed", channel)
    return tip


def _filed(draft_key: str) -> Tip | None:
    return db.session.scalar(select(Tip).where(Tip.draft_key == draft_key))


def _file(draft: TipDraft, channel: str, config: Mapping[str, Any], now: datetime) -> tuple[FiledTip, bool]:
    """Insert the tip with its "submitted" event and its office notices; (tip, True), or (the tip filed
    meanwhile under the same draft key, False)."""
    for _ in range(RECEIPT_DRAWS):
        values = {
            "receipt": new_receipt(),
            "draft_key": draft.draft_key,
            "channel": channel,
            "category": draft.category,
            "target": draft.target,
            "story": draft.story,
            "place": draft.place,
            "latitude": draft.latitude,
            "longitude": draft.longitude,
            "anonymous": draft.anonymous,
            "status": RECEIVED,
            "already_known": False,
            "created_at": now,
            "updated_at": now,
        }
        tip = tip_filing.insert(values, config, now)
        if tip is not None:
            return tip, True
        filed = _filed(draft.draft_key) if draft.draft_key else None
        if filed is not None:
            return FiledTip.of(filed), False
    raise RuntimeError("no free receipt code")  # pragma: no cover (49 random bits)


def _details(
    tip_id: int, draft: TipDraft, openid: str | None, config: Mapping[str, Any], now: datetime
) -> list[TipIdentity | TipAttachment]:
    """The encrypted identity (real-name tips) and the evidence rows."""
    rows: list[TipIdentity | TipAttachment] = []
    if not draft.anonymous:
        rows.append(
            TipIdentity(
                tip_id=tip_id,
                openid_enc=personal_data.encrypt(openid),
                openid_index=personal_data.blind_index(openid),
                name_enc=personal_data.encrypt(draft.name),
                phone_enc=personal_data.encrypt(draft.phone),
                consent_version=draft.consent_version,
                consent_at=now,
            )
        )
    for media_id in draft.media_ids:
        rows.append(
            TipAttachment(
                tip_id=tip_id,
                source="wechat",
                media_id=media_id,
                status=FILE_PENDING,
                next_attempt_at=now,
                created_at=now,
            )
        )
    for item in draft.files:  # written before the commit: a rollback leaves an unreferenced file, never
        # a row without its file
        saved = evidence.store(str(config["MEDIA_DIR"]), tip_id, item)
        rows.append(
            TipAttachment(
                tip_id=tip_id,
                source="upload",
                status=FILE_STORED,
                content_type=saved.content_type,
                size=saved.size,
                sha256=saved.sha256,
                path=saved.path,
                created_at=now,
                stored_at=now,
            )
        )
    return rows
