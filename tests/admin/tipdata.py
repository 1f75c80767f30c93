"""Builders for the tip inbox tests: tips filed through the real service, then dated as needed."""

from __future__ import annotations

from dataclasses import fields
from datetime import datetime

from flask import current_app

from app import clock, runtime
from app.extensions import db
from app.models.outbox import FAILED
from app.models.tip import Tip
from app.services import tip_delivery, tips
from app.services.evidence import Evidence

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def make_tip(
    *,
    created_at: datetime | None = None,
    category: str = "company",
    target: str = "某某投资咨询有限公司",
    story: str = "他们说投一万每月返五百。",
    photo: bool = False,
    name: str | None = None,
    phone: str | None = None,
    openid: str | None = "o_tipster",
    failed_notice: bool = False,
) -> Tip:
    """File a tip through app.services.tips (app context needed); commit; return it."""
    now = created_at or clock.now()
    extra = {}
    if name is not None and "consent_version" in {f.name for f in fields(tips.TipDraft)}:
        extra["consent_version"] = "tips-2026-test"  # real-name tips need the privacy notice agreed to
    draft = tips.TipDraft(
        category=category,
        target=target,
        story=story,
        place="北京市海淀区中关村大街1号",
        latitude=39.98,
        longitude=116.31,
        anonymous=name is None,
        name=name,
        phone=phone,
        files=(Evidence(PNG, "image/png"),) if photo else (),
        **extra,
    )
    config = {**current_app.config, "TIP_DAILY_LIMIT_USER": 10_000, "TIP_DAILY_LIMIT_IP": 10_000}
    if failed_notice:
        config["TIP_WEBHOOK_URLS"] = "https://office.example/hook"
    tip = tips.submit_tip(
        draft, channel="web", openid=openid, ip=None, store=runtime.store(), config=config, now=now
    )
    if failed_notice:
        for msg in tip_delivery.deliveries_of(tip.receipt):
            msg.status = FAILED
    db.session.commit()
    return tip
