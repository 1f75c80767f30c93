"""Entry to the H5 page: WeChat web OAuth (snsapi_base) into a session, code reuse, snapshot mode,
outside WeChat, and the menu's view button."""

from __future__ import annotations

from urllib.parse import parse_qs, urlparse

import pytest

from app.web.api.auth import openid_from_token
from config.menu import menu_definition
from tests.support.browser import WECHAT_UA

PLAIN_UA = "Mozilla/5.0 (Linux; Android 13) AppleWebKit/537.36 Chrome/116.0 Mobile Safari/537.36"


@pytest.fixture
def phone(site):
    """A phone's WeChat browser: keeps cookies, sends WeChat's user agent."""
    client = site.app.test_client()
    client.environ_base["HTTP_USER_AGENT"] = WECHAT_UA
    return client


def start(client, site) -> dict[str, str]:
    """Open /h5/ without a session: it must send us to WeChat's OAuth page; returns its query."""
    res = client.get("/h5/")
    assert res.status_code == 302
    where = urlparse(res.headers["Location"])
    assert res.headers["Location"].startswith(site.emu + "connect/oauth2/authorize?")
    assert where.fragment == "wechat_redirect"
    return {k: v[0] for k, v in parse_qs(where.query).items()}


def token_of(site, page: str) -> str | None:
    """The openid behind the API token the page hands its scripts (None when there is none)."""
    marker = '<meta name="api-token" content="'
    if marker not in page:
        return None
    with site.app.app_context():
        return openid_from_token(page.split(marker)[1].split('"')[0])


def login(client, site, openid: str) -> str:
    query = start(client, site)
    code = site.code(openid)
    res = client.get(f"/h5/oauth/callback?code={code}&state={query['state']}")
    assert res.status_code == 302 and res.headers["Location"].endswith("/h5/")
    return code


def test_oauth_asks_wechat_silently_for_the_callback(phone, site):
    query = start(phone, site)
    assert query["scope"] == "snsapi_base"
    assert query["appid"] == site.app.config["WECHAT_APP_ID"]
    assert query["redirect_uri"] == site.url + "/h5/oauth/callback"
    assert len(query["state"]) >= 12


def test_callback_makes_a_secure_session_and_the_page_gets_a_token(phone, site):
    login(phone, site, "o_h5_alice")
    cookie = phone.get_cookie("session")
    assert cookie is not None and cookie.http_only and cookie.same_site == "Lax"
    page = phone.get("/h5/")
    assert page.status_code == 200 and page.headers["Cache-Control"] == "no-store"
    assert token_of(site, page.text) == "o_h5_alice"
    assert "o_h5_alice" not in page.headers.get("Location", "")


def test_reloading_the_callback_with_its_used_code_just_continues(phone, site):
    query = start(phone, site)
    code = site.code("o_h5_bob")
    url = f"/h5/oauth/callback?code={code}&state={query['state']}"
    assert phone.get(url).status_code == 302
    again = phone.get(url)  # reload: WeChat would now say "code been used"
    assert again.status_code == 302 and again.headers["Location"].endswith("/h5/")
    assert token_of(site, phone.get("/h5/").text) == "o_h5_bob"


def test_a_double_redirect_in_a_second_request_shares_the_exchanged_code(phone, site):
    code = login(phone, site, "o_h5_carol")
    twin = site.app.test_client()
    twin.environ_base["HTTP_USER_AGENT"] = WECHAT_UA
    query = start(twin, site)
    res = twin.get(f"/h5/oauth/callback?code={code}&state={query['state']}")
    assert res.status_code == 302 and res.headers["Location"].endswith("/h5/")
    assert token_of(site, twin.get("/h5/").text) == "o_h5_carol"


def test_a_used_code_without_session_restarts_oauth_once_then_explains(phone, site):
    query = start(phone, site)
    code = site.code("o_h5_dave")
    site.burn(code)
    first = phone.get(f"/h5/oauth/callback?code={code}&state={query['state']}")
    assert first.status_code == 302 and first.headers["Location"].startswith(
        site.emu + "connect/oauth2/authorize"
    )
    retry = {k: v[0] for k, v in parse_qs(urlparse(first.headers["Location"]).query).items()}
    assert retry["redirect_uri"] == site.url + "/h5/oauth/callback?retry=1"
    code2 = site.code("o_h5_dave")
    site.burn(code2)
    second = phone.get(f"/h5/oauth/callback?retry=1&code={code2}&state={retry['state']}")
    assert second.status_code == 400
    assert "登录已失效" in second.text and "开始答题" in second.text
    assert token_of(site, second.text) is None
    assert phone.get("/h5/").status_code == 302  # still no session


def test_a_code_with_a_foreign_state_does_not_log_in(phone, site):
    start(phone, site)
    res = phone.get(f"/h5/oauth/callback?code={site.code('o_h5_mallory')}&state=forged")
    assert res.status_code == 302 and "authorize" in res.headers["Location"]
    assert phone.get("/h5/").status_code == 302


def test_snapshot_mode_explains_and_keeps_no_session(phone, site):
    query = start(phone, site)
    res = phone.get(f"/h5/oauth/callback?code={site.code('o_virtual', snapshot=True)}&state={query['state']}")
    assert res.status_code == 200 and "预览" in res.text and "使用完整服务" in res.text
    assert phone.get("/h5/").status_code == 302
    flagged = phone.get("/h5/oauth/callback?is_snapshotuser=1&code=x&state=y")
    assert "使用完整服务" in flagged.text


def test_the_api_login_refuses_a_snapshot_code(site):
    res = site.app.test_client().post(
        "/api/v1/login/oauth", json={"code": site.code("o_virtual", snapshot=True)}
    )
    assert res.status_code == 403 and res.get_json()["error"] == "snapshot_user"


def test_outside_wechat_the_page_explains_how_to_open_it(site):
    client = site.app.test_client()
    client.environ_base["HTTP_USER_AGENT"] = PLAIN_UA
    res = client.get("/h5/")
    assert res.status_code == 200
    assert "请在微信中打开" in res.text and "开始答题" in res.text
    assert token_of(site, res.text) is None


def test_the_menu_opens_the_page_through_oauth(phone, site):
    settings = site.app.extensions["fangfei.settings"]
    start_button = menu_definition(settings)["button"][0]["sub_button"][0]
    assert start_button["name"] == "开始答题" and start_button["type"] == "view"
    menu_url = urlparse(start_button["url"])
    query = {k: v[0] for k, v in parse_qs(menu_url.query).items()}
    assert start_button["url"].startswith(site.emu + "connect/oauth2/authorize?")
    assert query["redirect_uri"] == site.url + "/h5/oauth/callback" and query["scope"] == "snsapi_base"
    # WeChat comes back with state=menu: one silent round with the session's own state, then in.
    first = phone.get(f"/h5/oauth/callback?code={site.code('o_h5_erin')}&state=menu")
    assert first.status_code == 302 and "authorize" in first.headers["Location"]
    state = parse_qs(urlparse(first.headers["Location"]).query)["state"][0]
    assert phone.get(f"/h5/oauth/callback?code={site.code('o_h5_erin')}&state={state}").status_code == 302
    assert token_of(site, phone.get("/h5/").text) == "o_h5_erin"


def test_without_settings_the_menu_keeps_the_chat_quiz_click():
    start_button = menu_definition()["button"][0]["sub_button"][0]
    assert start_button == {"type": "click", "name": "开始答题", "key": "QUIZ_START"}
