"""A resident's personal data in chat: 我的信息 (see it, masked) and 删除我的信息 (erase it, confirmed)."""

from __future__ import annotations

from app import clock
from app.services import my_data
from wechat_handlers import copy_privacy as t
from wechat_handlers.replies import Reply, Text
from wechat_handlers.router import Context, Router

CONFIRM_STATE = "mydata:confirm"
CONFIRM_WORDS = {"确认删除"}
MAX_BYTES = 2000
MAX_TIPS_SHOWN = 5


def render(data: my_data.MyData) -> str:
    """What is stored, masked where sensible, within MAX_BYTES (older tips are summarised)."""
    lines = [t.MY_INFO_HEAD]
    if data.registered:
        lines.append(
            t.MY_INFO_PERSON.format(
                name=data.name,
                team="；".join(data.teams) or "未选择",
                phone=data.phone_masked or t.NOT_SET,
                unit=data.work_unit or t.NOT_SET,
                since=clock.fmt_local(data.registered_at, "%Y-%m-%d") if data.registered_at else "",
                consent=data.consent_version,
                consent_at=clock.fmt_local(data.consent_at, "%Y-%m-%d") if data.consent_at else "",
                papers=data.papers,
                total=data.total_score,
            )
        )
    for tip in data.tips[:MAX_TIPS_SHOWN]:
        lines.append(t.MY_INFO_TIP.format(receipt=tip.receipt, name=tip.name_masked, phone=tip.phone_masked))
    if len(data.tips) > MAX_TIPS_SHOWN:
        lines.append(f"……另有{len(data.tips) - MAX_TIPS_SHOWN}条实名举报")
    if not data.registered and not data.tips:
        return t.NOTHING_STORED
    lines.append(t.MY_INFO_FOOT)
    text = "\n".join(lines)
    while len(text.encode()) > MAX_BYTES:  # long work units and many tips: cut, never overflow
        text = text[: len(text) - 20]
    return text


def my_info(ctx: Context) -> Reply:
    return Text(render(my_data.describe(ctx.msg.openid)))


def ask_delete(ctx: Context) -> Reply:
    data = my_data.describe(ctx.msg.openid)
    if not data.registered and not data.tips:
        return Text(t.NOTHING_STORED)
    ctx.dialog.clear()
    ctx.dialog.enter(CONFIRM_STATE)
    return Text(t.ASK_CONFIRM.format(tips=t.ASK_CONFIRM_TIPS if data.tips else ""))


def receive_confirmation(ctx: Context) -> Reply | None:
    ctx.dialog.clear()
    if ctx.text in CONFIRM_WORDS:
        my_data.erase(ctx.msg.openid, now=ctx.now)
        return Text(t.DELETED)
    if ctx.text in ("取消", "不", "不删除", "否"):
        return Text(t.KEPT)
    return None  # anything else: not deleted, and the message goes to its own handler


def register(router: Router) -> None:
    router.keyword("我的信息", "个人信息", "查看我的信息")(my_info)
    router.keyword("删除我的信息", "删除个人信息")(ask_delete)
    router.state(CONFIRM_STATE)(receive_confirmation)
