"""Tip inbox for tip handlers: filtered pages, the detail view (audited), identity on an explicit click
(audited), evidence files. Changes (status, assignment, notes, replies, flags) are in tips_actions.py."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from flask import abort, current_app, g, render_template, request, send_file
from werkzeug.datastructures import MultiDict

from app import clock
from app.errors import NotFound
from app.extensions import db
from app.models.tip import CATEGORY_LABELS, FILE_STORED, STATUS_LABELS
from app.services import tip_review, tip_triage
from app.services.tip_delivery import CHANNEL_LABELS
from app.web.admin import bp
from app.web.admin.security import require_role

FILTER_FIELDS = ("status", "category", "date_from", "date_to", "photos", "failed", "assignee", "overdue")


def _day(text: str | None) -> date | None:
    try:
        return date.fromisoformat(text) if text else None
    except ValueError:
        return None  # a bad date is ignored, never an error page


def tip_filter(args: MultiDict) -> tip_triage.TipFilter:
    """The inbox filter from query (or form) fields; unknown values are ignored."""
    photos = args.get("photos", "")
    return tip_triage.TipFilter(
        status=args.get("status") or None,
        category=args.get("category") or None,
        date_from=_day(args.get("date_from")),
        date_to=_day(args.get("date_to")),
        has_photos={"yes": True, "no": False}.get(photos),
        delivery_failed=args.get("failed") == "1",
        assignee=(args.get("assignee") or "").strip()[:80] or None,
        overdue=args.get("overdue") == "1",
    )


def current_filters(args: MultiDict) -> dict[str, str]:
    return {name: args.get(name, "") for name in FILTER_FIELDS if args.get(name)}


@bp.get("/tips")
@require_role("tip_handler")
def tips():  # noqa: ANN201
    now = clock.now()
    page = tip_triage.search_tips(tip_filter(request.args), now, page=request.args.get("page", 1, type=int))
    return render_template(
        "admin/tips.html",
        page=page,
        filters=current_filters(request.args),
        overdue=tip_triage.overdue_count(now),
        failed=tip_triage.failed_receipts(),
        handlers=tip_triage.handlers(),
        statuses=STATUS_LABELS,
        categories=CATEGORY_LABELS,
        deadline=tip_triage.ack_deadline,
    )


def _view(receipt: str, reveal: bool):  # noqa: ANN202
    try:
        view = tip_review.view_tip(receipt, actor=g.staff.username, now=clock.now(), reveal_identity=reveal)
    except NotFound:
        abort(404)
    db.session.commit()  # the audit rows (tip.view, tip.identity)
    tip = view.tip
    return render_template(
        "admin/tip_detail.html",
        tip=tip,
        view=view,
        identity=view.identity,
        revealed=reveal,
        statuses=STATUS_LABELS,
        categories=CATEGORY_LABELS,
        channels=CHANNEL_LABELS,
        next_statuses=tip_triage.TRANSITIONS[tip.status],
        handlers=tip_triage.handlers(),
        duplicate_of=tip_triage.receipt_of_id(tip.duplicate_of_id),
        deadline=tip_triage.ack_deadline(tip.created_at),
        overdue=tip.status == "received" and tip.created_at < tip_triage.overdue_cutoff(clock.now()),
    )


@bp.get("/tips/<receipt>")
@require_role("tip_handler")
def tip_detail(receipt: str):  # noqa: ANN201
    """One tip in full: written to the audit log (tip.view). No identity here."""
    return _view(receipt, reveal=False)


@bp.post("/tips/<receipt>/identity")
@require_role("tip_handler")
def tip_identity(receipt: str):  # noqa: ANN201
    """The tipster's name and phone, only on this explicit (POST, CSRF-checked) click; audited."""
    return _view(receipt, reveal=True)


@bp.get("/tips/<receipt>/files/<int:file_id>")
@require_role("tip_handler")
def tip_file(receipt: str, file_id: int):  # noqa: ANN201
    """An evidence file of this tip, from the media directory (never a path from the request)."""
    try:
        tip = tip_review.get_tip(receipt)
    except NotFound:
        abort(404)
    att = next((a for a in tip.attachments if a.id == file_id and a.status == FILE_STORED and a.path), None)
    if att is None:
        abort(404)
    root = Path(current_app.config["MEDIA_DIR"]).resolve()
    path = (root / att.path).resolve()
    if root not in path.parents or not path.is_file():
        abort(404)
    return send_file(path, mimetype=att.content_type, max_age=0)
