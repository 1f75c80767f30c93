"""Read the answer a resident typed on a phone into the bank's normal form (sorted letters, or 对/错)."""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence

from quiz_bank.schema import QuestionType

HINT_LETTER = "请回复选项字母，如 B"
HINT_LETTERS = "请回复选项字母，如 AC"
HINT_ONE_LETTER = "单选题只能选一个答案，请回复一个字母，如 B"
HINT_TWO_OR_MORE = "多选题请回复两个或以上字母，如 AC"
HINT_JUDGE = "请回复“对”或“错”"

# Lead-ins people type before the answer itself ("答案：B", "我选AC"); longest first.
_PREFIXES = (
    "我的答案是",
    "我的答案",
    "答案是",
    "答案为",
    "我选择",
    "答案",
    "我选",
    "选择",
    "选项",
    "选",
    "答",
)
_SUFFIXES = ("选项", "项")
_JOINERS = str.maketrans("", "", "和与及跟")
# Categories dropped before reading: separators, punctuation, control/format, combining marks.
_NOISE = frozenset("ZPCM")

_JUDGE_WORDS: dict[str, str] = {
    **dict.fromkeys(
        ("对", "√", "✓", "✔", "☑", "✅", "正确", "对的", "是", "是的", "t", "true", "y", "yes"), "对"
    ),
    **dict.fromkeys(
        ("错", "×", "✗", "✘", "✕", "❌", "x", "错误", "错的", "不对", "否", "不是", "f", "false", "n", "no"),
        "错",
    ),
}


class InvalidAnswer(ValueError):
    """An answer that cannot be read; `hint` is the Chinese line to send back to the resident."""

    def __init__(self, hint: str) -> None:
        super().__init__(hint)
        self.hint = hint


def _clean(text: str, drop: frozenset[str]) -> str:
    text = unicodedata.normalize("NFKC", text)
    return "".join(ch for ch in text if unicodedata.category(ch)[0] not in drop)


def _strip_lead_ins(text: str) -> str:
    changed = True
    while changed:
        changed = False
        for prefix in _PREFIXES:
            if text.startswith(prefix) and len(text) > len(prefix):
                text, changed = text[len(prefix) :], True
                break
    for suffix in _SUFFIXES:
        if text.endswith(suffix) and len(text) > len(suffix):
            text = text[: -len(suffix)]
    return text


def _key_range(keys: Sequence[str]) -> str:
    ordered = sorted(keys)
    contiguous = [ord(k) for k in ordered] == list(range(ord(ordered[0]), ord(ordered[0]) + len(ordered)))
    return f"{ordered[0]}–{ordered[-1]}" if contiguous and len(ordered) > 2 else "、".join(ordered)


def parse_judge(text: str) -> str:
    """对 or 错 from 对/错, √/×, ✓/✗, 正确/错误, 是/否, T/F, true/false, Y/N, with punctuation around."""
    word = _strip_lead_ins(_clean(text, _NOISE).casefold())
    try:
        return _JUDGE_WORDS[word]
    except KeyError:
        raise InvalidAnswer(HINT_JUDGE) from None


def parse_letters(text: str) -> str:
    """Sorted unique uppercase letters from "b", "Ｂ", "a，c", "A、C", "选B", "答案：AC".

    Raises InvalidAnswer when anything but letters, separators and lead-ins is left.
    """
    letters = _strip_lead_ins(_clean(text, _NOISE | {"S"}).upper()).translate(_JOINERS)
    if not letters or not all("A" <= ch <= "Z" for ch in letters):
        raise InvalidAnswer(HINT_LETTER)
    return "".join(sorted(set(letters)))


def parse_answer(qtype: QuestionType, text: str, option_keys: Sequence[str]) -> str:
    """The normalised answer: sorted unique letters for choices, "对"/"错" for judge.

    Single choice takes exactly one letter, multiple choice two or more; every letter must be one of
    `option_keys`. Anything else raises InvalidAnswer with a hint in Chinese.
    """
    if qtype is QuestionType.JUDGE:
        return parse_judge(text)
    try:
        letters = parse_letters(text)
    except InvalidAnswer:
        raise InvalidAnswer(HINT_LETTER if qtype is QuestionType.SINGLE else HINT_LETTERS) from None
    keys = [k.upper() for k in option_keys]
    if not keys:
        raise InvalidAnswer(HINT_LETTER)
    if any(ch not in keys for ch in letters):
        example = "B" if qtype is QuestionType.SINGLE else "AC"
        raise InvalidAnswer(f"选项只有 {_key_range(keys)}，请回复其中的字母，如 {example}")
    if qtype is QuestionType.SINGLE and len(letters) != 1:
        raise InvalidAnswer(HINT_ONE_LETTER)
    if qtype is QuestionType.MULTIPLE and len(letters) < 2:
        raise InvalidAnswer(HINT_TWO_OR_MORE)
    return letters
