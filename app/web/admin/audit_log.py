"""The audit log for admins: newest first, filtered by actor, action or target, paged by id."""

from __future__ import annotations

from flask import render_template, request
from sqlalchemy import select

from app.extensions import db
from app.models.audit import AuditLog
from app.web.admin import bp
from app.web.admin.security import require_role

PAGE = 100


@bp.get("/audit")
@require_role("admin")
def audit_log():  # noqa: ANN201
    actor = request.args.get("actor", "").strip()[:80]
    action = request.args.get("action", "").strip()[:40]
    target = request.args.get("target", "").strip()[:60]
    before = request.args.get("before", type=int)
    query = select(AuditLog).order_by(AuditLog.id.desc()).limit(PAGE + 1)
    if actor:
        query = query.where(AuditLog.actor == actor)
    if action:
        query = query.where(AuditLog.action.startswith(action, autoescape=True))
    if target:
        query = query.where(AuditLog.target_id == target)
    if before:
        query = query.where(AuditLog.id < before)
    rows = list(db.session.scalars(query))
    more = len(rows) > PAGE
    rows = rows[:PAGE]
    filters = {"actor": actor, "action": action, "target": target}
    next_before = rows[-1].id if more and rows else None
    return render_template("admin/audit_log.html", rows=rows, filters=filters, next_before=next_before)
