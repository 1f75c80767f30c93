"""防非知识 in chat, as a resident experiences it: menus by number, questions, and the daily tip."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, inspect, select

from app import clock
from app.extensions import db
from app.models.knowledge import DailyTipShown, UnmatchedQuestion
from app.models.paper import Paper
from app.services import bank, daily_tips, knowledge
from config.menu import KEY_KNOWLEDGE
from quiz_bank.composer import to_displayed
from quiz_bank.knowledge import load_cards
from tests.factories import load_bundled_bank, make_campaign, make_participant
from tests.quiz.test_chat_quiz import current_item, register_by_chat
from tests.support.wechat import wechat_client
from wechat_handlers import copy
from wechat_handlers.dialog import Dialog
from wechat_handlers.handlers.knowledge import answer_question, card_text, pick_card
from wechat_handlers.incoming import Incoming
from wechat_handlers.registry import build_router
from wechat_handlers.replies import MAX_REPLY_BYTES
from wechat_handlers.router import Context

CARDS = {c.id: c for c in load_cards()}
TIPS = [c.tip for c in sorted(CARDS.values(), key=lambda c: c.id) if c.tip]
EVENING = datetime(2026, 6, 16, 12, 0, tzinfo=UTC)  # 20:00 in Asia/Shanghai, day 2 of the test campaign
NOT_ASKED = "今天天气怎么样"  # no card fits; a question all the same


def right_answer(app) -> str:
    """The key of the next question of the open paper."""
    with app.app_context():
        paper = db.session.scalar(select(Paper).where(Paper.status == "open"))
        item = next(i for i in paper.items if i.given is None)
        q = bank.get_question(item.question_id)
        return to_displayed(q, item.option_order, item.answer_key) if q.is_choice else item.answer_key


def fits(reply: str) -> bool:
    return len(reply.encode()) <= MAX_REPLY_BYTES and "稍后发送" not in reply


@pytest.fixture
def campaign(app):
    with app.app_context():
        load_bundled_bank()
        c = make_campaign()
        clock.freeze(EVENING)
        yield c
    clock.freeze(None)


def test_menu_topic_card_by_numbers(app, wx):
    menu = wx.click(KEY_KNOWLEDGE)
    assert menu.startswith("【防非知识】") and "1. 认识非法集资（8条）" in menu and "7. 宣传月" in menu
    topic = wx.text("1")
    assert "【认识非法集资】" in topic and "1. 什么是非法集资" in topic and "回复“0”返回" in topic
    card = wx.text("1")
    assert card.startswith("什么是非法集资\n" + CARDS["K001"].body[:20])
    assert "——《条例》第二条" in card and fits(card)
    assert wx.text("第2个").startswith("非法集资的危害\n")  # the list stays open for the next number
    assert "请回复列表中的数字（1-8）" in wx.text("99")
    assert wx.text("0").startswith("【防非知识】")
    assert "【举报】" in wx.text("五")  # voice input writes numerals in Chinese
    assert "请回复列表中的数字" in wx.text("99")


@pytest.mark.parametrize("word", ["防非知识", "学习", "知识", "防非知识。"])
def test_keywords_open_the_topic_menu(app, wx, word):
    assert wx.text(word).startswith("【防非知识】请回复数字选择主题")


def test_text_that_is_not_a_number_leaves_the_list(app, wx):
    wx.text("防非知识")
    assert wx.text("规则").startswith("【防范非法集资知识答题")
    assert wx.text("1") == copy.HELP  # the list was left: a bare number is no longer a pick


def test_free_text_and_voice_get_the_card(app, wx):
    reply = wx.text("养老院让我交钱说每年返利10%靠谱吗")
    assert reply.startswith("养老院交钱返利\n") and "回复“防非知识”" in reply and fits(reply)
    assert wx.voice("朋友拉我买一个币说稳赚。").startswith(CARDS["K022"].title + "\n")
    assert wx.text("ＵＳＤＴ挖矿每天收益百分之一").startswith(CARDS["K022"].title)


def test_ambiguous_question_lists_choices_to_pick_by_number(app, wx):
    choices = wx.text("被骗了")
    assert choices.startswith("您想了解的是哪一条") and "1. 家里老人被骗了" in choices
    assert "2. 已经投了钱怎么办" in choices and "3. " not in choices
    assert wx.text("2").startswith("已经投了钱怎么办\n")
    assert "请回复列表中的数字（1-2）" in wx.text("3")
    three = wx.text("利息")
    assert re.findall(r"^(\d)\. ", three, re.M) == ["1", "2", "3"]
    assert wx.text("3").startswith(CARDS["K030"].title + "\n")


def test_short_unrelated_text_gets_the_help(app, wx):
    assert wx.text("你好") == copy.HELP
    assert wx.text("谢谢") == copy.HELP
    assert wx.text("啦啦啦随便说说") == copy.HELP
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(UnmatchedQuestion)) == 0


def test_unanswered_question_offers_topics_and_tip_channel_and_is_counted_without_openid(app, wx):
    reply = wx.text(NOT_ASKED + "？")
    assert reply.startswith("暂时没有找到") and "1. 认识非法集资" in reply and "回复“举报”提供线索" in reply
    assert "【认识非法集资】" in wx.text("1")  # the menu it offered answers numbers
    other = wechat_client(app, openid="o_resident_0002")
    other.text(NOT_ASKED)
    other.voice("我的电话是13800138000，低保怎么申请")
    with app.app_context():
        rows = db.session.scalars(select(UnmatchedQuestion).order_by(UnmatchedQuestion.id)).all()
        assert [(r.text, r.count) for r in rows] == [
            ("今天天气怎么样", 2),
            ("我的电话是***********低保怎么申请", 1),
        ]
        assert rows[1].sample == "我的电话是***********，低保怎么申请"
        columns = {c["name"] for c in inspect(db.engine).get_columns("unmatched_questions")}
        assert columns == {"id", "text", "sample", "count", "first_seen", "last_seen"}
        for row in rows:
            values = " ".join(str(getattr(row, name)) for name in columns)
            assert "o_resident" not in values and "13800138000" not in values


def test_quiz_answers_are_not_taken_by_the_cards(app, wx, campaign):
    register_by_chat(wx)
    before, _ = current_item(app)
    for text in ("养老", "养老院让我交钱说每年返利靠谱吗"):
        reply = wx.text(text)
        assert "可暂停，稍后回复“答题”继续" in reply and "养老院交钱返利" not in reply
    assert current_item(app)[0].position == before.position == 1
    assert wx.text("防非知识").startswith("【防非知识】")  # a command passes; the paper waits
    assert "第1/8题" in wx.text("答题")


def test_tip_steps_are_not_taken_by_the_cards(app, wx):
    assert "第1步" in wx.text("举报")
    reply = wx.text("养老院让我交钱说每年返利靠谱吗")
    assert "第1步" in reply and "养老院交钱返利" not in reply  # the tip step asks again


def test_states_come_before_the_matcher(app):
    router = build_router()
    msg = Incoming(openid="o1", msg_type="text", create_time=0, content="养老")
    for state, handler in (("quiz:answer", router.states["quiz:answer"]), ("kb:choices", pick_card)):
        ctx = Context(msg=msg, dialog=Dialog(state=state), now=clock.now(), store=None, config={})
        found = router.candidates(ctx)
        assert found.index(handler) < found.index(answer_question)


def test_every_card_reply_fits_one_message():
    for card in CARDS.values():
        assert fits(card_text(card, "回复其他数字继续查看，回复“防非知识”看全部主题。")), card.id


def test_finishing_papers_on_consecutive_days_shows_different_tips(app, wx, campaign):
    register_by_chat(wx)
    for _ in range(8):
        reply = wx.text(right_answer(app))
    assert "今日答题完成" in reply and reply.endswith("\n\n💡 " + TIPS[0]) and fits(reply)
    clock.freeze(clock.now() + timedelta(days=1))
    wx.text("答题")
    for _ in range(8):
        reply = wx.text(right_answer(app))
    assert reply.endswith("💡 " + TIPS[1])
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Paper)) == 2
        assert db.session.scalar(select(func.count()).select_from(DailyTipShown)) == 2


def test_daily_tips_rotate_and_repeat_only_after_all_were_shown(app, campaign):
    with app.app_context():
        make_participant(campaign, openid="o_a")
        make_participant(campaign, openid="o_b", name="李四")
        now = clock.now()
        shown = [daily_tips.next_daily_tip("o_a", now + timedelta(days=d)) for d in range(len(TIPS))]
        assert shown == TIPS and len(set(shown)) == len(TIPS) == 50
        assert daily_tips.next_daily_tip("o_b", now) == TIPS[0]  # each resident has their own rotation
        assert daily_tips.next_daily_tip("o_a", now) == TIPS[0]  # all shown: the rotation starts over
        assert daily_tips.next_daily_tip("o_a", now) == TIPS[1]
        assert daily_tips.next_daily_tip("o_nobody", now) is None
        db.session.commit()


def test_knowledge_on_sqlite_without_redis(embedded_app):
    wx = wechat_client(embedded_app)
    assert "【认识非法集资】" in (wx.click(KEY_KNOWLEDGE) and wx.text("1"))
    assert wx.text("3").startswith(CARDS["K003"].title)
    assert wx.text("以房养老靠谱吗").startswith(CARDS["K020"].title)
    wx.text(NOT_ASKED)
    wechat_client(embedded_app, openid="o_other").text(NOT_ASKED)
    with embedded_app.app_context():
        row = db.session.scalar(select(UnmatchedQuestion))
        assert (row.text, row.count) == ("今天天气怎么样", 2)
        assert knowledge.library().origin == "bundled"
