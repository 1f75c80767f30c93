"""Load shedding: a request that waited past SHED_AFTER in the proxy queue is answered at once, politely,
without being handled (so WeChat's resend is handled normally)."""

from __future__ import annotations

import time

from tests.observability.test_metrics import delta, scrape
from tests.support.wechat import wechat_client


def test_a_stale_callback_gets_a_polite_sealed_reply_and_is_not_handled(app):
    wx = wechat_client(app, openid="o_shed_0001")
    before = scrape(app)
    query, body = wx.seal(wx.build({"MsgType": "text", "Content": "帮助"}))
    stale = {"X-Request-Start": f"t={time.time() - 4.0:.3f}"}
    res = app.test_client().post(f"/wechat?{query}", data=body, headers=stale)
    assert res.status_code == 200
    assert wx.open_reply(200, res.get_data(as_text=True))["Content"] == "系统有点忙，请稍后再试一次。"
    resent = wx.post(query, body)  # WeChat's resend of the same MsgId, now fresh: handled for real
    assert "系统有点忙" not in resent.text and resent.text
    after = scrape(app)
    assert delta(before, after, "fangfei_requests_shed_total", endpoint="wechat.callback") == 1
    assert delta(before, after, "fangfei_wechat_callbacks_total", type="text", outcome="shed") == 1
    assert delta(before, after, "fangfei_wechat_callbacks_total", type="text", outcome="replied") == 1


def test_a_fresh_request_and_an_api_request_past_the_deadline(app):
    client = app.test_client()
    fresh = client.get("/api/v1/campaign", headers={"X-Request-Start": f"t={time.time() * 1000:.0f}"})
    assert fresh.status_code != 503
    stale = client.get("/api/v1/campaign", headers={"X-Request-Start": f"t={time.time() - 10:.3f}"})
    assert stale.status_code == 503 and stale.headers["Retry-After"] == "1"
    assert stale.get_json()["error"] == "busy"


def test_shedding_can_be_switched_off(pg_url, redis_url, emu):
    from tests.conftest import build_app

    app = build_app(pg_url, redis_url, WECHAT_API_BASE=emu, SHED_AFTER=0)
    res = app.test_client().get("/healthz", headers={"X-Request-Start": f"t={time.time() - 60:.3f}"})
    assert res.status_code == 200
