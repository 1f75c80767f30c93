"""Validator: one failing fixture per rule, cross-item checks, data directories, speed."""

import json
import random
import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from quiz_bank.sources import document_text
from quiz_bank.validator import Issue, _bigrams, _similar_pairs, check_question, validate, validate_dir

from .samples import MORE, VALID

NEAR_A = "根据条例，非法集资是指向不特定对象吸收资金并许诺还本付息的行为（  ）。"
NEAR_B = "根据条例，非法集资是指向不特定对象吸收资金并承诺还本付息的行为"
FIVE = {"A": "甲", "B": "乙", "C": "丙", "D": "丁", "E": "戊"}

# (question type, overrides, expected message fragment): each breaks exactly one rule.
RULE_VIOLATIONS = [
    ("single", {"id": ""}, "id is empty"),
    ("single", {"id": "J001"}, "id 'J001' must be 'S' + 3 digits"),
    ("judge", {"id": "J01"}, "id 'J01' must be 'J' + 3 digits"),
    ("multiple", {"id": "M0001"}, "must be 'M' + 3 digits"),
    ("single", {"stem": "  "}, "stem is empty"),
    ("single", {"stem": "非" * 121}, "stem is 121 characters (max 120)"),
    ("single", {"explanation": ""}, "explanation is empty"),
    ("single", {"explanation": "条" * 81}, "explanation is 81 characters (max 80)"),
    ("judge", {"stem": "参与非法集资的损失由谁承担？"}, "judge stem must be a statement"),
    ("single", {"tags": []}, "needs 1-3 tags, has 0"),
    ("single", {"tags": ["定义", "防范", "处置", "举报"]}, "needs 1-3 tags, has 4"),
    ("single", {"tags": ["定义", " "]}, "a tag is empty"),
    ("single", {"tags": ["一个特别特别特别长的标签"]}, "longer than 10 characters"),
    ("single", {"tags": ["定义", "定义"]}, "tags repeat"),
    ("single", {"status": "deleted"}, "status must be 'active' or 'retired'"),
    ("single", {"options": {**FIVE}}, "single choice needs exactly options A-D, has A, B, C, D, E"),
    ("single", {"options": {"A": "甲", "B": "乙", "C": "丙"}}, "needs exactly options A-D, has A, B, C"),
    ("single", {"options": {"A": "甲", "B": "乙", "C": "丙", "E": "戊"}}, "needs exactly options A-D"),
    ("multiple", {"options": {"A": "甲", "B": "乙", "D": "丁"}}, "multiple choice needs options A-D or A-E"),
    ("multiple", {"options": {"A": "甲", "B": "乙", "C": "丙", "E": "戊"}}, "needs options A-D or A-E"),
    ("multiple", {"options": {**FIVE, "F": "己"}}, "needs options A-D or A-E, has A, B, C, D, E, F"),
    ("single", {"options": {"A": "甲", "B": "", "C": "丙", "D": "丁"}}, "option B is empty"),
    ("single", {"options": {"A": "甲" * 41, "B": "乙", "C": "丙", "D": "丁"}}, "option A is 41 characters"),
    (
        "single",
        {"options": {"A": "甲", "B": "乙。", "C": "丙", "D": "乙"}},
        "options B and D have the same text",
    ),
    ("single", {"answer": ""}, "answer is empty"),
    ("single", {"answer": "BC"}, "single choice answer must be one letter"),
    ("single", {"answer": "E"}, "answer E is not among the options (A, B, C, D)"),
    ("single", {"answer": "b"}, "answer b is not among the options"),
    ("multiple", {"answer": "A"}, "multiple choice answer needs at least 2 letters"),
    ("multiple", {"answer": "DAB"}, "alphabetical order without repeats"),
    ("multiple", {"answer": "AAB"}, "alphabetical order without repeats"),
    ("multiple", {"answer": "ABE"}, "answer E is not among the options"),
    ("judge", {"options": {"A": "对", "B": "错"}}, "judge options must be empty"),
    ("judge", {"answer": "是"}, "judge answer must be '对' or '错'"),
    ("single", {"source": {"doc": "regulation-738", "article": 2}}, "unknown source doc 'regulation-738'"),
    ("single", {"source": {"doc": "other"}, "quote": None}, "source 'other' needs a 'title'"),
    ("single", {"source": {"doc": "regulation-737"}}, "needs 'article' 1-40, got None"),
    ("single", {"source": {"doc": "regulation-737", "article": 41}}, "needs 'article' 1-40, got 41"),
    ("single", {"source": {"doc": "regulation-737", "article": 0}}, "needs 'article' 1-40, got 0"),
    ("single", {"quote": None}, "quote is required for source regulation-737"),
    ("judge", {"source": {"doc": "haidian-2021"}, "quote": ""}, "quote is required for source haidian-2021"),
    ("single", {"quote": "向特定对象吸收资金的行为"}, "quote is not found verbatim in article 2"),
    ("single", {"source": {"doc": "regulation-737", "article": 3}}, "not found verbatim in article 3"),
    ("judge", {"source": {"doc": "lingyuan-2021"}}, "not found verbatim in lingyuan-2021"),
]


@pytest.mark.parametrize(("type_", "overrides", "fragment"), RULE_VIOLATIONS, ids=lambda v: str(v)[:40])
def test_each_rule_is_caught(make_question, type_, overrides, fragment):
    q = make_question(type_, **overrides)
    problems = check_question(q)
    assert any(fragment in p for p in problems), problems
    issues = validate([(f"{type_}.json", q)])
    assert [i.item for i in issues] == [q.id or "(no id)"] * len(issues)


def test_valid_sample_bank_has_no_issues(sample_bank):
    assert validate([(f"{q.type}.json", q) for q in sample_bank]) == []


def test_quote_whitespace_is_ignored(make_question):
    q = make_question("single", quote="向不特定 对象\n吸收资金的行为")
    assert check_question(q) == []


def test_other_source_needs_no_quote(make_question):
    q = make_question("single", source={"doc": "other", "title": "《刑法》第一百七十六条"}, quote=None)
    assert check_question(q) == []


def test_duplicate_id_names_the_first_file(make_question):
    a = make_question("single")
    b = make_question("single", stem="集资参与人的损失由（  ）承担。")
    assert validate([("single.json", a), ("other.json", b)]) == [
        Issue("other.json", "S001", "duplicate id (first used in single.json)")
    ]


def test_question_in_the_wrong_file(make_question):
    q = make_question("judge")
    assert validate([("single.json", q)]) == [
        Issue("single.json", "J001", "a judge question does not belong in single.json")
    ]


def test_identical_stems_after_normalising(make_question):
    a = make_question("single", stem="非法集资是向（  ）吸收资金的行为。")
    b = make_question("single", id="S002", stem="非法集资是向____吸收资金的行为")
    c = make_question("judge", id="J009", stem="非法集资 是向吸收资金的行为！")
    issues = validate([("single.json", a), ("single.json", b), ("judge.json", c)])
    assert [(i.item, i.message) for i in issues] == [
        ("S002", "stem duplicates S001"),
        ("J009", "stem duplicates S001"),
    ]


def test_near_duplicates_report_both_ids(make_question):
    a = make_question("single", stem=NEAR_A)
    b = make_question("single", id="S002", stem=NEAR_B + "（  ）。")
    issues = validate([("single.json", a), ("single.json", b)])
    assert len(issues) == 1
    assert issues[0].item == "S002"
    assert "near-duplicate of S001" in issues[0].message


def test_near_duplicates_only_within_a_type(make_question):
    a = make_question("single", stem=NEAR_A)
    b = make_question("judge", id="J002", stem=NEAR_B + "。")
    assert validate([("single.json", a), ("judge.json", b)]) == []


def test_different_stems_on_the_same_topic_pass(make_question):
    a = make_question("single", stem="根据条例，非法集资是向（  ）吸收资金的行为。")
    b = make_question("single", id="S002", stem="非法集资协助人是指明知是非法集资而提供帮助并获利的（  ）。")
    assert validate([("single.json", a), ("single.json", b)]) == []


@settings(max_examples=200, deadline=None)
@given(st.lists(st.text(alphabet="甲乙丙丁戊己", min_size=0, max_size=8), max_size=25))
def test_similarity_join_matches_brute_force(stems):
    sets = [_bigrams(s) for s in stems]
    expected = {
        (i, j)
        for j in range(len(sets))
        for i in range(j)
        if sets[i] and sets[j] and len(sets[i] & sets[j]) / len(sets[i] | sets[j]) >= 0.8
    }
    assert {(i, j) for i, j, _ in _similar_pairs(sets, 0.8)} == expected


def test_validate_dir(tmp_path):
    bad = {**VALID["single"], "id": "S003", "stem": "以下哪项是非法集资的特征（  ）。", "answer": "E"}
    unknown = {**MORE[0], "difficulty": 3}
    (tmp_path / "single.json").write_text(json.dumps([VALID["single"], bad, unknown], ensure_ascii=False))
    (tmp_path / "judge.json").write_text(json.dumps([{"id": "J001", "type": "judge"}, VALID["judge"]]))
    (tmp_path / "multiple.json").write_text("{not json", encoding="utf-8")
    issues = validate_dir(tmp_path)
    assert [(i.file, i.item) for i in issues] == [
        ("single.json", "S002"),
        ("judge.json", "J001"),
        ("multiple.json", "-"),
        ("single.json", "S003"),
    ]
    assert "unknown field(s): difficulty" in issues[0].message
    assert "fields 'stem', 'answer', 'explanation', 'source' are missing" in issues[1].message
    assert "invalid JSON" in issues[2].message
    assert "answer E is not among the options" in issues[3].message


def test_validate_dir_with_no_files(tmp_path):
    assert validate_dir(tmp_path) == []


def test_thousand_questions_validate_in_under_two_seconds(make_question):
    rng = random.Random(7)  # noqa: S311 - test data
    text = "".join(document_text("regulation-737").split())
    questions = []
    for n in range(1000):
        type_ = ("single", "judge", "multiple")[n % 3]
        start = rng.randrange(len(text) - 100)
        stem = text[start : start + rng.randint(30, 100)]
        questions.append((f"{type_}.json", make_question(type_, id=f"{type_[0].upper()}{n:03d}", stem=stem)))
    started = time.perf_counter()
    validate(questions)
    assert time.perf_counter() - started < 2.0
