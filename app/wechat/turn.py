"""One delivery in two state-store round trips: claim + lock + dialog in, reply + dialog + unlock out.

The common case (a new message from a user with no other message in flight) takes the message's dedup claim,
the user's lock and reads the dialog in one atomic call, and stores the reply, the dialog and releases the
lock in another (StateStore.begin_turn / end_turn; one Lua script each on Redis). The uncommon cases (a retry
while the first delivery still runs, a user whose previous message still holds the lock) go the step-by-step
way: dedup.once and router.handle_message, which wait politely.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from app import redis_keys
from app.services import answer_pace
from app.state_store import StateStore, StoreUnavailable
from app.wechat import dedup
from wechat_handlers.dialog import dump_dialog, parse_dialog
from wechat_handlers.incoming import Incoming
from wechat_handlers.replies import Reply
from wechat_handlers.router import Router, handle_message, run_locked

log = logging.getLogger(__name__)


def handle_delivery(
    router: Router, msg: Incoming, store: StateStore, config: dict[str, Any], render: Callable[[Reply], str]
) -> tuple[str, bool]:
    """The rendered reply, and whether this delivery did the work (False: a retry got the first reply).

    Raises StoreUnavailable when the state store cannot be reached before anything was done."""
    claim = redis_keys.dedup(msg.dedup_key)
    lock = redis_keys.user_lock(msg.openid)
    dialog_key = redis_keys.dialog(msg.openid, int(config.get("DIALOG_TTL", 1800)))
    pace = answer_pace.user_counter(msg.openid)  # read now, counted with the reply if it was an answer
    status, token, raw, paced = store.begin_turn(claim, dedup.PENDING, lock, dialog_key, peek=pace)
    if status == "taken":
        if raw is not None and raw != dedup.PENDING:
            return raw, False  # a retry of an answered message: the same reply
        worked: list[bool] = []

        def produce() -> str:
            worked.append(True)
            return render(handle_message(router, msg, store, config))

        return dedup.once(store, msg.dedup_key, produce), bool(worked)  # wait for the first delivery
    if status == "busy":  # the message is ours, the user's previous message still runs: wait for its lock
        try:
            xml = render(handle_message(router, msg, store, config))
        except BaseException:
            store.delete(claim)
            raise
        store.set(claim, xml)
        return xml, True
    assert token is not None
    dialog = parse_dialog(raw)
    try:
        reply, save, count = run_locked(router, msg, store, config, dialog, {pace.name: paced})
        xml = render(reply)
    except BaseException:
        _abandon(store, claim, lock, token)  # let WeChat's retry do the work
        raise
    try:
        store.end_turn(claim, xml, lock, token, dialog_key, dump_dialog(dialog), keep=not save, count=count)
    except StoreUnavailable:  # the work is committed; the lock and claim expire by themselves
        log.warning("state store unavailable after handling %s: dialog not saved", msg.dedup_key)
    return xml, True


def _abandon(store: StateStore, claim: Any, lock: Any, token: str) -> None:
    try:
        store.delete(claim)
        store.release(lock, token)
    except StoreUnavailable:
        log.warning("could not drop claim and lock after a failure")
