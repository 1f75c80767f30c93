"""Tip changes from the inbox's detail page: status, assignment, internal note, public reply, flags.
Each is one POST (CSRF-checked), one service call, one commit, then back to the detail page."""

from __future__ import annotations

from collections.abc import Callable

from flask import abort, flash, g, redirect, request, url_for

from app import clock
from app.errors import DomainError, NotFound
from app.extensions import db
from app.models.tip import STATUS_LABELS
from app.services import tip_triage
from app.web.admin import bp
from app.web.admin.security import require_role


def _apply(receipt: str, change: Callable[..., object], done: str, *args: object):  # noqa: ANN202
    try:
        change(receipt, *args, actor=g.staff.username, now=clock.now())
    except NotFound:
        db.session.rollback()
        abort(404)
    except DomainError as exc:
        db.session.rollback()
        flash(exc.message, "error")
    else:
        db.session.commit()
        flash(done, "success")
    return redirect(url_for("admin.tip_detail", receipt=receipt))


@bp.post("/tips/<receipt>/status")
@require_role("tip_handler")
def tip_set_status(receipt: str):  # noqa: ANN201
    status = request.form.get("status", "")
    note = request.form.get("note") or None

    def change(r: str, **kw: object) -> object:
        return tip_triage.change_status(r, status, note=note, **kw)

    return _apply(receipt, change, f"状态已改为“{STATUS_LABELS.get(status, status)}”")


@bp.post("/tips/<receipt>/assign")
@require_role("tip_handler")
def tip_assign(receipt: str):  # noqa: ANN201
    handler = request.form.get("assignee", "")
    return _apply(receipt, tip_triage.assign, "已更新处理人", handler)


@bp.post("/tips/<receipt>/note")
@require_role("tip_handler")
def tip_note(receipt: str):  # noqa: ANN201
    return _apply(receipt, tip_triage.add_note, "已添加内部备注", request.form.get("note", ""))


@bp.post("/tips/<receipt>/reply")
@require_role("tip_handler")
def tip_reply(receipt: str):  # noqa: ANN201
    return _apply(
        receipt, tip_triage.set_reply, "公开答复已保存，举报人查询时可以看到", request.form.get("reply", "")
    )


@bp.post("/tips/<receipt>/known")
@require_role("tip_handler")
def tip_known(receipt: str):  # noqa: ANN201
    known = request.form.get("known") == "1"
    return _apply(receipt, tip_triage.flag_known, "已更新“已掌握”标记", known)


@bp.post("/tips/<receipt>/duplicate")
@require_role("tip_handler")
def tip_duplicate(receipt: str):  # noqa: ANN201
    original = request.form.get("original", "").strip()[:40]
    return _apply(receipt, tip_triage.mark_duplicate, "已更新重复标记", original or None)
