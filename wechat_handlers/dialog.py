"""Per-user dialog state (state name + draft data) in the state store, with a TTL."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from app import redis_keys
from app.state_store import StateStore


@dataclass
class Dialog:
    state: str | None = None
    data: dict[str, Any] = field(default_factory=dict)
    changed: bool = False

    def enter(self, state: str, **data: Any) -> None:
        """Move to a state, merging draft data."""
        self.state = state
        self.data.update(data)
        self.changed = True

    def update(self, **data: Any) -> None:
        self.data.update(data)
        self.changed = True

    def clear(self) -> None:
        """Leave any dialog and discard its draft."""
        self.state, self.data, self.changed = None, {}, True


def parse_dialog(raw: str | None) -> Dialog:
    """A stored dialog; a missing or unreadable one is an empty dialog."""
    if not raw:
        return Dialog()
    try:
        value = json.loads(raw)
        return Dialog(state=value.get("state"), data=value.get("data") or {})
    except (ValueError, AttributeError):
        return Dialog()


def dump_dialog(dialog: Dialog) -> str | None:
    """The stored form of a dialog; None for an empty one (the key is deleted)."""
    if dialog.state is None and not dialog.data:
        return None
    return json.dumps({"state": dialog.state, "data": dialog.data}, ensure_ascii=False)


def load_dialog(store: StateStore, openid: str) -> Dialog:
    return parse_dialog(store.get(redis_keys.dialog(openid)))


def save_dialog(store: StateStore, openid: str, dialog: Dialog, ttl: int) -> None:
    key = redis_keys.dialog(openid, ttl)
    value = dump_dialog(dialog)
    if value is None:
        store.delete(key)
    else:
        store.set(key, value, ttl)
