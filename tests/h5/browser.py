"""Helpers for the H5 browser tests: a resident's phone in WeChat, and what the page sent it."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from tests.support.browser import PHONE, WECHAT_UA, artifact

# Keys that would give an answer away before submission.
KEY_WORDS = {"answer", "answer_key", "correct", "correct_answer", "explanation", "awarded", "source"}


def keys_in(value: Any) -> set[str]:
    if isinstance(value, dict):
        return set(value).union(*(keys_in(v) for v in value.values()))
    if isinstance(value, list):
        return set().union(*(keys_in(v) for v in value)) if value else set()
    return set()


@dataclass
class Traffic:
    """Every /api/v1 exchange the page made: (method, path, status, json body, request body)."""

    calls: list[tuple[str, str, int, Any, Any]] = field(default_factory=list)

    def watch(self, page) -> None:  # noqa: ANN001
        def seen(response) -> None:  # noqa: ANN001
            if "/api/v1/" not in response.url:
                return
            try:
                body = response.json()
            except Exception:  # noqa: BLE001 - not JSON: recorded as None
                body = None
            req = response.request
            try:
                sent = (
                    json.loads(req.post_data)
                    if req.post_data and "json" in (req.headers.get("content-type") or "")
                    else None
                )
            except ValueError:
                sent = None
            path = response.url.split("/api/v1", 1)[1]
            self.calls.append((req.method, path, response.status, body, sent))

        page.on("response", seen)

    def posts(self, fragment: str) -> list[tuple]:
        return [c for c in self.calls if c[0] == "POST" and fragment in c[1]]


def resident_phone(browser, site, openid: str):  # noqa: ANN001, ANN201
    """A phone in WeChat whose OAuth (the emulator's) answers as `openid`."""
    context = browser.new_context(**PHONE, user_agent=WECHAT_UA, locale="zh-CN", timezone_id="Asia/Shanghai")
    context.add_cookies([{"name": "emu_openid", "value": openid, "url": site.emu}])
    return context


def shot(page, name: str, *, full: bool = True) -> None:  # noqa: ANN001
    """A screenshot artifact: the whole page, or (full=False) what fits one phone screen (for the README)."""
    page.screenshot(path=str(artifact(name)), full_page=full)
