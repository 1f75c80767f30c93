"""OpenAPI section: leaderboards and tips (summarised from app/web/api/leaderboard.py and tips.py).

Written so the document covers every /api/v1 route; the owners of those features may refine it freely.
"""

from __future__ import annotations

from typing import Any

from app.web.api.openapi import ANY_OBJECT, STR, TIME, array, body, errors, obj, op, query_param, reply

SCHEMAS: dict[str, Any] = {
    "TipReceipt": obj({"receipt": STR, "status": STR, "status_label": STR, "message": STR}),
    "TipStatus": obj(
        {
            "receipt": STR,
            "status": STR,
            "status_label": STR,
            "reply": {"type": ["string", "null"]},
            "submitted_at": TIME,
        }
    ),
}

NO_CAMPAIGN = errors(e404="no_campaign")

PATHS: dict[str, Any] = {
    "/leaderboard/published": {
        "get": op(
            "已发布的排行榜快照（每日、累计前十和最终结果），最新的在前。",
            {"200": reply("快照", obj({"publications": array(ANY_OBJECT)})), **NO_CAMPAIGN},
            tag="leaderboard",
        )
    },
    "/leaderboard/teams": {
        "get": op(
            "战队实时排名；?day=YYYY-MM-DD 为某一天。",
            {
                "200": reply(
                    "战队排名", obj({"formula": STR, "formula_text": STR, "teams": array(ANY_OBJECT)})
                ),
                **errors(e400="bad_day", e404="no_campaign"),
            },
            tag="leaderboard",
            parameters=[query_param("day", "某一天，如 2026-06-16")],
        )
    },
    "/leaderboard/individuals": {
        "get": op(
            "个人累计得分前 N 名（姓名已脱敏），?limit=N（最多 100）。",
            {
                "200": reply("个人排名", obj({"individuals": array(ANY_OBJECT)})),
                **errors(e400="bad_limit", e404="no_campaign"),
            },
            tag="leaderboard",
            parameters=[query_param("limit", "人数，默认 20")],
        )
    },
    "/leaderboard/me": {
        "get": op(
            "我的名次和我所在战队的名次。",
            {
                "200": reply(
                    "我的名次",
                    obj(
                        {
                            "team": ANY_OBJECT,
                            "teams_total": {"type": "integer"},
                            "me": {"type": ["object", "null"]},
                        }
                    ),
                ),
                **errors(e404="no_campaign / not_registered"),
            },
            auth=True,
            tag="leaderboard",
        )
    },
    "/tips/form": {
        "get": op(
            "举报表单需要的分类、限制和说明。",
            {
                "200": reply(
                    "表单",
                    obj(
                        {
                            "categories": array(ANY_OBJECT),
                            "limits": ANY_OBJECT,
                            "reward_note": STR,
                            "statuses": ANY_OBJECT,
                        }
                    ),
                )
            },
            tag="tips",
        )
    },
    "/tips": {
        "post": op(
            "提交举报线索（JSON，或 multipart 附最多 9 个文件）。实名举报（anonymous: false）须 consent: true，即已同意 /privacy?kind=tips。",
            {
                "201": reply("回执", {"$ref": "#/components/schemas/TipReceipt"}),
                **errors(e400="表单内容不对", e413="文件太大", e429="rate_limited"),
            },
            auth=True,
            tag="tips",
            request=body(ANY_OBJECT),
        )
    },
    "/tips/lookup": {
        "post": op(
            "用回执码查询处理状态和公开答复。",
            {
                "200": reply("状态", {"$ref": "#/components/schemas/TipStatus"}),
                **errors(e404="receipt_not_found", e429="rate_limited", e503="unavailable"),
            },
            tag="tips",
            request=body(obj({"code": STR})),
        )
    },
}
