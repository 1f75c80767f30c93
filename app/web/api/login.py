"""API login: a WeChat web OAuth code (snsapi_base) or a mini-program code (code2session) -> a session token."""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

import requests
from flask import current_app, jsonify, request

from app import redis_keys, runtime
from app.errors import DomainError
from app.redis_keys import Key
from app.services import rate_limits, registration
from app.state_store import StoreUnavailable
from app.web.api import bp
from app.web.api.auth import TOKEN_MAX_AGE, client_ip, issue_token

log = logging.getLogger(__name__)

LOGIN_LIMIT, LOGIN_WINDOW = 30, 60  # attempts per IP per minute: generous for shared office NATs
CODE_REJECTED = {40029, 40163, 41008}  # invalid, already used, missing code
CODE_USED = 40163
USED_CODE_WAIT = (0.05, 0.1, 0.2, 0.3)  # a double redirect: the other request may be storing the openid

CODE_INVALID = "登录已失效，请返回公众号，从菜单重新打开活动页面。"
CODE_MISSING = "缺少登录凭证，请从公众号菜单打开活动页面。"
WECHAT_DOWN = "微信服务繁忙，请稍后再试。"
LOGIN_FAILED = "登录失败，请稍后再试。"
TOO_MANY = "登录太频繁了，请稍等一分钟再试。"
BAD_REDIRECT = "跳转地址不在本活动的网站内。"
SNAPSHOT = "您正在预览页面，请点击页面下方的“使用完整服务”，或从公众号菜单打开活动页面。"


class WeChatUnavailable(DomainError):
    code = "wechat_unavailable"
    status = 503


class SnapshotUser(DomainError):
    """WeChat's snapshot mode (朋友圈 preview, `is_snapshotuser: 1`): a virtual openid, never a session."""

    code = "snapshot_user"
    status = 403


class LoginFailed(DomainError):
    """WeChat refused our own credentials (a configuration problem, not the resident's)."""

    code = "login_failed"
    status = 502


def _settings() -> Any:
    return current_app.extensions["fangfei.settings"]


def _store_get(key: Key) -> str | None:
    try:
        return runtime.store().get(key)
    except StoreUnavailable:
        return None


def _remember(key: Key, openid: str, ip: str) -> None:
    try:
        runtime.store().set(key, json.dumps({"openid": openid, "ip": ip}))
    except StoreUnavailable:
        log.warning("could not remember an exchanged login code (state store down)")


def _known_openid(key: Key, ip: str) -> str | None:
    """The openid a code was exchanged for in the last 10 minutes, for a reload from the same IP."""
    raw = _store_get(key)
    if not raw:
        return None
    try:
        seen = json.loads(raw)
    except ValueError:
        return None
    return seen.get("openid") if isinstance(seen, dict) and seen.get("ip") == ip else None


def _ask_wechat(path: str, params: dict[str, str]) -> dict[str, Any]:
    url = _settings().WECHAT_API_BASE.rstrip("/") + path
    try:
        res = requests.get(url, params=params, timeout=_settings().HTTP_TIMEOUT)
        data = res.json() if res.status_code == 200 else None
    except (requests.RequestException, ValueError):
        data = None
    if not isinstance(data, dict):
        raise WeChatUnavailable(WECHAT_DOWN)
    return data


def _oauth(code: str) -> dict[str, Any]:
    s = _settings()
    return _ask_wechat(
        "/sns/oauth2/access_token",
        {
            "appid": s.WECHAT_APP_ID,
            "secret": s.WECHAT_APP_SECRET,
            "code": code,
            "grant_type": "authorization_code",
        },
    )


oauth_exchange = _oauth  # for the H5 page's own callback


def _code2session(code: str) -> dict[str, Any]:
    config = current_app.config
    return _ask_wechat(
        "/sns/jscode2session",
        {
            "appid": config.get("WECHAT_MINI_APP_ID") or config["WECHAT_APP_ID"],
            "secret": config.get("WECHAT_MINI_APP_SECRET") or config["WECHAT_APP_SECRET"],
            "js_code": code,
            "grant_type": "authorization_code",
        },
    )


def exchange(code: str, key: Key, ask: Callable[[str], dict[str, Any]]) -> str:
    """The openid behind a login code. WeChat's codes are single-use, so an exchanged code is remembered
    for 10 minutes: a reload or a double redirect with the same code gets the same session, not an error."""
    ip = client_ip()
    known = _known_openid(key, ip)
    if known:
        return known
    data = ask(code)
    if data.get("is_snapshotuser") == 1:
        raise SnapshotUser(SNAPSHOT)
    if data.get("openid"):
        _remember(key, data["openid"], ip)
        return str(data["openid"])
    errcode = data.get("errcode")
    if errcode == CODE_USED:
        for pause in USED_CODE_WAIT:
            time.sleep(pause)
            known = _known_openid(key, ip)
            if known:
                return known
    if errcode in CODE_REJECTED:
        raise DomainError(CODE_INVALID, code="code_invalid")
    if errcode in (-1, 45011):
        raise WeChatUnavailable(WECHAT_DOWN)
    log.error("WeChat refused a login code exchange: errcode=%s", errcode)
    raise LoginFailed(LOGIN_FAILED)


def _login(key_for: Callable[[str], Key], ask: Callable[[str], dict[str, Any]]):  # noqa: ANN202
    try:
        rate_limits.hit(runtime.store(), "api-login", client_ip(), LOGIN_LIMIT, LOGIN_WINDOW, TOO_MANY)
    except StoreUnavailable:
        log.warning("login rate limit skipped (state store down)")
    data = request.get_json(silent=True)
    code = data.get("code") if isinstance(data, dict) else None
    if not isinstance(code, str) or not code.strip() or len(code) > 256:
        raise DomainError(CODE_MISSING, code="code_missing")
    openid = exchange(code.strip(), key_for(code.strip()), ask)
    return jsonify(
        token=issue_token(openid),
        token_type="Bearer",  # noqa: S106
        expires_in=TOKEN_MAX_AGE,
        registered=registration.get_participant(openid) is not None,
    )


@bp.post("/login/oauth")
def login_oauth():  # noqa: ANN201
    """H5 page: exchange the `code` WeChat put on the redirect (snsapi_base) for a session token."""
    return _login(redis_keys.oauth_code, _oauth)


@bp.post("/login/miniprogram")
def login_miniprogram():  # noqa: ANN201
    """Mini-program: exchange the `code` from wx.login() (code2session) for a session token."""
    return _login(redis_keys.miniprogram_code, _code2session)


@bp.get("/login/authorize-url")
def authorize_url():  # noqa: ANN201
    """The WeChat OAuth page to send the browser to (snsapi_base); it comes back to `redirect_uri`."""
    s = _settings()
    target = request.args.get("redirect_uri", "")
    base = s.PUBLIC_BASE_URL.rstrip("/")
    if not (target == base or target.startswith(base + "/")):
        raise DomainError(BAD_REDIRECT, code="bad_redirect")
    query = urlencode(
        {
            "appid": s.WECHAT_APP_ID,
            "redirect_uri": target,
            "response_type": "code",
            "scope": "snsapi_base",
            "state": request.args.get("state", "")[:128],
        }
    )
    return jsonify(url=f"{s.WECHAT_OPEN_BASE.rstrip('/')}/connect/oauth2/authorize?{query}#wechat_redirect")
