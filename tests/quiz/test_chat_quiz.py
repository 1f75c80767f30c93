"""The quiz in chat, as a resident experiences it."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from app import clock
from app.extensions import db
from app.models.paper import Paper
from app.models.participant import Participant
from app.services import bank
from quiz_bank.composer import to_displayed
from tests.quiz.conftest import EVENING

HEAD = re.compile(r"第(\d)/8题 · (单选|判断|多选) · (\d+)分")


def register_by_chat(wx, name="张三", region="北京", phone="13800138000", unit="海淀区某街道"):
    assert "个人信息说明" in wx.text("答题")
    assert "请输入您的姓名" in wx.text("同意")
    reply = wx.text(name)
    assert "请选择您所在的地区" in reply and "32. 新疆生产建设兵团" in reply
    assert "手机号" in wx.text(region)
    assert "工作单位" in wx.text(phone)
    return wx.text(unit)


def current_item(app, openid="o_resident_0001"):
    with app.app_context():
        participant = db.session.scalar(select(Participant).where(Participant.openid == openid))
        paper = db.session.scalar(select(Paper).where(Paper.participant_id == participant.id))
        item = next(i for i in paper.items if i.given is None)
        q = bank.get_question(item.question_id)
        return item, q


def right_answer(app, openid="o_resident_0001") -> str:
    item, q = current_item(app, openid)
    return to_displayed(q, item.option_order, item.answer_key) if q.is_choice else item.answer_key


def wrong_answer(app, openid="o_resident_0001") -> str:
    item, q = current_item(app, openid)
    if not q.is_choice:
        return "错" if item.answer_key == "对" else "对"
    right = to_displayed(q, item.option_order, item.answer_key)
    letters = [chr(ord("A") + i) for i in range(len(item.option_order))]
    if item.qtype == "single":
        return next(x for x in letters if x != right)
    return (
        "".join(sorted(set(letters) - set(right)))[:2]
        if len(set(letters) - set(right)) >= 2
        else letters[0] + letters[1]
    )


def test_registration_then_first_question(app, wx, campaign):
    reply = register_by_chat(wx)
    assert "报名成功！张三，您属于【北京市】战队" in reply
    assert HEAD.search(reply).groups() == ("1", "单选", "10")
    assert "A. " in reply and "D. " in reply and "请回复一个字母" in reply


def test_nothing_stored_before_consent(app, wx, campaign):
    wx.text("答题")
    assert "没有保存" in wx.text("不同意")
    with app.app_context():
        assert db.session.scalar(select(Participant)) is None


def test_bad_name_and_region_are_asked_again(app, wx, campaign):
    wx.text("答题")
    wx.text("同意")
    assert "2到20个字" in wx.text("张")
    assert "汉字或字母" in wx.text("<script>")
    assert "请选择您所在的地区" in wx.text("  李四  ")
    assert "没有找到" in wx.text("火星")
    amb = wx.text("江")
    assert "找到多个地区" in amb and "江苏省" in amb and "江西省" in amb
    number = re.search(r"(\d+)\. 江西省", amb).group(1)
    assert "黑龙江省" in amb and number == "4"
    assert "手机号" in wx.text(number)  # picked from the short list, not the full one
    assert "手机号格式不对" in wx.text("12345")
    assert "工作单位" in wx.text("跳过")
    reply = wx.text("跳过")
    assert "【江西省】战队" in reply


def test_region_by_number(app, wx, campaign):
    wx.text("答题")
    wx.text("同意")
    wx.text("王五")
    wx.text("32")
    wx.text("跳过")
    assert "【新疆生产建设兵团】战队" in wx.text("跳过")


def test_scripted_resident_scores_exactly_the_key(app, wx, campaign):
    """Point 10: a full day's paper with right and wrong answers; score == sum from the bank's key."""
    register_by_chat(wx)
    expected = 0
    plan = [True, False, True, True, False, True, True, False]
    reply = ""
    for n, answer_right in enumerate(plan, start=1):
        item, q = current_item(app)
        assert item.position == n
        given = right_answer(app) if answer_right else wrong_answer(app)
        # independent computation from the bank's own key (not the service)
        shown_key = to_displayed(q, item.option_order, q.answer) if q.is_choice else q.answer
        if given == shown_key:
            expected += item.points
        reply = wx.text(given.lower() if n % 2 else given)
        assert ("回答正确" in reply) == answer_right
        assert "解析：" in reply and "（" in reply
        assert len(reply.encode()) <= 2000
    assert f"得分：{expected}/100分" in reply
    assert f"累计得分：{expected}分" in reply
    with app.app_context():
        paper = db.session.scalar(select(Paper))
        assert paper.status == "submitted" and paper.score == expected
        assert all(i.given is not None and i.answered_at is not None for i in paper.items)


def test_answer_forms_people_type(app, wx, campaign):
    register_by_chat(wx)
    item, q = current_item(app)
    assert item.qtype == "single"
    letter = right_answer(app)
    full_width = chr(ord(letter) + 0xFEE0)  # Ｂ
    assert "回答正确" in wx.text(f" {full_width} ")
    wx.text(right_answer(app))
    wx.text(right_answer(app))
    item, q = current_item(app)
    assert item.qtype == "judge"
    given = "√" if item.answer_key == "对" else "×"
    assert "回答正确" in wx.text(given)


def test_invalid_answer_gets_hint_and_does_not_consume(app, wx, campaign):
    register_by_chat(wx)
    before, _ = current_item(app)
    reply = wx.text("AB")
    assert "只能选一个" in reply
    assert "请回复" in wx.text("随便")
    after, _ = current_item(app)
    assert after.position == before.position == 1


def test_unfinished_paper_resumes_and_commands_pass_through(app, wx, campaign):
    register_by_chat(wx)
    wx.text(right_answer(app))
    wx.text(right_answer(app))
    assert "8道题" in wx.text("规则")  # a command mid-quiz goes to its handler
    reply = wx.text("答题")
    assert "继续上次的答题" in reply and "第3/8题" in reply
    assert "已取消" in wx.text("取消")
    assert "第3/8题" in wx.text("答题")


def test_second_paper_same_day_refused_then_next_day_new_paper(app, wx, campaign):
    register_by_chat(wx)
    for _ in range(8):
        wx.text(right_answer(app))
    assert "今天的答题已经完成啦" in wx.text("答题")
    clock.freeze(clock.now() + timedelta(days=1))
    reply = wx.text("答题")
    assert "第1/8题" in reply
    with app.app_context():
        papers = db.session.scalars(select(Paper).order_by(Paper.id)).all()
        assert len(papers) == 2
        first_ids = {i.question_id for i in papers[0].items}
        second_ids = {i.question_id for i in papers[1].items}
        assert not first_ids & second_ids  # seen questions are not drawn again


def test_outside_window_tells_the_dates(app, wx, campaign):
    clock.freeze(campaign.starts_at - timedelta(days=2))
    assert "还没开始" in wx.text("答题") and "6月15日10:00至6月25日24:00" in wx.text("答题")
    clock.freeze(campaign.ends_at + timedelta(minutes=1))
    assert "已结束" in wx.text("答题")


def test_my_score_and_my_info(app, wx, campaign):
    assert "还没有报名" in wx.text("我的成绩")
    register_by_chat(wx)
    for _ in range(8):
        wx.text(right_answer(app))
    score = wx.text("我的成绩")
    assert "累计得分：100分" in score and "北京市" in score and "已完成" in score
    info = wx.text("我的信息")
    assert "138****8000" in info and "13800138000" not in info and "海淀区某街道" in info


def test_profile_corrections_and_region_lock(app, wx, campaign):
    register_by_chat(wx)
    assert "已修改" in wx.text("修改姓名 张小三")
    assert "已修改" in wx.text("修改地区 上海")
    assert "已修改" in wx.text("修改手机 13912345678")
    assert "139****5678" in wx.text("我的信息")
    wx.text("答题")
    for _ in range(8):
        wx.text(right_answer(app))
    assert "不能再修改" in wx.text("修改地区 北京")
    assert "上海市" in wx.text("我的信息")


@pytest.mark.parametrize("fixture", ["embedded_campaign"])
def test_full_paper_on_sqlite_without_redis(embedded_app, request, fixture):
    from tests.support.wechat import wechat_client

    request.getfixturevalue(fixture)
    wx = wechat_client(embedded_app)
    register_by_chat(wx)
    for _ in range(8):
        reply = wx.text(right_answer(embedded_app))
    assert "得分：100/100分" in reply


def test_rules_come_from_the_campaign(app, wx, campaign):
    rules = wx.text("规则")
    assert campaign.name in rules and "6月15日10:00至6月25日24:00" in rules
    assert "单选3道，每题10分" in rules and "多选2道，每题20分" in rules and "满分100分" in rules
    assert "用时少者在前" in rules and "每天10:00公布" in rules
    assert len(rules.encode()) <= 2000


def test_rules_follow_a_changed_config(app, wx):
    from app.extensions import db
    from tests.factories import load_bundled_bank, make_campaign

    with app.app_context():
        load_bundled_bank()
        from config.campaign_spec import MixSpec

        make_campaign(
            "local",
            mix=(MixSpec("single", 5, 10), MixSpec("judge", 5, 10)),
            attempts_per_day=2,
            multiple_rule="partial",
            time_limit_seconds=600,
        )
        db.session.commit()
    clock.freeze(EVENING)
    rules = wx.text("规则")
    assert (
        "单选5道" in rules
        and "判断5道" in rules
        and "满分100分" in rules
        and "多选" not in rules.split("（")[0]
    )
    assert "每天可答2次" in rules and "限时10分钟" in rules
