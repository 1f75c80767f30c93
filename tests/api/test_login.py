"""Logging in from the H5 page (web OAuth code) and the mini-program (code2session), via the emulator."""

from __future__ import annotations

import threading
import time
from urllib.parse import parse_qs, urlparse

import requests

from app import redis_keys
from app.extensions import db
from tests.api.helpers import Api, mint_code


def test_oauth_code_gives_a_session(app, emu):
    api = Api(app)
    assert api.get("/session").status == 401
    res = api.post("/login/oauth", {"code": mint_code(emu, "o_h5_0001")})
    assert res.status == 200
    assert res.body["token_type"] == "Bearer" and res.body["registered"] is False
    api.token = res.body["token"]
    assert api.get("/session").body == {"openid": "o_h5_0001"}
    assert "o_h5_0001" not in res.text  # the openid itself is not handed to the page


def test_reloaded_page_with_a_used_code_gets_the_same_session(app, emu):
    """The emulator's codes are single-use (40163 on reuse): the second login never reaches it."""
    code = mint_code(emu, "o_h5_0002")
    first, second = Api(app), Api(app)
    assert first.post("/login/oauth", {"code": code}).status == 200
    res = second.post("/login/oauth", {"code": code})
    assert res.status == 200
    second.token = res.body["token"]
    assert second.get("/session").body == {"openid": "o_h5_0002"}
    with app.app_context():
        ttl = app.extensions["fangfei.redis"].ttl(redis_keys.oauth_code(code).name)
    assert 0 < ttl <= 600


def test_double_redirect_at_the_same_moment(app, emu):
    code = mint_code(emu, "o_h5_0003")
    results: list = []

    def open_page() -> None:
        results.append(Api(app).post("/login/oauth", {"code": code}))

    threads = [threading.Thread(target=open_page) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert [r.status for r in results] == [200, 200]


def test_a_used_code_we_never_saw_is_a_clear_400(app, emu):
    code = mint_code(emu, "o_h5_0004")
    used = requests.get(
        emu + "sns/oauth2/access_token",
        timeout=5,
        params={
            "appid": app.config["WECHAT_APP_ID"],
            "secret": app.config["WECHAT_APP_SECRET"],
            "code": code,
        },
    )
    assert used.json()["openid"] == "o_h5_0004"  # someone else exchanged it (e.g. a leaked link)
    started = time.monotonic()
    res = Api(app).post("/login/oauth", {"code": code})
    assert res.status == 400 and res.body["error"] == "code_invalid"
    assert "菜单重新打开" in res.body["message"]
    assert time.monotonic() - started < 3
    res = Api(app).post("/login/oauth", {"code": "made-up-code"})
    assert res.status == 400 and res.body["error"] == "code_invalid"


def test_a_remembered_code_only_works_from_the_same_address(app, emu):
    code = mint_code(emu, "o_h5_0005")
    assert Api(app, ip="10.0.0.1").post("/login/oauth", {"code": code}).status == 200
    assert Api(app, ip="10.0.0.1").post("/login/oauth", {"code": code}).status == 200
    res = Api(app, ip="10.9.9.9").post("/login/oauth", {"code": code})
    assert res.status == 400 and res.body["error"] == "code_invalid"


def test_missing_code(app, emu):
    for body in ({}, {"code": ""}, {"code": 123}, None):
        res = Api(app).post("/login/oauth", body)
        assert res.status == 400 and res.body["error"] == "code_missing", body


def test_mini_program_login(app, emu):
    code = mint_code(emu, "o_mp_0001")
    api = Api(app)
    res = api.post("/login/miniprogram", {"code": code})
    assert res.status == 200
    api.token = res.body["token"]
    assert api.get("/session").body == {"openid": "o_mp_0001"}
    assert Api(app).post("/login/miniprogram", {"code": code}).status == 200  # wx.login retried
    res = Api(app).post("/login/miniprogram", {"code": "made-up-code"})
    assert res.status == 400 and res.body["error"] == "code_invalid"


def test_wechat_down_is_503_and_the_code_stays_usable(app, emu):
    code = mint_code(emu, "o_h5_0006")
    requests.post(emu + "_emulator/faults", json={"endpoint": "oauth", "mode": "http500"}, timeout=5)
    res = Api(app).post("/login/oauth", {"code": code})
    assert res.status == 503 and res.body["error"] == "wechat_unavailable"
    assert "稍后" in res.body["message"]
    assert Api(app).post("/login/oauth", {"code": code}).status == 200


def test_our_own_credentials_refused_is_502(pg_url, redis_url, emu):
    from tests.conftest import build_app

    app = build_app(pg_url, redis_url, WECHAT_API_BASE=emu, WECHAT_APP_SECRET="wrong-secret")
    res = Api(app).post("/login/oauth", {"code": mint_code(emu, "o_h5_0009")})
    assert res.status == 502 and res.body["error"] == "login_failed" and "稍后" in res.body["message"]
    with app.app_context():
        db.engine.dispose()


def test_login_attempts_are_rate_limited_per_address(app, emu):
    api = Api(app, ip="10.1.1.1")
    for _ in range(30):
        assert api.post("/login/oauth", {"code": ""}).status == 400
    res = api.post("/login/oauth", {"code": mint_code(emu, "o_h5_0007")})
    assert res.status == 429 and res.body["error"] == "rate_limited" and "稍等" in res.body["message"]
    assert Api(app, ip="10.2.2.2").post("/login/oauth", {"code": mint_code(emu, "o_h5_0007")}).status == 200


def test_authorize_url_round_trip_through_wechat(app, emu):
    api = Api(app)
    res = api.get("/login/authorize-url?redirect_uri=http://127.0.0.1:5000/h5/quiz&state=s1")
    assert res.status == 200
    url = res.body["url"]
    assert url.startswith(emu + "connect/oauth2/authorize?") and "scope=snsapi_base" in url
    assert url.endswith("#wechat_redirect")
    hop = requests.get(url.split("#")[0] + "&_openid=o_h5_0008", allow_redirects=False, timeout=5)
    target = urlparse(hop.headers["Location"])
    assert target.path == "/h5/quiz" and parse_qs(target.query)["state"] == ["s1"]
    code = parse_qs(target.query)["code"][0]
    api.token = api.post("/login/oauth", {"code": code}).body["token"]
    assert api.get("/session").body == {"openid": "o_h5_0008"}
    bad = api.get("/login/authorize-url?redirect_uri=https://evil.example/")
    assert bad.status == 400 and bad.body["error"] == "bad_redirect"


def test_a_forged_token_is_401(app):
    api = Api(app, token="not-a-token")
    res = api.get("/me")
    assert res.status == 401 and "登录" in res.body["message"]
