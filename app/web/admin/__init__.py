"""The office staff dashboard under /admin (Chinese UI).

Templates live in app/templates/admin/ (the app's template folder; `admin/base.html` has blocks
`title` and `content`), static files in app/static/admin/ and app/static/vendor/. Every view declares
its roles with `@require_role(...)` from app.web.admin.security (or `@public`); a view without a
declaration answers 403. Every POST/PUT/PATCH/DELETE carries the CSRF token (form field `csrf_token`
via `{{ csrf_input() }}`, or header X-CSRF-Token from <meta name="csrf-token">).
"""

from __future__ import annotations

from datetime import datetime

from flask import Blueprint, current_app, g, render_template
from werkzeug.exceptions import HTTPException

from app import clock
from app.errors import DomainError
from app.extensions import db
from app.services.staff import ROLE_LABELS
from app.web.admin import security

bp = Blueprint("admin", __name__, url_prefix="/admin")
bp.before_request(security.before_admin_request)


@bp.app_template_global()
def csrf_input():  # noqa: ANN201
    return security.csrf_input()


@bp.app_template_global()
def csrf_token() -> str:
    return security.csrf_token()


@bp.app_template_global()
def can_view(endpoint: str) -> bool:
    """True when the logged-in staff member may open this dashboard endpoint (for nav links)."""
    staff = g.get("staff")
    view = current_app.view_functions.get(endpoint)
    roles = security.declared_roles(view) if view is not None else None
    return bool(staff is not None and roles and staff.role in roles)


@bp.app_template_global()
def role_label(role: str) -> str:
    return ROLE_LABELS.get(role, role)


@bp.app_template_filter("local_time")
def local_time(moment: datetime | None) -> str:
    """An aware UTC datetime as Beijing time, e.g. 2026-11-23 20:15."""
    return clock.local(moment).strftime("%Y-%m-%d %H:%M") if moment else ""


@bp.after_request
def no_store(response):  # noqa: ANN001, ANN201
    """Dashboard pages hold personal data: never cached by browsers or proxies."""
    response.headers.setdefault("Cache-Control", "no-store")
    return response


@bp.errorhandler(DomainError)
def domain_error(exc: DomainError):  # noqa: ANN201
    db.session.rollback()
    return render_template("admin/error.html", message=exc.message, code=exc.status), exc.status


ERROR_TEXT = {
    400: "请求无效（页面可能已过期，请刷新后重试）",
    401: "请先登录",
    403: "您的账号没有权限访问此页面",
    404: "页面不存在",
    405: "不支持此操作",
    429: "操作太频繁，请稍后再试",
}


@bp.errorhandler(HTTPException)
def http_error(exc: HTTPException):  # noqa: ANN201
    db.session.rollback()
    code = exc.code or 500
    message = ERROR_TEXT.get(code, "出错了，请稍后再试")
    return render_template("admin/error.html", message=message, code=code), code


# View modules attach their routes to `bp` (imported last, so `bp` exists).
from app.web.admin import (  # noqa: E402,F401
    audit_log,
    auth,
    bank,
    exports,
    leaderboards,
    moderation,
    overview,
    staff_accounts,
    tips,
    tips_actions,
)
