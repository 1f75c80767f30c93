"""The conversation router: keywords, synonyms, menu keys, events, media, dialogs, cancel, help."""

from __future__ import annotations

import threading
import time

from app import runtime
from config.menu import KEY_KNOWLEDGE
from wechat_handlers.replies import Text


def test_subscribe_welcome(wx):
    reply = wx.subscribe()
    assert "欢迎关注" in reply and "答题" in reply


def test_scan_subscribe_with_scene_also_welcomes(wx):
    assert "欢迎关注" in wx.subscribe(scene="haidian")


def test_scan_event_when_already_following(wx):
    reply = wx.send({"MsgType": "event", "Event": "SCAN", "EventKey": "123"}).text
    assert "欢迎回来" in reply


def test_unsubscribe_gets_no_reply(wx):
    wx.unsubscribe()
    assert wx.history[-1].status == 200 and wx.history[-1].raw == "success"


def test_help_and_synonyms(wx):
    for word in ("帮助", "help", "HELP", "菜单", "？", "怎么玩"):
        assert "回复" in wx.text(word) and "举报" in wx.text(word), word


def test_rules(wx):
    rules = wx.text("规则")
    assert "8道题" in rules and "单选3道" in rules and "多选2道" in rules and "100分" in rules
    assert "用时少者在前" in rules  # tie rule stated to residents
    assert wx.text("活动规则") == rules


def test_full_width_and_punctuation_are_normalised(wx):
    assert "8道题" in wx.text("  规则！")


def test_unknown_text_gets_short_help(wx):
    reply = wx.text("啦啦啦随便说说")
    assert "答题" in reply and len(reply) < 300


def test_voice_uses_recognition_text(wx):
    assert "8道题" in wx.voice("规则。")


def test_image_and_location_outside_a_dialog(wx):
    assert "举报" in wx.image("MEDIA_X")
    assert "位置" in wx.location(39.9, 116.3, "北京市海淀区")


def test_cancel_leaves_any_dialog(app, wx):
    router = runtime.router(app)
    router.keyword("测试对话")(lambda ctx: (ctx.dialog.enter("test_state", step=1), Text("进入测试"))[1])
    router.state("test_state")(lambda ctx: Text("还在测试状态"))
    assert wx.text("测试对话") == "进入测试"
    assert wx.text("随便") == "还在测试状态"
    assert "已取消" in wx.text("取消")
    assert "还在测试状态" not in wx.text("随便")
    assert "没有进行中的操作" in wx.text("退出")


def test_dialog_state_expires(app, wx):
    app.config["DIALOG_TTL"] = 1
    router = runtime.router(app)
    router.keyword("测试对话")(lambda ctx: (ctx.dialog.enter("test_state"), Text("进入测试"))[1])
    router.state("test_state")(lambda ctx: Text("还在测试状态"))
    wx.text("测试对话")
    time.sleep(1.3)
    assert wx.text("随便") != "还在测试状态"


def test_state_handler_may_pass_to_menu(app, wx):
    router = runtime.router(app)
    router.keyword("测试对话")(lambda ctx: (ctx.dialog.enter("test_state"), Text("进入测试"))[1])
    router.state("test_state")(lambda ctx: None if ctx.msg.msg_type == "event" else Text("状态内"))
    router.click(KEY_KNOWLEDGE)(lambda ctx: Text("知识菜单"))
    wx.text("测试对话")
    assert wx.click(KEY_KNOWLEDGE) == "知识菜单"


def test_handler_bug_rolls_back_and_apologises(app, wx, caplog):
    def broken(ctx):
        raise RuntimeError("boom")

    runtime.router(app).keyword("坏了")(broken)
    reply = wx.text("坏了")
    assert "抱歉" in reply and "boom" not in reply
    assert any("handler failed" in r.message for r in caplog.records)


def test_domain_error_becomes_friendly_reply(app, wx):
    from app.errors import DomainError

    def refuse(ctx):
        raise DomainError("今天已经答过题了，明天再来吧。")

    runtime.router(app).keyword("拒绝")(refuse)
    assert wx.text("拒绝") == "今天已经答过题了，明天再来吧。"


def test_per_user_lock_serialises_two_devices(app):
    """Two messages of one user at once: the second waits for the first (no interleaving)."""
    from tests.support.wechat import wechat_client

    order: list[str] = []

    def slow(ctx):
        order.append("start")
        time.sleep(0.5)
        order.append("end")
        return Text("慢")

    runtime.router(app).keyword("慢")(slow)
    a, b = wechat_client(app), wechat_client(app)
    threads = [threading.Thread(target=c.text, args=("慢",)) for c in (a, b)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert order == ["start", "end", "start", "end"]
    assert a.history[-1].text == "慢" and b.history[-1].text == "慢"


def test_retry_during_a_slow_first_delivery_waits_for_its_reply(app):
    """WeChat retries after 5 s; a retry arriving while the first delivery still runs gets its reply and
    the handler runs once (the claim is taken in the same call that locks the user)."""
    from tests.support.wechat import wechat_client

    runs: list[int] = []

    def slow(ctx):
        runs.append(1)
        time.sleep(0.6)
        return Text("慢慢来")

    runtime.router(app).keyword("慢慢")(slow)
    wx = wechat_client(app)
    query, body = wx.seal(wx.build({"MsgType": "text", "Content": "慢慢"}))
    replies: list[str] = []
    first = threading.Thread(target=lambda: replies.append(wx.post(query, body).text))
    first.start()
    time.sleep(0.2)
    replies.append(wx.post(query, body).text)  # the retry
    first.join()
    assert runs == [1] and replies == ["慢慢来", "慢慢来"]


def test_embedded_app_without_redis_works_end_to_end(embedded_app):
    from tests.support.wechat import wechat_client

    wx = wechat_client(embedded_app)
    assert "欢迎关注" in wx.subscribe()
    assert "8道题" in wx.text("规则")
