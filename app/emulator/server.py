"""WeChat API emulator: the endpoints fangfei uses, over real HTTP, with fault injection for tests.

Endpoints: cgi-bin/token, message/custom/send, media/get (+ media/upload), menu/create|get,
message/template/send, message/subscribe/bizsend, sns/oauth2/access_token, connect/oauth2/authorize,
sns/jscode2session. Control endpoints under /_emulator/ inspect what was sent and inject faults.
"""

from __future__ import annotations

import secrets
import threading
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from flask import Flask, Response, jsonify, redirect, request

CODE_TTL = 300


@dataclass
class EmulatorState:
    app_id: str
    secret: str
    tokens: dict[str, float] = field(default_factory=dict)  # token -> expires at
    token_calls: int = 0
    sent: list[dict[str, Any]] = field(default_factory=list)
    templates: list[dict[str, Any]] = field(default_factory=list)
    menu: dict[str, Any] | None = None
    media: dict[str, tuple[bytes, str]] = field(default_factory=dict)
    codes: dict[str, tuple[str, float, bool]] = field(default_factory=dict)  # code -> openid, exp, used
    snapshot_codes: set[str] = field(default_factory=set)  # codes issued in snapshot mode
    faults: dict[str, list[str]] = field(default_factory=dict)  # endpoint -> queue of modes
    lock: threading.Lock = field(default_factory=threading.Lock)

    def reset(self) -> None:
        with self.lock:
            self.tokens.clear()
            self.sent.clear()
            self.templates.clear()
            self.media.clear()
            self.codes.clear()
            self.snapshot_codes.clear()
            self.faults.clear()
            self.menu, self.token_calls = None, 0

    def issue_code(self, openid: str, *, snapshot: bool = False) -> str:
        code = secrets.token_urlsafe(12)
        with self.lock:
            self.codes[code] = (openid, time.time() + CODE_TTL, False)
            if snapshot:
                self.snapshot_codes.add(code)
        return code


def _err(code: int, msg: str) -> Response:
    return jsonify(errcode=code, errmsg=msg)


def create_emulator(app_id: str = "wx0123456789abcdef", secret: str = "fangfei-dev-app-secret") -> Flask:  # noqa: S107
    app = Flask("wechat_emulator")
    state = EmulatorState(app_id, secret)
    app.extensions["emulator"] = state

    def fault(endpoint: str) -> Response | None:
        with state.lock:
            queue = state.faults.get(endpoint) or state.faults.get("*")
            mode = queue.pop(0) if queue else None
        if mode == "timeout":
            time.sleep(float(request.args.get("_sleep", 6)))
            return _err(-1, "system busy")
        if mode == "error":
            return _err(-1, "system error")
        if mode == "http500":
            return Response("internal error", status=500)
        return None

    def valid_token() -> bool:
        token = request.args.get("access_token", "")
        with state.lock:
            exp = state.tokens.get(token)
        return exp is not None and exp > time.time()

    @app.get("/cgi-bin/token")
    def token():  # noqa: ANN202
        if (f := fault("token")) is not None:
            return f
        if request.args.get("appid") != state.app_id or request.args.get("secret") != state.secret:
            return _err(40125, "invalid appsecret")
        value = "EMU_" + secrets.token_hex(16)
        with state.lock:
            state.token_calls += 1
            state.tokens[value] = time.time() + 7200
        return jsonify(access_token=value, expires_in=7200)

    def authed(endpoint: str) -> Response | None:
        if (f := fault(endpoint)) is not None:
            return f
        if not valid_token():
            return _err(40001, "invalid credential, access_token is invalid or not latest")
        return None

    @app.post("/cgi-bin/message/custom/send")
    def custom_send():  # noqa: ANN202
        if (f := authed("custom_send")) is not None:
            return f
        body = request.get_json(force=True)
        with state.lock:
            state.sent.append(body)
        return _err(0, "ok")

    @app.post("/cgi-bin/message/template/send")
    @app.post("/cgi-bin/message/subscribe/bizsend")
    def template_send():  # noqa: ANN202
        if (f := authed("template_send")) is not None:
            return f
        with state.lock:
            state.templates.append(request.get_json(force=True))
        return jsonify(errcode=0, errmsg="ok", msgid=len(state.templates))

    @app.post("/cgi-bin/menu/create")
    def menu_create():  # noqa: ANN202
        if (f := authed("menu_create")) is not None:
            return f
        body = request.get_json(force=True)
        if not isinstance(body, dict) or not body.get("button") or len(body["button"]) > 3:
            return _err(40016, "invalid button size")
        with state.lock:
            state.menu = body
        return _err(0, "ok")

    @app.get("/cgi-bin/menu/get")
    def menu_get():  # noqa: ANN202
        if (f := authed("menu_get")) is not None:
            return f
        return jsonify(menu=state.menu) if state.menu else _err(46003, "menu no exist")

    @app.get("/cgi-bin/media/get")
    def media_get():  # noqa: ANN202
        if (f := authed("media_get")) is not None:
            return f
        item = state.media.get(request.args.get("media_id", ""))
        if item is None:
            return _err(40007, "invalid media_id")
        data, mime = item
        return Response(data, mimetype=mime, headers={"Content-Disposition": 'attachment; filename="m.jpg"'})

    @app.post("/cgi-bin/media/upload")
    def media_upload():  # noqa: ANN202
        upload = request.files.get("media")
        if upload is None:
            return _err(41005, "media data missing")
        media_id = "MEDIA_" + secrets.token_hex(8)
        with state.lock:
            state.media[media_id] = (upload.read(), upload.mimetype or "image/jpeg")
        return jsonify(type=request.args.get("type", "image"), media_id=media_id, created_at=int(time.time()))

    @app.get("/connect/oauth2/authorize")
    def authorize():  # noqa: ANN202
        """WeChat's OAuth page: in the emulator it redirects at once, as the user `_openid` (or the
        `emu_openid` cookie, or a default); `_snapshot=1` plays WeChat's snapshot mode (is_snapshotuser)."""
        if request.args.get("appid") != state.app_id:
            return Response("appid mismatch", status=400)
        openid = request.args.get("_openid") or request.cookies.get("emu_openid") or "o_emulator_user"
        code = state.issue_code(openid, snapshot=request.args.get("_snapshot") == "1")
        target = request.args.get("redirect_uri", "")
        sep = "&" if "?" in target else "?"
        return redirect(target + sep + urlencode({"code": code, "state": request.args.get("state", "")}))

    def exchange(code: str) -> tuple[str | None, Response | None]:
        with state.lock:
            item = state.codes.get(code)
            if item is None:
                return None, _err(40029, "invalid code")
            openid, exp, used = item
            if used:
                return None, _err(40163, "code been used")
            if exp < time.time():
                return None, _err(40029, "invalid code (expired)")
            state.codes[code] = (openid, exp, True)
        return openid, None

    @app.get("/sns/oauth2/access_token")
    def oauth_token():  # noqa: ANN202
        if (f := fault("oauth")) is not None:
            return f
        if request.args.get("appid") != state.app_id or request.args.get("secret") != state.secret:
            return _err(40125, "invalid appsecret")
        openid, error = exchange(request.args.get("code", ""))
        if error is not None:
            return error
        body = {
            "access_token": "OAUTH_" + secrets.token_hex(8),
            "expires_in": 7200,
            "refresh_token": "R_" + secrets.token_hex(8),
            "openid": openid,
            "scope": "snsapi_base",
        }
        if request.args.get("code", "") in state.snapshot_codes:
            body["is_snapshotuser"] = 1
        return jsonify(body)

    @app.get("/sns/jscode2session")
    def code2session():  # noqa: ANN202
        if (f := fault("code2session")) is not None:
            return f
        openid, error = exchange(request.args.get("js_code", ""))
        if error is not None:
            return error
        return jsonify(openid=openid, session_key=secrets.token_hex(8))

    # Control endpoints ---------------------------------------------------------------------------
    @app.post("/_emulator/reset")
    def reset():  # noqa: ANN202
        state.reset()
        return jsonify(ok=True)

    @app.post("/_emulator/faults")
    def set_faults():  # noqa: ANN202
        body = request.get_json(force=True)
        with state.lock:
            state.faults[body["endpoint"]] = [body["mode"]] * int(body.get("count", 1))
        return jsonify(ok=True)

    @app.post("/_emulator/expire-tokens")
    def expire_tokens():  # noqa: ANN202
        with state.lock:
            state.tokens.clear()
        return jsonify(ok=True)

    @app.post("/_emulator/codes")
    def new_code():  # noqa: ANN202
        return jsonify(code=state.issue_code(request.get_json(force=True)["openid"]))

    @app.get("/_emulator/state")
    def show_state():  # noqa: ANN202
        with state.lock:
            return jsonify(
                token_calls=state.token_calls,
                sent=state.sent,
                templates=state.templates,
                menu=state.menu,
                media=sorted(state.media),
            )

    return app


def main() -> None:  # pragma: no cover - a dev entry point
    import os

    port = int(os.environ.get("EMULATOR_PORT", "5001"))
    create_emulator(
        os.environ.get("FANGFEI_WECHAT_APP_ID", "wx0123456789abcdef"),
        os.environ.get("FANGFEI_WECHAT_APP_SECRET", "fangfei-dev-app-secret"),
    ).run(host="127.0.0.1", port=port, threaded=True)


if __name__ == "__main__":  # pragma: no cover
    main()
