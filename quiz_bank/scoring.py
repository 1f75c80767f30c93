"""Points for one answered question."""

from __future__ import annotations

from quiz_bank.schema import Question, QuestionType

MULTIPLE_RULES = ("all_or_nothing", "partial")


def score(
    question: Question, original_answer: str, points: int, multiple_rule: str = "all_or_nothing"
) -> int:
    """Points earned for an answer given in the bank's own keys (see composer.to_original).

    Single choice and judge: full points for the correct answer, else 0. Multiple choice under
    "all_or_nothing": full points only for exactly the correct set of letters. Under "partial": the exact
    set earns full points; a non-empty subset of the correct letters with no wrong letter earns half the
    points (rounded down); any wrong letter, or no answer, earns 0.
    """
    if multiple_rule not in MULTIPLE_RULES:
        raise ValueError(
            f"unknown multiple-choice rule {multiple_rule!r} (expected {' or '.join(MULTIPLE_RULES)})"
        )
    answer = original_answer.strip()
    if question.type is not QuestionType.MULTIPLE:
        return points if answer == question.answer else 0
    given = frozenset(answer)
    correct = question.answer_keys
    if given == correct:
        return points
    if multiple_rule == "partial" and given and given < correct:
        return points // 2
    return 0
