"""Handle each WeChat message once: WeChat retries an unanswered message 3 times."""

from __future__ import annotations

import time
from collections.abc import Callable

from app import redis_keys
from app.state_store import StateStore

PENDING = "\x00pending"


def once(store: StateStore, message_key: str, produce: Callable[[], str], wait_s: float = 4.0) -> str:
    """Run `produce` for the first delivery only; a retry gets the first delivery's reply.

    The claim is SET NX on the message key. A retry that arrives while the first delivery is still
    being handled waits for its reply (up to wait_s), then answers 'success' rather than working twice.
    If the first delivery crashed (its claim was dropped), the retry takes the claim and does the work.
    """
    key = redis_keys.dedup(message_key)
    deadline = time.monotonic() + wait_s
    while True:
        if store.claim(key, PENDING):
            try:
                reply = produce()
            except BaseException:
                store.delete(key)  # let WeChat's retry try again
                raise
            store.set(key, reply)
            return reply
        value = store.get(key)
        if value is not None and value != PENDING:
            return value
        if time.monotonic() >= deadline:
            return "success"
        time.sleep(0.05)
