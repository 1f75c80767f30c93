"""Reply values returned by handlers; the web layer renders them to XML."""

from __future__ import annotations

from dataclasses import dataclass, field

MAX_REPLY_BYTES = 2000  # WeChat's passive text reply limit is 2,048 bytes; we keep a margin.
_MORE = "\n……（内容较长，其余部分稍后发送）"


@dataclass(frozen=True)
class Text:
    text: str


@dataclass(frozen=True)
class Article:
    title: str
    description: str = ""
    url: str = ""
    image: str = ""


@dataclass(frozen=True)
class News:
    articles: tuple[Article, ...] = field(default_factory=tuple)


@dataclass(frozen=True)
class Silent:
    """No reply (WeChat gets 'success')."""


Reply = Text | News | Silent


def split_text(text: str, limit: int = MAX_REPLY_BYTES) -> list[str]:
    """Split text into parts of at most `limit` UTF-8 bytes, at line breaks where possible.

    The first part leaves room for a note that the rest follows (sent as customer-service messages).
    """
    if len(text.encode()) <= limit:
        return [text]
    text = text.strip()  # a blank head would be dropped below, leaving a first part without room for the note
    if len(text.encode()) <= limit:
        return [text] if text else []
    parts: list[str] = []
    budget = limit - len(_MORE.encode())
    current = ""
    for line in text.splitlines(keepends=True):
        while len(line.encode()) > budget:  # a single over-long line: cut by characters
            head = _cut(line, budget - len(current.encode()))
            if current or head:
                parts.append(current + head)
            current, line = "", line[len(head) :]
            budget = limit
        if len((current + line).encode()) > budget:
            parts.append(current)
            current, budget = "", limit
        current += line
    if current:
        parts.append(current)
    parts = [p.rstrip("\n") for p in parts if p.strip()]
    parts[0] = parts[0] + _MORE
    return parts


def _cut(text: str, max_bytes: int) -> str:
    out = text.encode()[: max(0, max_bytes)]
    return out.decode("utf-8", errors="ignore")
