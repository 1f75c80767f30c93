"""The official account's custom menu (created with `flask wechat menu`)."""

from __future__ import annotations

from typing import Any

# Click keys the router understands; keep in sync with wechat_handlers.
KEY_START_QUIZ = "QUIZ_START"
KEY_LEADERBOARD = "LEADERBOARD"
KEY_MY_SCORE = "MY_SCORE"
KEY_REPORT_TIP = "TIP_START"
KEY_KNOWLEDGE = "KNOWLEDGE"


def menu_definition() -> dict[str, Any]:
    """The menu: 参与活动 > 开始答题 / 排行榜 / 我的成绩; 我要举报; 防非知识."""
    return {
        "button": [
            {
                "name": "参与活动",
                "sub_button": [
                    {"type": "click", "name": "开始答题", "key": KEY_START_QUIZ},
                    {"type": "click", "name": "排行榜", "key": KEY_LEADERBOARD},
                    {"type": "click", "name": "我的成绩", "key": KEY_MY_SCORE},
                ],
            },
            {"type": "click", "name": "我要举报", "key": KEY_REPORT_TIP},
            {"type": "click", "name": "防非知识", "key": KEY_KNOWLEDGE},
        ]
    }
