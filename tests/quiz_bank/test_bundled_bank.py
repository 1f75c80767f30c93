"""The bank shipped in quiz_bank/data is complete and passes every rule."""

from collections import Counter

from quiz_bank.loader import load_bank
from quiz_bank.schema import QuestionType
from quiz_bank.validator import validate_dir


def test_bundled_bank_is_large_enough_and_valid():
    issues = validate_dir()
    assert issues == [], "\n".join(str(issue) for issue in issues[:50])
    counts = Counter(q.type for q in load_bank())
    assert counts[QuestionType.SINGLE] >= 90
    assert counts[QuestionType.JUDGE] >= 80
    assert counts[QuestionType.MULTIPLE] >= 70
