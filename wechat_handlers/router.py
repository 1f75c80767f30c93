"""The conversation router: picks one handler per message, runs it under a per-user lock, commits once."""

from __future__ import annotations

import logging
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from app import clock, redis_keys
from app.errors import DomainError
from app.extensions import db
from app.redis_keys import Key
from app.services import outbox
from app.state_store import StateStore, StoreUnavailable, wait_acquire
from wechat_handlers import copy
from wechat_handlers.dialog import Dialog, load_dialog, save_dialog
from wechat_handlers.incoming import Incoming
from wechat_handlers.replies import Reply, Silent, Text, split_text

log = logging.getLogger(__name__)


@dataclass
class Context:
    """What a handler sees: the message, the user's dialog, the time, and where to put side effects."""

    msg: Incoming
    dialog: Dialog
    now: datetime
    store: StateStore
    config: dict[str, Any]
    after_commit: list[Callable[[], None]] = field(default_factory=list)
    router: Router | None = None
    # Read with the dialog in the same state-store call (key name -> value), and a counter to count with
    # the reply (app/wechat/turn.py); empty on the step-by-step path.
    peeked: dict[str, str | None] = field(default_factory=dict)
    count: Key | None = None

    def is_command(self) -> bool:
        """True when the text is a keyword or command of some handler (so a dialog can let it pass)."""
        return self.router is not None and self.router.is_command(self.text)

    @property
    def text(self) -> str:
        return normalize(self.msg.text)


# A handler returns a reply, or None to say "not mine" (routing then continues).
Handler = Callable[[Context], Reply | None]


def normalize(text: str) -> str:
    """Full-width to half-width, trimmed, lower-case, without trailing punctuation."""
    text = unicodedata.normalize("NFKC", text or "").strip().lower()
    return text.rstrip("。.!！?？~～ ")


class Router:
    """Routing order: fallbacks, the active dialog state, events, menu keys, keywords, type default."""

    def __init__(self) -> None:
        self.fallbacks: dict[str, Handler] = {}
        self.states: dict[str, Handler] = {}
        self.events: dict[str, Handler] = {}
        self.clicks: dict[str, Handler] = {}
        self.keywords: dict[str, Handler] = {}
        self.prefixes: list[tuple[str, Handler]] = []
        self.types: dict[str, Handler] = {}
        self.matchers: list[Handler] = []
        self.default: Handler | None = None

    # Registration -------------------------------------------------------------------------------
    def fallback(self, *words: str) -> Callable[[Handler], Handler]:
        return self._register(self.fallbacks, tuple(normalize(w) for w in words))

    def state(self, *names: str) -> Callable[[Handler], Handler]:
        return self._register(self.states, names)

    def event(self, *names: str) -> Callable[[Handler], Handler]:
        return self._register(self.events, names)

    def click(self, *keys: str) -> Callable[[Handler], Handler]:
        return self._register(self.clicks, keys)

    def keyword(self, *words: str, prefix: bool = False) -> Callable[[Handler], Handler]:
        def deco(fn: Handler) -> Handler:
            for w in words:
                if prefix:
                    self.prefixes.append((normalize(w), fn))
                else:
                    self.keywords[normalize(w)] = fn
            return fn

        return deco

    def type(self, *msg_types: str) -> Callable[[Handler], Handler]:
        return self._register(self.types, msg_types)

    def matcher(self, fn: Handler) -> Handler:
        """A free-text matcher tried after keywords (e.g. the knowledge base)."""
        self.matchers.append(fn)
        return fn

    def set_default(self, fn: Handler) -> Handler:
        self.default = fn
        return fn

    @staticmethod
    def _register(table: dict[str, Handler], names: tuple[str, ...]) -> Callable[[Handler], Handler]:
        def deco(fn: Handler) -> Handler:
            for n in names:
                table[n] = fn
            return fn

        return deco

    def is_command(self, text: str) -> bool:
        return bool(text) and (text in self.keywords or any(text.startswith(w) for w, _ in self.prefixes))

    # Dispatch -----------------------------------------------------------------------------------
    def candidates(self, ctx: Context) -> list[Handler]:
        msg, text = ctx.msg, ctx.text
        found: list[Handler | None] = []
        if msg.msg_type in ("text", "voice") and text in self.fallbacks:
            found.append(self.fallbacks[text])
        if ctx.dialog.state:
            found.append(self.states.get(ctx.dialog.state))
        if msg.msg_type == "event":
            if msg.event == "click":
                found.append(self.clicks.get(msg.event_key))
            found.append(self.events.get(msg.event))
        if msg.msg_type in ("text", "voice") and text:
            found.append(self.keywords.get(text))
            found.extend(fn for word, fn in self.prefixes if text.startswith(word))
            found.extend(self.matchers)
        found.append(self.types.get(msg.msg_type))
        found.append(self.default)
        return [h for h in found if h is not None]

    def dispatch(self, ctx: Context) -> Reply:
        for handler in self.candidates(ctx):
            reply = handler(ctx)
            if reply is not None:
                return reply
        return Text(copy.HELP)


def handle_message(router: Router, msg: Incoming, store: StateStore, config: dict[str, Any]) -> Reply:
    """Handle one message: lock the user, route, commit once, run after-commit work, save the dialog.

    The step-by-step path (several state-store round trips); app/wechat/turn.py does the same in two."""
    lock_key = redis_keys.user_lock(msg.openid)
    try:
        token = wait_acquire(store, lock_key, wait_s=3.0)
    except StoreUnavailable:
        log.warning("state store unavailable; message %s not handled", msg.dedup_key)
        return Text(copy.RETRY_LATER)
    if token is None:
        return Text(copy.BUSY)
    try:
        dialog = load_dialog(store, msg.openid)
        reply, save, _ = run_locked(router, msg, store, config, dialog)
        if save:
            save_dialog(store, msg.openid, dialog, int(config.get("DIALOG_TTL", 1800)))
        return reply
    except StoreUnavailable:
        log.warning("state store unavailable while handling %s", msg.dedup_key)
        return Text(copy.RETRY_LATER)
    finally:
        try:
            store.release(lock_key, token)
        except StoreUnavailable:
            log.warning("could not release user lock for message %s", msg.dedup_key)


def run_locked(
    router: Router,
    msg: Incoming,
    store: StateStore,
    config: dict[str, Any],
    dialog: Dialog,
    peeked: dict[str, str | None] | None = None,
) -> tuple[Reply, bool, Key | None]:
    """Route one message of a locked user whose dialog is loaded; commit once; run after-commit work.

    Returns the reply, whether the dialog changed and must be saved (never after a failure), and the counter
    the handler asked to count with the reply (see Context.peeked)."""
    ctx = Context(msg=msg, dialog=dialog, now=clock.now(), store=store, config=config, router=router)
    ctx.peeked = peeked or {}
    try:
        reply = router.dispatch(ctx)
        reply = _fit(reply, msg, ctx.now)
        if db.session().in_transaction():  # a message that touched no table has nothing to commit
            db.session.commit()
    except DomainError as exc:
        db.session.rollback()
        return Text(exc.message), False, ctx.count
    except StoreUnavailable:
        db.session.rollback()
        log.warning("state store unavailable while handling %s", msg.dedup_key)
        return Text(copy.RETRY_LATER), False, None
    except Exception:
        db.session.rollback()
        log.exception("handler failed for message %s", msg.dedup_key)
        return Text(copy.SORRY), False, None
    for work in ctx.after_commit:
        try:
            work()
        except Exception:
            log.exception("after-commit work failed for message %s", msg.dedup_key)
    return reply, ctx.dialog.changed, ctx.count


def _fit(reply: Reply, msg: Incoming, now: datetime) -> Reply:
    """Keep the passive reply under the byte limit; the rest goes out as customer-service messages."""
    if not isinstance(reply, Text):
        return reply
    parts = split_text(reply.text)
    for i, part in enumerate(parts[1:], start=1):
        outbox.enqueue_wechat_text(msg.openid, part, key=f"overflow:{msg.dedup_key}:{i}", now=now)
    return Text(parts[0]) if parts else Silent()
