"""Rate-limit counters never hold a raw openid or IP (an anonymous tip must not be linkable)."""

from __future__ import annotations

import redis as redis_lib

from tests.support import services


def test_tip_and_lookup_counters_are_hashed(app, wx):
    wx.text("查询 JB-AAAA-BBBB-CC")  # a wrong receipt code counts against the user and the IP
    client = redis_lib.Redis.from_url(app.config["REDIS_URL"], decode_responses=True)
    keys = list(client.scan_iter(match=f"{services.REDIS_NAMESPACE}:rate:*"))
    assert keys, "the wrong code should have been counted"
    for key in keys:
        assert wx.openid not in key and "127.0.0.1" not in key
