"""Review: the registration dialog lets other features' commands through, like the quiz and tip dialogs."""

from __future__ import annotations

from datetime import timedelta

from app import clock


def test_a_command_during_registration_is_not_taken_as_the_name(app, campaign, wx):
    assert "个人信息说明" in wx.text("答题")
    assert "请输入您的姓名" in wx.text("同意")
    reply = wx.text("举报")  # the resident changed their mind: this is the tip keyword, not a name
    assert "请选择您所在的地区" not in reply
    assert "第1步：您要举报的是" in reply


def test_closed_campaign_does_not_trap_the_resident_in_registration(app, campaign, wx):
    assert "个人信息说明" in wx.text("答题")
    assert "请输入您的姓名" in wx.text("同意")
    with app.app_context():
        from app.extensions import db
        from app.models.campaign import Campaign

        ends = db.session.get(Campaign, campaign.id).ends_at
    clock.freeze(ends + timedelta(hours=1))
    wx.text("张三")  # the campaign ended: a friendly refusal
    reply = wx.text("帮助")  # ... and the resident can still get help (not the same refusal again)
    assert "答题" in reply and "举报" in reply
