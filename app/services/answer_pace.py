"""Slowing scripted answering: per-resident and per-IP limits on quiz answers and submissions.

A person answers a paper (8 questions) in well over a minute; a script fires dozens of requests a
second. Past ANSWER_LIMIT_USER answers a minute (per resident, API and chat together) or
ANSWER_LIMIT_IP a minute (per IP, API), the request is refused with a polite message and nothing is
recorded. Without a state store the limit is not enforced (answering must not stop).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from app.services import rate_limits
from app.state_store import StateStore, StoreUnavailable

log = logging.getLogger(__name__)
WINDOW = 60
SLOW_DOWN = "您答得太快啦，请稍等一分钟再继续答题。"


def check_answer_pace(store: StateStore, openid: str, ip: str | None, config: Mapping[str, Any]) -> None:
    """Count one answer or submission; RateLimited (429 / a chat reply) past either limit."""
    try:
        rate_limits.hit(
            store, "answer-user", openid, int(config.get("ANSWER_LIMIT_USER", 30)), WINDOW, SLOW_DOWN
        )
        if ip:
            rate_limits.hit(
                store, "answer-ip", ip, int(config.get("ANSWER_LIMIT_IP", 600)), WINDOW, SLOW_DOWN
            )
    except StoreUnavailable:
        log.warning("state store unavailable: answer pace not counted")
