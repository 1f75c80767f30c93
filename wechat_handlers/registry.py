"""Builds the one router the app uses, with every feature's handlers registered."""

from __future__ import annotations

from wechat_handlers.handlers import basic, knowledge, leaderboard, my_data, profile, quiz, tip_status, tips
from wechat_handlers.router import Router


def build_router() -> Router:
    router = Router()
    basic.register(router)
    quiz.register(router)
    leaderboard.register(router)
    profile.register(router)
    my_data.register(router)
    tips.register(router)
    tip_status.register(router)
    knowledge.register(router)
    return router
