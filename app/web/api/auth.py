"""API sessions: a signed bearer token carrying the resident's openid."""

from __future__ import annotations

import time
from functools import wraps

from flask import current_app, jsonify, request
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from app.web.api import bp

TOKEN_MAX_AGE = 7 * 24 * 3600
VERIFIED_MAX = 20_000  # tokens whose signature this process has checked (bounded; then it starts again)
_UNSET = object()


def _tokens() -> tuple[str, URLSafeTimedSerializer, dict[str, tuple[str | None, int]]]:
    """One serializer per app and secret (building one derives its signing key), and the tokens it has
    verified: token -> (openid, signed at)."""
    secret = current_app.config["SECRET_KEY"]
    cached = current_app.extensions.get("fangfei.api_tokens")
    if cached is None or cached[0] != secret:
        cached = (secret, URLSafeTimedSerializer(secret, salt="fangfei-api-session"), {})
        current_app.extensions["fangfei.api_tokens"] = cached
    return cached


def _serializer() -> URLSafeTimedSerializer:
    return _tokens()[1]


def issue_token(openid: str) -> str:
    return _serializer().dumps({"openid": openid})


def openid_from_token(token: str) -> str | None:
    """The openid of a validly signed token younger than TOKEN_MAX_AGE. The signature of a token is checked
    once per process (the exact token string is remembered with its signing time); its age every time."""
    _, serializer, verified = _tokens()
    hit = verified.get(token)
    if hit is None:
        try:
            data, signed = serializer.loads(token, max_age=TOKEN_MAX_AGE, return_timestamp=True)
        except (BadSignature, SignatureExpired):
            return None
        openid = data.get("openid") if isinstance(data, dict) else None
        if len(verified) >= VERIFIED_MAX:
            verified.clear()
        hit = verified[token] = (openid, int(signed.timestamp()))
    age = int(time.time()) - hit[1]  # as itsdangerous counts it
    if age > TOKEN_MAX_AGE or age < 0:
        return None
    return hit[0]


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
