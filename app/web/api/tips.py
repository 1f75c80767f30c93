"""Tips on the web (the H5 page): the form's choices and limits, filing a tip with uploads, receipt look-up."""

from __future__ import annotations

from typing import Any

from flask import current_app, jsonify, request
from werkzeug.exceptions import RequestEntityTooLarge

from app import clock, personal_data, runtime
from app.errors import DomainError
from app.extensions import db
from app.models.tip import CATEGORIES, CATEGORY_LABELS, STATUS_LABELS
from app.services import evidence, privacy, receipts, tips
from app.state_store import StoreUnavailable
from app.web.api import bp
from app.web.api.auth import client_ip, current_openid, login_required
from wechat_handlers import copy, copy_tips

TRUE = {"1", "true", "yes", "on"}


@bp.get("/tips/form")
def tip_form():  # noqa: ANN201
    """What the H5 form needs: categories, limits and the note on rewards."""
    return jsonify(
        categories=[{"value": c, "label": CATEGORY_LABELS[c]} for c in CATEGORIES],
        limits={
            "target": tips.TARGET_MAX,
            "story": tips.STORY_MAX,
            "place": tips.PLACE_MAX,
            "files": evidence.MAX_FILES,
            "file_bytes": evidence.MAX_FILE_BYTES,
            "file_types": ["jpg", "png", "pdf"],
        },
        reward_note=copy_tips.REWARD_NOTE,
        statuses=STATUS_LABELS,
    )


def _number(value: Any) -> float | None:
    if value in (None, ""):
        return None
    try:
        return float(value)
    except (TypeError, ValueError):
        raise DomainError(copy_tips.BAD_NUMBER, code="bad_location") from None


def _read_form() -> tuple[dict[str, Any], list]:
    try:
        if request.mimetype == "multipart/form-data":
            return request.form.to_dict(), request.files.getlist("files") + request.files.getlist("file")
        data = request.get_json(silent=True)
    except RequestEntityTooLarge:
        raise evidence.TooLarge(evidence.REQUEST_TOO_LARGE) from None
    if not isinstance(data, dict):
        raise DomainError(copy_tips.BAD_FORM, code="bad_request")
    return data, []


def _draft_key() -> str | None:
    """A keyed hash of the client's optional Idempotency-Key header (a resubmitted form files once)."""
    key = (request.headers.get("Idempotency-Key") or "").strip()[:100]
    return personal_data.blind_index(f"{current_openid()}:{key}") if key else None


@bp.post("/tips")
@login_required
def create_tip():  # noqa: ANN201
    """File a tip (JSON, or multipart with up to 9 files: jpg, png, pdf, checked by content)."""
    data, uploads = _read_form()
    evidence.check_count(len(uploads))
    files = tuple(evidence.check(evidence.read_capped(f.stream)) for f in uploads)
    anonymous = data.get("anonymous", True)
    draft = tips.TipDraft(
        category=str(data.get("category") or ""),
        target=str(data.get("target") or ""),
        story=str(data.get("story") or ""),
        place=str(data.get("place") or "") or None,
        latitude=_number(data.get("latitude")),
        longitude=_number(data.get("longitude")),
        anonymous=anonymous if isinstance(anonymous, bool) else str(anonymous).lower() in TRUE,
        name=data.get("name"),
        phone=data.get("phone"),
        files=files,
        draft_key=_draft_key(),
        consent_version=privacy.TIPS_VERSION if data.get("consent") in (True, "true", "1", "on") else None,
    )
    tip = tips.submit_tip(
        draft,
        channel="web",
        openid=current_openid(),
        ip=client_ip(),
        store=runtime.store(),
        config=current_app.config,
        now=clock.now(),
    )
    db.session.commit()
    return jsonify(
        receipt=tip.receipt,
        status=tip.status,
        status_label=STATUS_LABELS[tip.status],
        message=copy_tips.WEB_RECEIPT,
    ), 201


@bp.post("/tips/lookup")
def lookup_tip():  # noqa: ANN201
    """Status and public reply for a receipt code (POST, so codes stay out of URLs and access logs)."""
    data = request.get_json(silent=True) or {}
    try:
        found = receipts.look_up(
            str(data.get("code") or ""), openid=current_openid(), ip=client_ip(), store=runtime.store()
        )
    except StoreUnavailable:
        return jsonify(error="unavailable", message=copy.RETRY_LATER), 503
    return jsonify(
        receipt=found.receipt,
        status=found.status,
        status_label=found.label,
        reply=found.reply,
        submitted_at=found.submitted_at.isoformat(),
    )
