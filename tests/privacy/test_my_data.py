"""我的信息 / 删除我的信息 in chat and GET/DELETE /api/v1/me/data: see what is stored; erase the personal
fields while anonymous scores, team totals and rankings stay."""

from __future__ import annotations

from datetime import timedelta

import redis as redis_lib
from sqlalchemy import select, text

from app import clock, redis_keys
from app.extensions import db
from app.models.participant import Participant
from app.models.tip import TipIdentity
from app.services import audit, leaderboard_rebuild, leaderboards
from tests.api.helpers import resident
from tests.quiz.conftest import EVENING
from tests.quiz.test_chat_quiz import register_by_chat, right_answer
from tests.support.wechat import wechat_client
from tests.tips.conftest import chat_tip

OPENID = "o_resident_0001"


def participant(app, openid=OPENID):
    with app.app_context():
        return db.session.scalar(select(Participant).where(Participant.openid == openid))


def names(app, campaign_id):
    r = redis_lib.Redis.from_url(app.config["REDIS_URL"], decode_responses=True)
    return r.hgetall(redis_keys.leaderboard(campaign_id, "names").name)


def test_my_info_shows_what_is_stored_masked_and_short(app, wx, campaign):
    register_by_chat(wx, unit="海淀区某街道" + "很长的单位名称" * 6)
    for _ in range(8):
        wx.text(right_answer(app))
    chat_tip(app, OPENID, real_name=("王秀英", "13712345678"))
    info = wx.text("我的信息")
    assert len(info.encode()) <= 2000
    assert "张三" in info and "138****8000" in info and "13800138000" not in info
    assert "北京市" in info and "累计得分：100分" in info and "2026-1" in info
    assert "实名举报 JB-" in info and "王*英" in info and "137****5678" in info and "13712345678" not in info


def test_delete_asks_first_then_erases_personal_fields_but_keeps_scores(app, wx, campaign):
    with app.app_context():
        leaderboard_rebuild.rebuild(campaign, campaign.starts_at)
    register_by_chat(wx)
    for _ in range(7):
        wx.text(right_answer(app))
    clock.freeze(EVENING + timedelta(minutes=3))  # a human pace: the paper counts in the rankings
    wx.text(right_answer(app))
    receipt = chat_tip(app, OPENID, real_name=("王秀英", "13712345678"))
    with app.app_context():
        teams_before = [(r.team_id, r.points, r.participants) for r in leaderboards.team_board(campaign)]
        order_before = leaderboards.ranking_order(campaign)
    pid = participant(app).id
    assert names(app, campaign.id)[str(pid)].startswith("张*|")

    ask = wx.text("删除我的信息")
    assert "确认删除" in ask and "无法再联系您" in ask
    assert "没有删除" in wx.text("取消") or participant(app) is not None
    assert participant(app).name == "张三"  # nothing happened without the confirmation
    wx.text("删除我的信息")
    assert "已删除" in wx.text("确认删除")

    with app.app_context():
        p = db.session.get(Participant, pid)
        assert (p.name, p.phone_enc, p.phone_masked, p.work_unit) == ("匿名", None, None, None)
        assert p.openid != OPENID and p.openid.startswith("erased:")
        assert db.session.scalar(select(TipIdentity)) is None  # the tipster identity is gone
        raw = db.session.execute(text("SELECT * FROM participants")).all()
        assert "张三" not in str(raw)
        assert [
            (r.team_id, r.points, r.participants) for r in leaderboards.team_board(campaign)
        ] == teams_before
        assert leaderboards.ranking_order(campaign) == order_before
        assert [r.action for r in audit.trail("participant", pid)] == ["personal_data.erase"]
    assert names(app, campaign.id)[str(pid)].startswith("匿*|")
    assert "没有保存您的个人信息" in wx.text("我的信息")
    assert "个人信息说明" in wx.text("答题")  # can register again, as a new person
    assert receipt  # the tip itself stays for the case (only the identity went)


def test_the_h5_api_shows_and_deletes_my_data(app, emu, campaign):
    api = resident(app, emu, openid="o_h5_data")
    data = api.get("/me/data").body
    assert data["registered"] and data["name"] == "张三" and data["phone_masked"] == "138****8000"
    assert data["consent"]["version"] == "2026-1" and data["teams"] == [f"{campaign.name}：北京市"]
    assert "13800138000" not in api.calls[-1].text
    gone = api.call("DELETE", "/me/data")
    assert gone.status == 200 and gone.body["participant_erased"] is True
    assert api.get("/me/data").body["registered"] is False
    assert api.get("/me").body["registered"] is False
    with app.app_context():
        assert db.session.scalar(select(Participant).where(Participant.openid == "o_h5_data")) is None
        assert db.session.scalar(select(Participant)).name == "匿名"


def test_deleting_when_nothing_is_stored_changes_nothing(app, campaign):
    wx = wechat_client(app, openid="o_stranger")
    assert "没有保存" in wx.text("删除我的信息")
    assert "确认删除" not in wx.text("确认删除")
