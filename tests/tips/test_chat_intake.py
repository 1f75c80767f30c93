"""Chat intake: the guided 举报 dialog, one question at a time, ending in a receipt code."""

from __future__ import annotations

import re
import time

from sqlalchemy import select

from app.extensions import db
from app.models.outbox import OutboxMessage
from app.models.tip import Tip, TipAttachment, TipIdentity
from app.services.receipts import ALPHABET
from config.menu import KEY_REPORT_TIP
from tests.tips.conftest import receipt_in


def test_full_dialog_anonymous(app, wx):
    reply = wx.text("举报")
    assert "身份严格保密" in reply and "第1步" in reply and "取消" in reply
    assert "第2步" in wx.text("2")
    assert "第3步" in wx.text("鑫盛财富App")
    assert "已记下1条" in wx.text("业务员说投十万每月返3%。")
    assert "已记下2条" in wx.text("还说拉人入伙有提成，现在提不了现。")
    assert "第4步" in wx.text("好了")
    assert "第5步" in wx.text("北京市海淀区中关村大街1号")
    reply = wx.text("好了")
    assert "第6步" in reply and "奖励" in reply and "实名" in reply
    summary = wx.text("1")
    assert "请核对" in summary and "【网站/平台】鑫盛财富App" in summary and "匿名" in summary
    assert "每月返3%" in summary and "中关村大街" in summary and "照片：无" in summary
    done = wx.text("确认")
    receipt = receipt_in(done)
    assert "提交成功" in done and f"查询 {receipt}" in done
    assert re.fullmatch(r"JB-[%s]{4}-[%s]{4}-[%s]{2}" % ((ALPHABET,) * 3), receipt)
    with app.app_context():
        tip = db.session.scalar(select(Tip).where(Tip.receipt == receipt))
        assert tip.category == "platform" and tip.target == "鑫盛财富App" and tip.channel == "wechat"
        assert tip.story == "业务员说投十万每月返3%。\n还说拉人入伙有提成，现在提不了现。"
        assert tip.place == "北京市海淀区中关村大街1号" and tip.anonymous and tip.status == "received"
        assert tip.identity is None  # anonymous: no identity row at all, not even the openid
    assert "没有进行中的操作" in wx.text("取消")  # the dialog is over


def test_menu_click_location_photos_and_real_name(app, wx, emu):
    from app.emulator.commands import upload_media

    jpeg = b"\xff\xd8\xff\xe0" + b"jpeg-bytes" * 50
    media = [upload_media(emu, _tmp_file(jpeg, i)) for i in range(2)]
    assert "第1步" in wx.click(KEY_REPORT_TIP)
    wx.text("3")
    wx.text("天天赚App")
    assert "照片收到了（共1张）" in wx.image(media[0])  # a photo is welcome before its step
    wx.text("下载App后充值，说保本高息。")
    wx.text("好了")
    assert "第5步" in wx.location(39.98, 116.31, "北京市海淀区")
    assert "共2张" in wx.image(media[1])
    wx.text("好了")
    assert "姓名" in wx.text("2")
    assert "手机号码" in wx.text("张三")
    assert "手机号码好像不对" in wx.text("12345")
    summary = wx.text("13800138000")
    assert "实名（张三，138****8000）" in summary and "照片：2张" in summary and "北京市海淀区" in summary
    receipt = receipt_in(wx.text("确认"))
    with app.app_context():
        tip = db.session.scalar(select(Tip).where(Tip.receipt == receipt))
        assert (tip.latitude, tip.longitude, tip.place) == (39.98, 116.31, "北京市海淀区")
        photos = db.session.scalars(select(TipAttachment).where(TipAttachment.tip_id == tip.id)).all()
        assert [p.media_id for p in photos] == media and {p.status for p in photos} == {"pending"}
        identity = db.session.scalar(select(TipIdentity).where(TipIdentity.tip_id == tip.id))
        assert (
            identity is not None
            and "张三" not in identity.name_enc
            and "13800138000" not in identity.phone_enc
        )


def _tmp_file(data: bytes, index: int) -> str:
    import tempfile

    path = f"{tempfile.mkdtemp()}/photo{index}.jpg"
    with open(path, "wb") as fh:
        fh.write(data)
    return path


def test_cancel_discards_the_draft(app, wx):
    wx.text("举报")
    wx.text("1")
    wx.text("某公司")
    assert "已取消" in wx.text("取消")
    assert "第3步" not in wx.text("他们骗了我的钱")
    with app.app_context():
        assert db.session.scalar(select(Tip.id)) is None
        assert db.session.scalar(select(OutboxMessage.id)) is None


def test_abandoned_draft_expires(app, wx):
    app.config["DIALOG_TTL"] = 1
    wx.text("举报")
    wx.text("1")
    time.sleep(1.3)
    assert "第3步" not in wx.text("某公司")


def test_required_steps_insist_politely(app, wx):
    wx.text("举报")
    assert "1 到 5" in wx.text("不知道")
    wx.text("4")
    assert "名称太长" in wx.text("长" * 201)
    wx.text("李某")
    reply = wx.text("好了")
    assert "说一说发生了什么" in reply and "第3步" in reply
    assert "经过写得太长" in wx.text("钱" * 3001)
    wx.text("他让我借钱给他的项目，说年息30%。")
    wx.text("好了")
    wx.text("跳过")
    assert "最多9张" not in wx.text("好了")
    assert "请回复 1（匿名）或 2（实名）" in wx.text("随便")
    summary = wx.text("匿名")
    assert "地点：未填写" in summary
    assert "请回复“确认”提交" in wx.text("嗯")
    assert "第1步" in wx.text("重填")


def test_other_feature_keywords_pass_through_and_the_draft_stays(app, wx):
    wx.text("举报")
    wx.text("1")
    assert "回复" in wx.text("帮助")  # help answers ...
    assert "第3步" in wx.text("某公司")  # ... and the tip continues where it was


def test_voice_is_taken_as_text(app, wx):
    wx.text("举报")
    wx.text("5")
    wx.voice("一个理财群。")
    assert "已记下1条" in wx.voice("群主让大家买原始股。")


def test_daily_limit_per_user(make_app):
    from tests.support.wechat import wechat_client
    from tests.tips.conftest import chat_tip

    app = make_app(TIP_DAILY_LIMIT_USER=2)
    chat_tip(app, "o_busy")
    chat_tip(app, "o_busy")
    wx = wechat_client(app, openid="o_busy")
    assert "今天提交的举报已经比较多了" in wx.text("举报")
    assert "第1步" in wechat_client(app, openid="o_other").text("举报")


def test_step_answers_are_not_taken_by_other_features(app, wx):
    from app import runtime
    from wechat_handlers.replies import Text

    runtime.router(app).keyword("1", "2")(lambda ctx: Text("别的功能的菜单"))
    wx.text("举报")
    assert "第2步" in wx.text("1")
    for line in ("某公司", "经过。", "好了", "跳过", "好了"):
        wx.text(line)
    assert "请核对" in wx.text("1")


def test_at_most_nine_photos(app, wx):
    for line in ("举报", "1", "某公司", "骗钱。", "好了", "跳过"):
        wx.text(line)
    for i in range(9):
        assert f"共{i + 1}张" in wx.image(f"MEDIA_{i}")
    assert "最多只能收9张" in wx.image("MEDIA_9")
    wx.text("好了")
    assert "照片：9张" in wx.text("1")
