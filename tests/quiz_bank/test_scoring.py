"""Scoring rules for single, judge and multiple choice."""

import pytest

from quiz_bank.scoring import score


def test_single_choice(make_question):
    q = make_question("single")  # answer B
    assert score(q, "B", 10) == 10
    assert score(q, "A", 10) == 0
    assert score(q, "", 10) == 0


def test_judge(make_question):
    q = make_question("judge")  # answer 对
    assert score(q, "对", 10) == 10
    assert score(q, "错", 10) == 0


@pytest.mark.parametrize(
    ("given", "all_or_nothing", "partial"),
    [
        ("ABD", 20, 20),  # exactly right
        ("AB", 0, 10),  # correct subset: half
        ("D", 0, 10),
        ("ABCD", 0, 0),  # superset includes a wrong option
        ("AC", 0, 0),  # one right, one wrong
        ("C", 0, 0),
        ("", 0, 0),
    ],
)
def test_multiple_choice_rules(make_question, given, all_or_nothing, partial):
    q = make_question("multiple")  # answer ABD
    assert score(q, given, 20) == all_or_nothing
    assert score(q, given, 20, multiple_rule="all_or_nothing") == all_or_nothing
    assert score(q, given, 20, multiple_rule="partial") == partial


def test_partial_half_points_round_down(make_question):
    assert score(make_question("multiple"), "A", 15, multiple_rule="partial") == 7


def test_unknown_rule(make_question):
    with pytest.raises(ValueError, match="unknown multiple-choice rule 'generous'"):
        score(make_question("multiple"), "ABD", 20, multiple_rule="generous")
