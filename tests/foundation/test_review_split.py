"""Review: split_text edge cases (limit exactly, one long line, blank text, multi-byte boundaries)."""

from __future__ import annotations

import pytest

from wechat_handlers.replies import MAX_REPLY_BYTES, split_text


def _sizes_ok(parts: list[str]) -> bool:
    return all(len(p.encode()) <= MAX_REPLY_BYTES for p in parts)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "a" * MAX_REPLY_BYTES,
        "中" * (MAX_REPLY_BYTES // 3),
        "a" * (MAX_REPLY_BYTES + 1),
        "中" * 5000,  # one very long line of 3-byte characters
        "😀" * 1000,  # 4-byte characters
        "x\n" + "中" * 5000,
    ],
)
def test_parts_fit_and_nothing_is_lost(text):
    parts = split_text(text)
    assert parts and _sizes_ok(parts)
    assert "".join(parts).count("中") == text.count("中") and "".join(parts).count("😀") == text.count("😀")


@pytest.mark.parametrize("text", [" " * 3000, "\n" * 3000, " \n" * 1500])
def test_long_blank_text_does_not_crash(text):
    parts = split_text(text)  # was IndexError: nothing to send, and the router answers Silent for []
    assert _sizes_ok(parts)


def test_first_part_fits_even_after_leading_blank_lines():
    text = " " * 1990 + "\n" + "a" * 1999 + "\n" + "b" * 100
    parts = split_text(text)
    assert _sizes_ok(parts), [len(p.encode()) for p in parts]
    assert "".join(parts).count("a") == 1999 and "b" * 100 in "".join(parts)
