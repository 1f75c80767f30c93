"""The same tip flow on the embedded deployment (`make run`: SQLite, no Redis)."""

from __future__ import annotations

from sqlalchemy import select

from app import clock
from app.extensions import db
from app.models.kv_entry import KvEntry
from app.models.tip import Tip
from app.services import tip_review
from app.services.receipts import WRONG_CODE_LIMIT_USER
from tests.support.wechat import wechat_client
from tests.tips.conftest import SECRET, chat_tip, deliver, file_tip, later, outbox_rows


def test_chat_tip_query_and_delivery_without_redis(embedded_app, office, tmp_path):
    app = embedded_app
    app.config.update(
        TIP_WEBHOOK_URLS=office.url + "/hook", TIP_WEBHOOK_SECRET=SECRET, MEDIA_DIR=str(tmp_path)
    )
    receipt = chat_tip(app, "o_embedded", real_name=("钱某", "13600000000"))
    wx = wechat_client(app, openid="o_embedded")
    assert "已受理" in wx.text(f"查询 {receipt}")
    with app.app_context():
        tip_review.set_status(receipt, "closed", actor="li", now=clock.now(), reply="已处理。")
        db.session.commit()
        assert db.session.scalar(select(Tip.anonymous).where(Tip.receipt == receipt)) is False
    assert "已办结" in wx.text(f"查询 {receipt}") and "已处理" in wx.text(f"查询 {receipt}")
    office.mode = "500"
    deliver(app)
    office.mode = "ok"
    deliver(app, later(20))
    deliver(app, later(3600))
    assert len(office.raw) == 1 and office.bodies[office.raw[0]]["receipt"] == receipt
    assert [r.status for r in outbox_rows(app)] == ["sent"]


def test_limits_live_in_the_database_store(embedded_app):
    app = embedded_app
    file_tip(app)
    wx = wechat_client(app, openid="o_guesser")
    for _ in range(WRONG_CODE_LIMIT_USER):
        assert "没有找到" in wx.text("查询 JB-3333-4444-55")
    assert "错误次数太多" in wx.text("查询 JB-3333-4444-56")
    with app.app_context():
        keys = list(db.session.scalars(select(KvEntry.key)))
    assert any(":rate:tip-code-user:" in k for k in keys)
    assert any(":rate:tip-day-user:" in k for k in keys)
    assert not any("o_guesser" in k or "o_web_0001" in k for k in keys)  # subjects are keyed hashes
