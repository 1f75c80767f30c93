"""The official account's custom menu (created with `flask wechat menu`)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

# Click keys the router understands; keep in sync with wechat_handlers.
KEY_START_QUIZ = "QUIZ_START"
KEY_LEADERBOARD = "LEADERBOARD"
KEY_MY_SCORE = "MY_SCORE"
KEY_REPORT_TIP = "TIP_START"
KEY_KNOWLEDGE = "KNOWLEDGE"


H5_CALLBACK_PATH = "/h5/oauth/callback"
H5_MENU_STATE = "menu"


def h5_oauth_url(settings: Any) -> str:
    """WeChat web OAuth (snsapi_base, silent) that comes back to the H5 activity page's callback."""
    query = urlencode(
        {
            "appid": settings.WECHAT_APP_ID,
            "redirect_uri": settings.PUBLIC_BASE_URL.rstrip("/") + H5_CALLBACK_PATH,
            "response_type": "code",
            "scope": "snsapi_base",
            "state": H5_MENU_STATE,
        }
    )
    return f"{settings.WECHAT_OPEN_BASE.rstrip('/')}/connect/oauth2/authorize?{query}#wechat_redirect"


def menu_definition(settings: Any = None) -> dict[str, Any]:
    """The menu: 参与活动 > 开始答题 (the H5 page, via OAuth) / 排行榜 / 我的成绩; 我要举报; 防非知识.

    Without settings 开始答题 stays a click (the chat quiz); "答题" in chat always starts the chat quiz."""
    start = {"type": "click", "name": "开始答题", "key": KEY_START_QUIZ}
    if settings is not None:
        start = {"type": "view", "name": "开始答题", "url": h5_oauth_url(settings)}
    return {
        "button": [
            {
                "name": "参与活动",
                "sub_button": [
                    start,
                    {"type": "click", "name": "排行榜", "key": KEY_LEADERBOARD},
                    {"type": "click", "name": "我的成绩", "key": KEY_MY_SCORE},
                ],
            },
            {"type": "click", "name": "我要举报", "key": KEY_REPORT_TIP},
            {"type": "click", "name": "防非知识", "key": KEY_KNOWLEDGE},
        ]
    }
