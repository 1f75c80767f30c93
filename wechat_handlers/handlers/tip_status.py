"""Checking a tip's progress by its receipt code: "查询 JB-7K4M-2QXR-9T", or the code on its own."""

from __future__ import annotations

import re

from app import clock
from app.services import receipts
from wechat_handlers import copy_tips as t
from wechat_handlers.replies import Reply, Text
from wechat_handlers.router import Context, Router

QUERY_WORDS = ("查询进度", "举报进度", "查询")  # longest first
CODE_ALONE = re.compile(r"jb[\s\-_]*[0-9a-z]{4}[\s\-_]*[0-9a-z]{4}[\s\-_]*[0-9a-z]{2}")


def _status(ctx: Context, code: str) -> Reply:
    found = receipts.look_up(code, openid=ctx.msg.openid, ip=None, store=ctx.store)
    text = t.STATUS.format(
        receipt=found.receipt, submitted=clock.fmt_local(found.submitted_at), label=found.label
    )
    text += t.STATUS_REPLY.format(reply=found.reply) if found.reply else t.STATUS_NO_REPLY
    return Text(text)


def check_status(ctx: Context) -> Reply | None:
    word = next(w for w in QUERY_WORDS if ctx.text.startswith(w))
    rest = ctx.text[len(word) :].strip(" ：:")
    if re.search(r"[0-9a-z]", rest):
        return _status(ctx, rest)
    if not rest or any(w in rest for w in ("举报", "进度", "编号", "回执")):
        return Text(t.ASK_CODE)
    return None  # "查询成绩" and the like belong to other features


def code_alone(ctx: Context) -> Reply | None:
    if ctx.msg.msg_type in ("text", "voice") and CODE_ALONE.fullmatch(ctx.text):
        return _status(ctx, ctx.text)
    return None


def register(router: Router) -> None:
    router.keyword(*QUERY_WORDS, prefix=True)(check_status)
    router.matcher(code_alone)
