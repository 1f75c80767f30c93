"""Dashboard security: roles on every view (deny by default), staff session with timeouts, CSRF.

Session keys: staff_id, staff_v (the account's session_version), staff_at (login time), staff_seen
(last request), csrf. Sessions are Flask's signed cookies (HttpOnly, SameSite=Lax, Secure in production);
login clears the session first, so a token planted before login never carries over (no fixation).
"""

from __future__ import annotations

import hmac
import secrets
from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import abort, current_app, g, redirect, request, session, url_for
from markupsafe import Markup

from app import clock
from app.extensions import db
from app.models.staff import ROLES, Staff

IDLE_TIMEOUT = 30 * 60  # seconds without a request before the staff session ends
ABSOLUTE_TIMEOUT = 12 * 3600  # seconds after login when the session ends regardless
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


def require_role(*roles: str) -> Callable:
    """Allow a view to these roles (admin is always allowed). Records them on the view as `_roles`."""
    unknown = set(roles) - set(ROLES)
    if unknown:
        raise ValueError(f"unknown roles: {unknown}")
    allowed = tuple(sorted({"admin", *roles}))

    def decorate(view: Callable) -> Callable:
        @wraps(view)
        def guarded(*args: Any, **kwargs: Any) -> Any:
            staff = g.get("staff")
            if staff is None:
                return to_login()
            if staff.role not in allowed:
                abort(403)
            return view(*args, **kwargs)

        guarded._roles = allowed  # type: ignore[attr-defined]
        return guarded

    return decorate


def to_login() -> Any:
    """Redirect to the login page, back here afterwards; says so when the session timed out."""
    expired = 1 if g.get("session_expired") else None
    return redirect(url_for("admin.login", next=request.full_path.rstrip("?"), expired=expired))


def public(view: Callable) -> Callable:
    """A dashboard view open without login (login page only). Declares an empty role list."""
    view._roles = ()  # type: ignore[attr-defined]
    view._public = True  # type: ignore[attr-defined]
    return view


def declared_roles(view: Callable) -> tuple[str, ...] | None:
    """The roles a view declared, () for public views, None when it declared nothing."""
    return getattr(view, "_roles", None)


def csrf_token() -> str:
    token = session.get("csrf")
    if not token:
        token = secrets.token_urlsafe(32)
        session["csrf"] = token
    return token


def csrf_input() -> Markup:
    """The hidden form field every dashboard form carries."""
    return Markup('<input type="hidden" name="csrf_token" value="{}">').format(csrf_token())


def _csrf_ok() -> bool:
    expected = session.get("csrf")
    sent = request.form.get("csrf_token") or request.headers.get("X-CSRF-Token") or ""
    return bool(expected) and hmac.compare_digest(str(expected), str(sent))


def start_session(staff: Staff) -> None:
    """Log a staff member in: a fresh session (old contents dropped), a new CSRF token."""
    session.clear()
    now = int(clock.now().timestamp())
    session.update(staff_id=staff.id, staff_v=staff.session_version, staff_at=now, staff_seen=now)
    session["csrf"] = secrets.token_urlsafe(32)
    session.permanent = False


def end_session() -> None:
    session.clear()


def _load_staff() -> Staff | None:
    staff_id = session.get("staff_id")
    if staff_id is None:
        return None
    now = int(clock.now().timestamp())
    idle = current_app.config.get("ADMIN_IDLE_TIMEOUT", IDLE_TIMEOUT)
    absolute = current_app.config.get("ADMIN_ABSOLUTE_TIMEOUT", ABSOLUTE_TIMEOUT)
    seen, started = int(session.get("staff_seen", 0)), int(session.get("staff_at", 0))
    staff = db.session.get(Staff, staff_id)
    expired = now - seen > idle or now - started > absolute
    if expired or staff is None or not staff.active or staff.session_version != session.get("staff_v"):
        session.clear()
        g.session_expired = True
        return None
    session["staff_seen"] = now
    return staff


def before_admin_request() -> Any:
    """Runs before every /admin request: load g.staff, check CSRF, refuse undeclared views."""
    g.staff = _load_staff()
    if request.method in UNSAFE_METHODS and not _csrf_ok():
        abort(400, description="csrf")
    view = current_app.view_functions.get(request.endpoint or "")
    if view is None:
        return None
    roles = declared_roles(view)
    if roles is None:
        abort(403)  # deny by default: a view that declared no roles is open to nobody
    if getattr(view, "_public", False):
        return None
    if g.staff is None:
        if request.method == "GET":
            return to_login()
        abort(401)
    return None
