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

from app.errors import RateLimited
from app.redis_keys import Key
from app.services import rate_limits
from app.state_store import StateStore, StoreUnavailable

log = logging.getLogger(__name__)
WINDOW = 60
SLOW_DOWN = "您答得太快啦，请稍等一分钟再继续答题。"


def check_answer_pace(store: StateStore, openid: str, ip: str | None, config: Mapping[str, Any]) -> None:
    """Count one answer or submission; RateLimited (429 / a chat reply) past either limit.

    Both counters are counted in one round trip (each counts the attempt either way)."""
    hits = [("answer-user", openid, int(config.get("ANSWER_LIMIT_USER", 30)), WINDOW)]
    if ip:
        hits.append(("answer-ip", ip, int(config.get("ANSWER_LIMIT_IP", 600)), WINDOW))
    try:
        rate_limits.hit_all(store, hits, SLOW_DOWN)
    except StoreUnavailable:
        log.warning("state store unavailable: answer pace not counted")


def user_counter(openid: str) -> Key:
    """The per-resident answer counter (the chat reads it with the dialog and counts it with the reply)."""
    return rate_limits.counter("answer-user", openid, WINDOW)


def check_counted(count_before: int, config: Mapping[str, Any]) -> None:
    """The per-resident limit for a count read beforehand (this answer is counted by the caller either way)."""
    if count_before + 1 > int(config.get("ANSWER_LIMIT_USER", 30)):
        raise RateLimited(SLOW_DOWN)
