"""Named source documents bundled with the bank, and the verbatim-quote check against them."""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

SOURCES_DIR = Path(__file__).parent / "sources"

# doc key -> (file name, human title)
DOCUMENTS: dict[str, tuple[str, str]] = {
    "regulation-737": ("regulation-737.txt", "《防范和处置非法集资条例》（国务院令第737号）"),
    "haidian-2021": ("haidian-2021.txt", "《2021年海淀区防范非法集资宣传教育工作方案》"),
    "lingyuan-2021": ("lingyuan-2021.txt", "《凌源市2021年防范非法集资宣传月活动方案》"),
}

_WS = re.compile(r"\s+")
_ARTICLE = re.compile(r"^第([一二三四五六七八九十]+)条", re.M)
_CN_DIGITS = {"一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}


def _squash(text: str) -> str:
    """Drop all whitespace: the seed notices carry line-wrap spaces from PDF extraction."""
    return _WS.sub("", text)


@cache
def document_text(doc: str) -> str:
    """The raw text of a bundled source document (KeyError for an unknown doc key)."""
    file_name, _title = DOCUMENTS[doc]
    return (SOURCES_DIR / file_name).read_text(encoding="utf-8")


@cache
def _squashed(doc: str) -> str:
    return _squash(document_text(doc))


def cn_number(text: str) -> int:
    """Convert a Chinese numeral up to 99 (e.g. 三十九) to int."""
    if text.startswith("十"):
        text = "一" + text
    if "十" in text:
        tens, _, ones = text.partition("十")
        return _CN_DIGITS[tens] * 10 + (_CN_DIGITS[ones] if ones else 0)
    return _CN_DIGITS[text]


@cache
def regulation_articles() -> dict[int, str]:
    """Article number -> full article text (all its paragraphs) of Decree 737."""
    text = document_text("regulation-737")
    matches = list(_ARTICLE.finditer(text))
    articles: dict[int, str] = {}
    for i, m in enumerate(matches):
        end = matches[i + 1].start() if i + 1 < len(matches) else len(text)
        body = text[m.start() : end]
        body = re.split(r"\n第[一二三四五]章", body)[0]
        articles[cn_number(m.group(1))] = body.strip()
    return articles


def quote_found(doc: str, quote: str, article: int | None = None) -> bool:
    """True when `quote` appears verbatim (ignoring whitespace) in the doc, or in that article."""
    needle = _squash(quote)
    if not needle:
        return False
    if doc == "regulation-737" and article is not None:
        body = regulation_articles().get(article)
        return body is not None and needle in _squash(body)
    return needle in _squashed(doc)
