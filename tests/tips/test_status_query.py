"""Checking progress with the receipt code: status and public reply only; wrong codes are rate limited."""

from __future__ import annotations

from app import clock
from app.extensions import db
from app.services import tip_review
from app.services.receipts import WRONG_CODE_LIMIT_IP, WRONG_CODE_LIMIT_USER
from tests.support.wechat import wechat_client
from tests.tips.conftest import api, chat_tip, file_tip


def _set(app, receipt, status, **kwargs):  # noqa: ANN001, ANN003
    with app.app_context():
        tip_review.set_status(receipt, status, actor="officer-wang", now=clock.now(), **kwargs)
        db.session.commit()


def test_query_in_chat_shows_status_and_public_reply_only(app, wx):
    receipt = chat_tip(app, wx.openid)
    other = chat_tip(app, "o_someone_else", story=("另一条线索的内容。",))
    reply = wx.text(f"查询 {receipt}")
    assert receipt in reply and "已受理" in reply and "耐心等待" in reply
    _set(app, receipt, "verifying", note="内部：已转经侦支队，嫌疑人王某")
    reply = wx.text(f"查询 {receipt.lower()}")  # lower case works too
    assert "核查中" in reply and "经侦" not in reply and "王某" not in reply
    _set(app, receipt, "closed", reply="已移交有关部门依法处理，感谢您的举报。", note="结案编号 2026-17")
    reply = wx.text(f"查询{receipt.replace('-', ' ')}")
    assert "已办结" in reply and "已移交有关部门依法处理" in reply and "结案编号" not in reply
    assert other not in reply and "另一条线索" not in reply and "投一万" not in reply
    _set(app, other, "rejected", reply="经核查不属于非法集资。")
    assert "不予受理" in wx.text(other)  # the code on its own works as well


def test_query_without_a_code_explains_how(wx):
    assert "查询 JB-" in wx.text("查询")
    assert "查询 JB-" in wx.text("查询举报进度")


def test_wrong_codes_are_rate_limited_per_user(app, wx):
    receipt = chat_tip(app, wx.openid)
    for _ in range(WRONG_CODE_LIMIT_USER):
        assert "没有找到这个回执编号" in wx.text("查询 JB-2345-6789-AB")
    assert "错误次数太多" in wx.text("查询 JB-2345-6789-AC")
    # Past the limit even the right code is refused, or guessing would still pay off.
    assert "错误次数太多" in wx.text(f"查询 {receipt}")
    assert "已受理" in wechat_client(app, openid="o_neighbour").text(f"查询 {receipt}")


def test_api_lookup_and_per_ip_limit(app):
    receipt = file_tip(app)["receipt"]
    client = app.test_client()
    res = client.post("/api/v1/tips/lookup", json={"code": receipt})
    assert res.status_code == 200
    body = res.get_json()
    assert body["status"] == "received" and body["status_label"] == "已受理" and body["reply"] is None
    assert set(body) == {"receipt", "status", "status_label", "reply", "submitted_at"}
    _set(app, receipt, "closed", reply="已办结。", note="内部备注")
    assert client.post("/api/v1/tips/lookup", json={"code": receipt}).get_json()["reply"] == "已办结。"
    # Many users behind one IP guessing codes: the IP limit stops them all.
    for i in range(WRONG_CODE_LIMIT_IP):
        guesser, headers = api(app, f"o_guess_{i % 4}")
        res = guesser.post(
            "/api/v1/tips/lookup",
            json={"code": f"JB-2345-6789-{'ABCDEFGHJKMNPQRSTVWXYZ'[i]}2"},
            headers=headers,
        )
        assert res.status_code in (404, 429)
    res = client.post("/api/v1/tips/lookup", json={"code": receipt})
    assert res.status_code == 429 and "错误次数太多" in res.get_json()["message"]
    other_ip = client.post(
        "/api/v1/tips/lookup", json={"code": receipt}, environ_base={"REMOTE_ADDR": "10.0.0.9"}
    )
    assert other_ip.status_code == 200


def test_receipts_are_unguessable_and_unambiguous(app):
    from app.services.receipts import ALPHABET, new_receipt, normalize_receipt

    codes = {new_receipt() for _ in range(2000)}
    assert len(codes) == 2000
    assert not set("0O1IL") & set(ALPHABET) and len(ALPHABET) ** 10 > 5 * 10**14
    assert all(len(c.replace("-", "")) == 12 for c in codes)
    assert normalize_receipt("ｊｂ-7k4m 2qxr-9t") == "JB-7K4M-2QXR-9T"
    assert normalize_receipt("ＪＢ－７Ｋ４Ｍ－２ＱＸＲ－９Ｔ") == "JB-7K4M-2QXR-9T"
    assert normalize_receipt("JB-7K4M-2QXR-9O") is None  # O is not in the alphabet
