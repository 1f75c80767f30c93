"""H5 entry: outside-WeChat and snapshot pages, OAuth (snsapi_base) start and callback, the page shell.

The callback exchanges a code once. A reload (or WeChat's double redirect) with a code this session has
already exchanged just continues; a used code without a session restarts OAuth once, then explains.
"""

from __future__ import annotations

import secrets
from typing import Any
from urllib.parse import urlencode

from flask import Response, current_app, make_response, redirect, render_template, request, session, url_for

from app import redis_keys
from app.errors import DomainError
from app.web.api import login
from app.web.api.auth import issue_token
from app.web.h5 import bp
from config.menu import H5_CALLBACK_PATH, H5_MENU_STATE

OUTSIDE = "outside"
SNAPSHOT = "snapshot"
FAILED = "failed"
PAGE_CSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; frame-ancestors 'none'"


@bp.after_request
def page_policy(resp: Response) -> Response:
    """Scripts and styles from our own files only (the global policy may be stricter; it wins)."""
    resp.headers.setdefault("Content-Security-Policy", PAGE_CSP)
    resp.headers.setdefault("X-Content-Type-Options", "nosniff")
    return resp


def _settings() -> Any:
    return current_app.extensions["fangfei.settings"]


def in_wechat() -> bool:
    return "micromessenger" in request.headers.get("User-Agent", "").lower()


def _no_store(resp: Response) -> Response:
    resp.headers["Cache-Control"] = "no-store"
    resp.headers["Referrer-Policy"] = "no-referrer"  # codes and tokens never leak through Referer
    return resp


def notice(kind: str, status: int = 200, message: str | None = None) -> Response:
    """A plain page that explains what to do (outside WeChat, snapshot mode, login failed)."""
    dev = _settings().ENV != "production"
    body = render_template("h5/notice.html", kind=kind, message=message, dev=dev)
    return _no_store(make_response(body, status))


def authorize_url(*, retry: bool = False) -> str:
    """OAuth with a per-session state (no login CSRF); `retry` marks the one second round in the URL."""
    s = _settings()
    state = secrets.token_urlsafe(12)
    session["h5_oauth_state"] = state
    callback = s.PUBLIC_BASE_URL.rstrip("/") + H5_CALLBACK_PATH + ("?retry=1" if retry else "")
    query = urlencode(
        {
            "appid": s.WECHAT_APP_ID,
            "redirect_uri": callback,
            "response_type": "code",
            "scope": "snsapi_base",
            "state": state,
        }
    )
    return f"{s.WECHAT_OPEN_BASE.rstrip('/')}/connect/oauth2/authorize?{query}#wechat_redirect"


def _restart_or_explain() -> Response:
    """A code we cannot use: already signed in -> continue; else one more OAuth round, then explain."""
    if session.get("h5_openid"):
        return redirect(url_for("h5.home"))
    if request.args.get("retry") == "1":
        return notice(FAILED, 400, login.CODE_INVALID)
    return _no_store(redirect(authorize_url(retry=True)))


@bp.get("/")
def home() -> Response:
    """The activity page; starts WeChat OAuth when there is no session yet."""
    if request.args.get("dev") == "1" and _settings().ENV != "production":
        session["h5_dev_browser"] = True  # development only: a desktop browser stands in for WeChat
    openid = session.get("h5_openid")
    if openid is None:
        if not in_wechat() and not session.get("h5_dev_browser"):
            return notice(OUTSIDE)
        return _no_store(redirect(authorize_url()))
    body = render_template("h5/app.html", token=issue_token(openid))
    return _no_store(make_response(body))


@bp.get("/oauth/callback")
def callback() -> Response:
    """WeChat comes back here with ?code=...&state=...; the code becomes a session, once."""
    if request.args.get("is_snapshotuser") == "1":
        return notice(SNAPSHOT)
    code = request.args.get("code", "").strip()
    if not code or len(code) > 256:
        return _restart_or_explain()
    if session.get("h5_openid") and session.get("h5_oauth_code") == code:
        return redirect(url_for("h5.home"))  # a reload of the callback: this session already used it
    state = request.args.get("state")
    if not session.get("h5_oauth_state") or state != session.get("h5_oauth_state"):
        if state == H5_MENU_STATE and not session.get("h5_openid") and request.args.get("retry") != "1":
            return _no_store(redirect(authorize_url()))  # from the menu: one silent round with our state
        return _restart_or_explain()
    try:
        openid = login.exchange(code, redis_keys.oauth_code(code), login.oauth_exchange)
    except login.SnapshotUser:
        return notice(SNAPSHOT)
    except DomainError as exc:
        if exc.code == "code_invalid":
            return _restart_or_explain()
        return notice(FAILED, exc.status, exc.message)
    dev = session.get("h5_dev_browser")
    session.clear()  # a fresh session for a fresh login
    session.update(h5_openid=openid, h5_oauth_code=code)
    if dev:
        session["h5_dev_browser"] = True
    return _no_store(redirect(url_for("h5.home")))
