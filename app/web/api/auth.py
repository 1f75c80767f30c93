"""API sessions: a signed bearer token carrying the resident's openid."""

from __future__ import annotations

from functools import wraps
from typing import Any

from flask import current_app, jsonify, request
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from app.web.api import bp

TOKEN_MAX_AGE = 7 * 24 * 3600
_UNSET = object()


def _serializer() -> URLSafeTimedSerializer:
    """One serializer per app and secret (building one derives its signing key)."""
    secret = current_app.config["SECRET_KEY"]
    cached = current_app.extensions.get("fangfei.api_tokens")
    if cached is None or cached[0] != secret:
        cached = (secret, URLSafeTimedSerializer(secret, salt="fangfei-api-session"))
        current_app.extensions["fangfei.api_tokens"] = cached
    return cached[1]


def issue_token(openid: str) -> str:
    return _serializer().dumps({"openid": openid})


def openid_from_token(token: str) -> str | None:
    try:
        data: dict[str, Any] = _serializer().loads(token, max_age=TOKEN_MAX_AGE)
    except (BadSignature, SignatureExpired):
        return None
    return data.get("openid")


def current_openid() -> str | None:
    """The resident behind this request (bearer token), or None."""
    cached = request.environ.get("fangfei.openid", _UNSET)  # per request, not per app context
    if cached is _UNSET:
        header = request.headers.get("Authorization", "")
        cached = openid_from_token(header[7:]) if header.startswith("Bearer ") else None
        request.environ["fangfei.openid"] = cached
    return cached


def login_required(fn):  # noqa: ANN001, ANN201
    @wraps(fn)
    def wrapper(*args, **kwargs):  # noqa: ANN202
        if current_openid() is None:
            return jsonify(error="unauthorized", message="请先登录（从公众号菜单进入活动页面）"), 401
        return fn(*args, **kwargs)

    return wrapper


def client_ip() -> str:
    """The caller's IP (behind nginx: the first X-Forwarded-For hop set by our proxy)."""
    forwarded = request.headers.get("X-Forwarded-For", "")
    if forwarded and current_app.config.get("ENV") == "production":
        return forwarded.split(",")[0].strip()
    return request.remote_addr or "unknown"


@bp.get("/session")
@login_required
def session_info():  # noqa: ANN201
    return jsonify(openid=current_openid())
