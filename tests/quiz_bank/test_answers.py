"""Reading answers typed on phones."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from quiz_bank.answers import (
    HINT_JUDGE,
    HINT_LETTER,
    HINT_LETTERS,
    HINT_ONE_LETTER,
    HINT_TWO_OR_MORE,
    InvalidAnswer,
    parse_answer,
)
from quiz_bank.schema import QuestionType

SINGLE, JUDGE, MULTIPLE = QuestionType.SINGLE, QuestionType.JUDGE, QuestionType.MULTIPLE
ABCD = ("A", "B", "C", "D")
ABCDE = ("A", "B", "C", "D", "E")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("b", "B"),
        ("B", "B"),
        ("Ｂ", "B"),
        ("ｂ", "B"),
        (" B ", "B"),
        ("B。", "B"),
        ("选B", "B"),
        ("选 b", "B"),
        ("答案：B", "B"),
        ("答案:B", "B"),
        ("答案是B", "B"),
        ("我选B", "B"),
        ("B选项", "B"),
        ("“B”", "B"),
        ("BB", "B"),
        ("d\u200b", "D"),
    ],
)
def test_single_choice(text, expected):
    assert parse_answer(SINGLE, text, ABCD) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("AC", "AC"),
        ("CA", "AC"),
        ("ac", "AC"),
        ("A C", "AC"),
        ("a,c", "AC"),
        ("a，c", "AC"),
        ("A、C", "AC"),
        ("A；C", "AC"),
        ("ac。", "AC"),
        ("ＡＣ", "AC"),
        ("A和C", "AC"),
        ("答案：ABD", "ABD"),
        ("选ADB", "ABD"),
        ("e a", "AE"),
        ("ABCDE", "ABCDE"),
        ("A\nC", "AC"),
    ],
)
def test_multiple_choice(text, expected):
    assert parse_answer(MULTIPLE, text, ABCDE) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("对", "对"),
        ("错", "错"),
        ("√", "对"),
        ("×", "错"),
        ("✓", "对"),
        ("✗", "错"),
        ("✔", "对"),
        ("✘", "错"),
        ("✔️", "对"),
        ("正确", "对"),
        ("错误", "错"),
        ("是", "对"),
        ("否", "错"),
        ("T", "对"),
        ("f", "错"),
        ("true", "对"),
        ("FALSE", "错"),
        ("Y", "对"),
        ("n", "错"),
        ("Ｔ", "对"),
        (" 对。", "对"),
        ("“错”！", "错"),
        ("答案：对", "对"),
        ("不对", "错"),
    ],
)
def test_judge(text, expected):
    assert parse_answer(JUDGE, text, ("对", "错")) == expected


@pytest.mark.parametrize(
    ("qtype", "text", "keys", "hint"),
    [
        (SINGLE, "", ABCD, HINT_LETTER),
        (SINGLE, "不知道", ABCD, HINT_LETTER),
        (SINGLE, "B2", ABCD, HINT_LETTER),
        (SINGLE, "AC", ABCD, HINT_ONE_LETTER),
        (SINGLE, "a c", ABCD, HINT_ONE_LETTER),
        (SINGLE, "E", ABCD, "选项只有 A–D，请回复其中的字母，如 B"),
        (MULTIPLE, "ABF", ABCDE, "选项只有 A–E，请回复其中的字母，如 AC"),
        (MULTIPLE, "A", ABCD, HINT_TWO_OR_MORE),
        (MULTIPLE, "选A。", ABCD, HINT_TWO_OR_MORE),
        (MULTIPLE, "???", ABCD, HINT_LETTERS),
        (JUDGE, "", (), HINT_JUDGE),
        (JUDGE, "对错", (), HINT_JUDGE),
        (JUDGE, "A", (), HINT_JUDGE),
        (JUDGE, "不知道", (), HINT_JUDGE),
    ],
)
def test_invalid_answers_carry_a_chinese_hint(qtype, text, keys, hint):
    with pytest.raises(InvalidAnswer) as caught:
        parse_answer(qtype, text, keys)
    assert caught.value.hint == hint
    assert str(caught.value) == hint
    assert isinstance(caught.value, ValueError)


def test_hints_read_as_documented():
    assert HINT_LETTER == "请回复选项字母，如 B"
    assert HINT_TWO_OR_MORE == "多选题请回复两个或以上字母，如 AC"
    assert HINT_JUDGE == "请回复“对”或“错”"


@given(qtype=st.sampled_from(list(QuestionType)), text=st.text(max_size=30))
def test_parse_raises_nothing_but_invalid_answer(qtype, text):
    keys = ("对", "错") if qtype is JUDGE else ABCDE
    try:
        result = parse_answer(qtype, text, keys)
    except InvalidAnswer as exc:
        assert exc.hint
    else:
        if qtype is JUDGE:
            assert result in ("对", "错")
        else:
            assert result == "".join(sorted(set(result))) and set(result) <= set(keys)
            assert len(result) == 1 if qtype is SINGLE else len(result) >= 2


@given(
    letters=st.sets(st.sampled_from(ABCDE), min_size=2), sep=st.sampled_from(["", " ", ",", "，", "、", "；"])
)
def test_any_separator_and_order_is_accepted(letters, sep):
    text = sep.join(reversed(sorted(letters))).lower()
    assert parse_answer(MULTIPLE, text, ABCDE) == "".join(sorted(letters))
