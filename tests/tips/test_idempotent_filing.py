"""Filing the same draft twice (a retried 确认 after a state-store failure, a resubmitted form) files once."""

from __future__ import annotations

from sqlalchemy import func, select

from app import redis_keys
from app.extensions import db
from app.models.tip import Tip
from app.state_store import RedisStore, connect_redis


def test_replayed_confirmation_files_one_tip(app, wx):
    wx.text("举报")
    wx.text("1")
    wx.text("某某养老公寓")
    wx.text("说交十万块每年返利百分之十五，还让拉亲戚入伙。")
    wx.text("好了")
    for _ in range(6):  # walk the optional steps until the summary asks to confirm
        reply = wx.text("跳过")
        if "确认" in reply:
            break
    else:
        wx.text("1")
    with app.app_context():
        store = RedisStore(connect_redis(app.config["REDIS_URL"], 1.0))
        key = redis_keys.dialog(wx.openid)
        before = store.get(key)
    assert before and "tip:" in before
    first = wx.text("确认")
    assert "JB-" in first
    with app.app_context():  # as if saving the cleared dialog had failed after the commit
        store.set(key, before, 600)
    second = wx.text("确认")
    assert second == first
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Tip)) == 1


def test_web_idempotency_key(app):
    from app.web.api.auth import issue_token

    client = app.test_client()
    with app.app_context():
        token = issue_token("o_web_idem")
    headers = {"Authorization": f"Bearer {token}", "Idempotency-Key": "form-123"}
    body = {
        "category": "company",
        "target": "某某理财公司",
        "story": "承诺保本每月返利百分之三，鼓励拉人入伙。",
    }
    a = client.post("/api/v1/tips", json=body, headers=headers)
    b = client.post("/api/v1/tips", json=body, headers=headers)
    assert a.status_code in (200, 201) and a.json["receipt"] == b.json["receipt"]
    c = client.post("/api/v1/tips", json=body, headers={**headers, "Idempotency-Key": "form-124"})
    assert c.json["receipt"] != a.json["receipt"]
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Tip)) == 2
