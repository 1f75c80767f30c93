"""H5 fixtures: the production-like app on a real socket whose PUBLIC_BASE_URL is that socket, with the
WeChat emulator serving OAuth, the bundled bank and a campaign open at a frozen evening."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests
from flask import Flask

from app import clock
from app.extensions import db
from tests.conftest import build_app, clean_database
from tests.factories import load_bundled_bank, make_campaign
from tests.quiz.conftest import EVENING
from tests.support import services
from tests.support.servers import ServerThread

# The policy another part of the project sets globally; the H5 page must work under it.
CSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:"


class LateApp:
    """A WSGI app filled in after the socket is bound (the app needs the socket's URL as its public URL)."""

    app: Flask | None = None

    def __call__(self, environ, start_response):  # noqa: ANN001, ANN204
        return self.app(environ, start_response)


@dataclass
class H5Site:
    app: Flask
    url: str
    emu: str

    def code(self, openid: str, *, snapshot: bool = False) -> str:
        """A fresh OAuth code from the emulator, as WeChat would put it on the redirect."""
        res = requests.get(
            self.emu + "connect/oauth2/authorize",
            params={
                "appid": self.app.config["WECHAT_APP_ID"],
                "redirect_uri": self.url + "/x",
                "_openid": openid,
                "_snapshot": "1" if snapshot else "",
            },
            allow_redirects=False,
            timeout=5,
        )
        return res.headers["Location"].split("code=")[1].split("&")[0]

    def burn(self, code: str) -> None:
        """Exchange a code behind the app's back (someone else used it)."""
        requests.get(
            self.emu + "sns/oauth2/access_token",
            params={
                "appid": self.app.config["WECHAT_APP_ID"],
                "secret": self.app.config["WECHAT_APP_SECRET"],
                "code": code,
                "grant_type": "authorization_code",
            },
            timeout=5,
        ).raise_for_status()


@pytest.fixture
def site(pg_url: str, redis_url: str, emu: str, tmp_path: Path) -> Iterator[H5Site]:
    services.clear_redis(redis_url)
    late = LateApp()
    server = ServerThread(late).start()
    application = build_app(
        pg_url,
        redis_url,
        WECHAT_API_BASE=emu,
        WECHAT_OPEN_BASE=emu,
        PUBLIC_BASE_URL=server.url,
        MEDIA_DIR=str(tmp_path / "media"),
    )

    @application.after_request
    def csp(resp):  # noqa: ANN001, ANN202
        resp.headers["Content-Security-Policy"] = CSP
        return resp

    clean_database(application)
    with application.app_context():
        load_bundled_bank()
        make_campaign()
    clock.freeze(EVENING)
    late.app = application
    yield H5Site(application, server.url, emu)
    server.stop()
    clock.freeze(None)
    with application.app_context():
        db.session.remove()
        db.engine.dispose()
