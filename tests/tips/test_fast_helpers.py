"""The cheap helpers on the filing path do exactly what the slow ones did: control characters out (Unicode's Cc
and Cs, newline and tab stay), receipt codes drawn evenly from the whole alphabet."""

from __future__ import annotations

import unicodedata
from collections import Counter

from app.services import receipts, tips


def test_plain_matches_unicode_categories_for_every_code_point():
    every = "".join(chr(i) for i in range(0x110000))
    expected = "".join(ch for ch in every if ch in "\n\t" or unicodedata.category(ch) not in ("Cc", "Cs"))
    assert tips._plain(every) == expected


def test_story_keeps_lines_and_loses_escapes():
    assert tips.clean_story("第一行\r\n第二行\t\x1b[31m红\x00\x85\ud800") == "第一行\n第二行\t[31m红"


def test_receipt_codes_are_well_formed_and_even():
    seen: Counter[str] = Counter()
    for _ in range(6000):
        code = receipts.new_receipt()
        assert receipts.normalize_receipt(code) == code
        seen.update(code[3:].replace("-", ""))
    assert set(seen) == set(receipts.ALPHABET)  # 60,000 characters, 2,000 expected each
    assert 1700 < min(seen.values()) and max(seen.values()) < 2300
