"""Staff login and logout: one message for every failure, throttled per username and per IP."""

from __future__ import annotations

from flask import g, redirect, render_template, request, url_for

from app import clock, runtime
from app.errors import RateLimited
from app.extensions import db
from app.services import audit, rate_limits
from app.services import staff as staff_service
from app.web.admin import bp
from app.web.admin.security import end_session, public, require_role, start_session

LOGIN_FAILED = "用户名或密码错误"
LOCKED = "登录失败次数过多，请 15 分钟后再试"
USER_LIMIT, IP_LIMIT, WINDOW = 5, 30, 15 * 60


def _safe_next(target: str | None) -> str:
    """Only paths inside the dashboard (no scheme, no //host): no open redirect after login."""
    if target and target.startswith("/admin") and not target.startswith("//") and "\\" not in target:
        return target
    return url_for("admin.overview")


def _locked(username: str, ip: str) -> bool:
    store = runtime.store()
    return rate_limits.peek_exceeded(
        store, "admin-login-user", username.lower(), USER_LIMIT, WINDOW
    ) or rate_limits.peek_exceeded(store, "admin-login-ip", ip, IP_LIMIT, WINDOW)


def _count_failure(username: str, ip: str) -> None:
    store = runtime.store()
    for bucket, subject, limit in (
        ("admin-login-user", username.lower(), USER_LIMIT),
        ("admin-login-ip", ip, IP_LIMIT),
    ):
        try:
            rate_limits.hit(store, bucket, subject, limit, WINDOW, LOCKED)
        except RateLimited:
            pass  # counted; the next attempt is refused by _locked()


@bp.route("/login", methods=["GET", "POST"])
@public
def login():  # noqa: ANN201
    if request.method == "GET":
        if g.staff is not None:
            return redirect(_safe_next(request.args.get("next")))
        expired = g.get("session_expired", False) or request.args.get("expired") == "1"
        return render_template("admin/login.html", error=None, expired=expired, username="")
    username = request.form.get("username", "")[:40]
    password = request.form.get("password", "")[:200]
    ip = request.remote_addr or "unknown"
    now = clock.now()
    if _locked(username, ip):
        audit.record("anonymous", "staff.login_locked", "staff", username or "-", now=now)
        db.session.commit()
        return render_template("admin/login.html", error=LOCKED, username=username), 429
    staff = staff_service.authenticate(username, password, now=now)
    if staff is None:
        _count_failure(username, ip)
        audit.record("anonymous", "staff.login_failed", "staff", username or "-", now=now, detail=ip)
        db.session.commit()
        return render_template("admin/login.html", error=LOGIN_FAILED, username=username)
    audit.record(staff.username, "staff.login", "staff", staff.id, now=now, detail=ip)
    db.session.commit()
    start_session(staff)
    return redirect(_safe_next(request.args.get("next")))


@bp.post("/logout")
@require_role("admin", "analyst", "tip_handler")
def logout():  # noqa: ANN201
    audit.record(g.staff.username, "staff.logout", "staff", g.staff.id, now=clock.now())
    db.session.commit()
    end_session()
    return redirect(url_for("admin.login"))
