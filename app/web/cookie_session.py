"""Flask's signed-cookie session, without building its signing serializer on every request.

Flask builds an itsdangerous serializer (deriving its key) for every request only to find that most requests
(WeChat callbacks, the resident API) carry no session cookie. Here the serializer is built once per secret
key (and fallbacks) and only when there is a cookie to read or a session to write; the cookie format,
signing, expiry and fallback keys are Flask's own.
"""

from __future__ import annotations

from flask import Flask, Request
from flask.sessions import SecureCookieSession, SecureCookieSessionInterface
from itsdangerous import URLSafeTimedSerializer


class CookieSessions(SecureCookieSessionInterface):
    def __init__(self) -> None:
        self._signers: dict[tuple, URLSafeTimedSerializer | None] = {}

    def get_signing_serializer(self, app: Flask) -> URLSafeTimedSerializer | None:
        keys = (app.secret_key, tuple(app.config.get("SECRET_KEY_FALLBACKS") or ()))
        if keys not in self._signers:
            if len(self._signers) > 16:  # keys rotate rarely; tests build many apps
                self._signers.clear()
            self._signers[keys] = super().get_signing_serializer(app)
        return self._signers[keys]

    def open_session(self, app: Flask, request: Request) -> SecureCookieSession | None:
        if not app.secret_key:
            return None
        if not request.cookies.get(self.get_cookie_name(app)):
            return self.session_class()
        return super().open_session(app, request)


def init_app(app: Flask) -> None:
    app.session_interface = CookieSessions()
