"""Structured JSON logs: one object per line with the request id and WeChat MsgId, no personal data.

Code never logs names, phone numbers or openids on purpose; as a second line of defence every record is
scrubbed of the current resident's openid, anything shaped like a WeChat openid, and mainland mobile numbers.
"""

from __future__ import annotations

import json
import logging
import re
import sys
import time
from typing import Any

from flask import g, has_request_context

_PHONE = re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)")
_OPENID = re.compile(r"\bo[A-Za-z0-9_-]{27}\b")  # WeChat openids: 28 characters starting with "o"
_HANDLER_MARK = "_fangfei_json"


def request_fields() -> dict[str, Any]:
    """request_id and msg_id of the request being handled (empty outside a request)."""
    if not has_request_context():
        return {}
    found = {"request_id": g.get("request_id")}
    if g.get("wechat_msg_id"):
        found["msg_id"] = g.wechat_msg_id
    return {k: v for k, v in found.items() if v}


def scrub(text: str) -> str:
    """Remove the current resident's openid, openid-shaped strings and phone numbers."""
    if has_request_context():
        openid = g.get("wechat_openid")
        if openid:
            text = text.replace(openid, "<openid>")
    text = _OPENID.sub("<openid>", text)
    return _PHONE.sub("<phone>", text)


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        ms = int(record.msecs)
        entry: dict[str, Any] = {
            "ts": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created)) + f".{ms:03d}Z",
            "level": record.levelname,
            "logger": record.name,
            "message": scrub(record.getMessage()),
            **request_fields(),
        }
        extra = getattr(record, "fields", None)
        if isinstance(extra, dict):
            entry.update(extra)
        if record.exc_info:
            entry["exc"] = scrub(self.formatException(record.exc_info))
        return json.dumps(entry, ensure_ascii=False, default=str)


class ScrubbingFormatter(logging.Formatter):
    """The plain-text format for development, with the same scrubbing and ids."""

    def format(self, record: logging.LogRecord) -> str:
        ids = " ".join(f"{k}={v}" for k, v in request_fields().items())
        line = scrub(super().format(record))
        return f"{line} [{ids}]" if ids else line


def configure(level: str, fmt: str) -> None:
    """Install one stderr handler on the root logger (json or text); idempotent across create_app calls."""
    root = logging.getLogger()
    root.setLevel(level)
    for handler in root.handlers:
        if getattr(handler, _HANDLER_MARK, None) is not None:
            handler.setFormatter(_formatter(fmt))
            return
    handler = logging.StreamHandler(sys.stderr)
    setattr(handler, _HANDLER_MARK, True)
    handler.setFormatter(_formatter(fmt))
    root.addHandler(handler)
    for other in list(root.handlers):  # basicConfig's unscrubbed handler would print everything twice
        if other is not handler and getattr(other, _HANDLER_MARK, None) is None and _is_stderr(other):
            root.removeHandler(other)


def _formatter(fmt: str) -> logging.Formatter:
    if fmt == "json":
        return JsonFormatter()
    return ScrubbingFormatter("%(asctime)s %(levelname)s %(name)s %(message)s")


def _is_stderr(handler: logging.Handler) -> bool:
    return type(handler) is logging.StreamHandler and getattr(handler, "stream", None) in (
        sys.stderr,
        sys.stdout,
    )
