"""One canonical notice for the quiz and a separate one for real-name tips, shown before either, with
separate consent records (version and time)."""

from __future__ import annotations

from sqlalchemy import select

from app.extensions import db
from app.models.participant import Participant
from app.models.tip import Tip, TipIdentity
from app.services import privacy
from tests.api.helpers import resident
from tests.support.wechat import wechat_client

FIELDS = ("processor", "purpose", "data", "retention", "rights", "contact")


def test_the_api_serves_both_notices_with_every_required_part(app, emu, campaign):
    api = resident(app, emu, register=False)
    quiz, tips = api.get("/privacy").body, api.get("/privacy?kind=tips").body
    assert quiz["kind"] == "quiz" and tips["kind"] == "tips" and quiz["version"] != tips["version"]
    for notice in (quiz, tips):
        for name in FIELDS:
            assert notice[name].strip(), name
            assert notice[name] in notice["text"]
    assert "防范和处置非法集资工作办公室" in quiz["processor"]
    assert "90天后删除姓名、手机号" in quiz["retention"]  # PERSONAL_DATA_RETENTION_DAYS
    assert "删除我的信息" in quiz["rights"] and "删除我的信息" in tips["rights"]
    assert "匿名举报" in tips["rights"] and "730天后删除" in tips["retention"]
    bad = api.get("/privacy?kind=other")
    assert bad.status == 400 and bad.body["error"] == "bad_kind"
    doc = api.get("/openapi.json").body
    assert any(p["name"] == "kind" for p in doc["paths"]["/privacy"]["get"]["parameters"])
    assert {"get", "delete"} <= set(doc["paths"]["/me/data"])


def test_chat_shows_the_quiz_notice_before_registration_and_records_consent(app, wx, campaign):
    notice = privacy.notice("quiz", app.config)
    first = wx.text("答题")
    assert notice.text in first and "同意" in first
    with app.app_context():
        assert db.session.scalar(select(Participant)) is None  # nothing stored before consent
    wx.text("同意")
    wx.text("张三")
    wx.text("北京")
    wx.text("13800138000")
    wx.text("跳过")
    with app.app_context():
        p = db.session.scalar(select(Participant))
        assert p.consent_version == notice.version and p.consent_at is not None


def chat_until_identity(wx):
    for line in ("举报", "1", "某某投资咨询有限公司", "说投一万每月返五百。", "好了", "跳过", "好了"):
        wx.text(line)


def test_chat_shows_the_tip_notice_before_a_real_name_tip_and_records_consent(app, campaign):
    wx = wechat_client(app, openid="o_tipster")
    chat_until_identity(wx)
    notice = privacy.notice("tips", app.config)
    reply = wx.text("2")
    assert notice.text in reply and "同意" in reply and "请发送您的姓名" in reply
    wx.text("王秀英")
    wx.text("13712345678")
    assert "提交成功" in wx.text("确认")
    with app.app_context():
        identity = db.session.scalar(select(TipIdentity))
        assert identity.consent_version == privacy.TIPS_VERSION and identity.consent_at is not None
        assert db.session.scalar(select(Participant)) is None  # tip consent is not quiz consent


def test_changing_mind_after_the_tip_notice_files_an_anonymous_tip(app, campaign):
    wx = wechat_client(app, openid="o_tipster2")
    chat_until_identity(wx)
    wx.text("2")
    assert "匿名" in wx.text("1")
    assert "提交成功" in wx.text("确认")
    with app.app_context():
        tip = db.session.scalar(select(Tip))
        assert tip.anonymous and db.session.scalar(select(TipIdentity)) is None


def test_a_real_name_tip_through_the_api_needs_the_tip_consent(app, emu, campaign):
    api = resident(app, emu, register=False)
    body = {
        "category": "person",
        "target": "赵某",
        "story": "借钱说年息三成",
        "anonymous": False,
        "name": "刘建国",
        "phone": "13698765432",
    }
    refused = api.post("/tips", body)
    assert refused.status == 400 and refused.body["error"] == "consent_required"
    with app.app_context():
        assert db.session.scalar(select(Tip)) is None
    filed = api.post("/tips", {**body, "consent": True})
    assert filed.status == 201
    with app.app_context():
        identity = db.session.scalar(select(TipIdentity))
        assert identity.consent_version == privacy.TIPS_VERSION
