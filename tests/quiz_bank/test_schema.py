"""Question record: labels, JSON round trip, malformed input, derived properties."""

import ast
from pathlib import Path

import pytest

from quiz_bank.schema import BankFormatError, Question, QuestionType, chinese_numeral, format_source

from .samples import MORE, VALID


def test_type_labels():
    assert [t.label for t in QuestionType] == ["单选", "判断", "多选"]
    assert QuestionType("judge") is QuestionType.JUDGE
    assert QuestionType.MULTIPLE == "multiple"


@pytest.mark.parametrize("data", [*VALID.values(), *MORE], ids=lambda d: d["id"])
def test_dict_round_trip(data):
    q = Question.from_dict(data)
    assert Question.from_dict(q.to_dict()) == q
    assert {k: v for k, v in q.to_dict().items() if v is not None} == {
        k: v for k, v in data.items() if v is not None
    }


def test_from_dict_defaults_and_copies():
    data = {k: v for k, v in VALID["judge"].items() if k not in ("options", "quote", "tags")}
    q = Question.from_dict(data)
    assert (q.options, q.quote, q.tags, q.status) == ({}, None, (), "active")
    source = dict(VALID["single"]["source"])
    q = Question.from_dict({**VALID["single"], "source": source})
    source["article"] = 3
    assert q.source["article"] == 2


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (["S001"], "must be a JSON object"),
        ({**VALID["single"], "id": 1}, "missing a string 'id'"),
        ({k: v for k, v in VALID["single"].items() if k != "stem"}, "field 'stem' is missing"),
        ({**VALID["single"], "answer": ["B"]}, "field 'answer' must be a string"),
        ({**VALID["single"], "type": "singel"}, "unknown type 'singel'"),
        ({**VALID["single"], "options": ["特定对象", "不特定对象"]}, "'options' must be an object"),
        ({**VALID["single"], "options": {"A": 1}}, "'options' must be an object"),
        ({k: v for k, v in VALID["single"].items() if k != "source"}, "field 'source' is missing"),
        ({**VALID["single"], "source": "regulation-737"}, "'source' must be an object"),
        ({**VALID["single"], "source": {"article": 2}}, "'source' must be an object with a string 'doc'"),
        ({**VALID["single"], "source": {"doc": "regulation-737", "article": "2"}}, "must be an integer"),
        ({**VALID["single"], "source": {"doc": "other", "title": 5}}, "'source.title' must be a string"),
        ({**VALID["single"], "quote": 7}, "'quote' must be a string or null"),
        ({**VALID["single"], "tags": "定义"}, "'tags' must be a list of strings"),
        ({**VALID["single"], "status": "deleted"}, "'status' must be 'active' or 'retired'"),
    ],
)
def test_from_dict_rejects_malformed(data, message):
    with pytest.raises(BankFormatError, match=message):
        Question.from_dict(data)


def test_malformed_message_names_the_question():
    with pytest.raises(BankFormatError, match="question 'S001': field 'explanation' is missing"):
        Question.from_dict({k: v for k, v in VALID["single"].items() if k != "explanation"})


def test_option_and_answer_keys(make_question):
    single = make_question("single")
    assert single.option_keys == ("A", "B", "C", "D")
    assert single.answer_keys == frozenset({"B"})
    assert make_question("multiple").answer_keys == frozenset("ABD")
    judge = make_question("judge", answer="错")
    assert judge.option_keys == ("对", "错")
    assert judge.answer_keys == frozenset({"错"})


@pytest.mark.parametrize(
    ("source", "label"),
    [
        ({"doc": "regulation-737", "article": 25}, "《条例》第二十五条"),
        ({"doc": "regulation-737", "article": 2}, "《条例》第二条"),
        ({"doc": "regulation-737", "article": 10}, "《条例》第十条"),
        ({"doc": "regulation-737", "article": 11}, "《条例》第十一条"),
        ({"doc": "regulation-737", "article": 40}, "《条例》第四十条"),
        ({"doc": "haidian-2021"}, "《2021年海淀区防范非法集资宣传教育工作方案》"),
        ({"doc": "lingyuan-2021"}, "《凌源市2021年防范非法集资宣传月活动方案》"),
        ({"doc": "other", "title": "《刑法》第一百七十六条"}, "《刑法》第一百七十六条"),
    ],
)
def test_source_label(source, label):
    assert format_source(source) == label


def test_source_label_property(make_question):
    assert make_question("judge").source_label == "《条例》第二十五条"


def test_chinese_numeral():
    assert [chinese_numeral(n) for n in (1, 9, 10, 15, 20, 39, 99)] == [
        "一", "九", "十", "十五", "二十", "三十九", "九十九",
    ]  # fmt: skip


def test_questions_are_hashable_and_frozen(make_question):
    q = make_question("single")
    assert len({q, make_question("single")}) == 1
    with pytest.raises(AttributeError):
        q.stem = "x"  # type: ignore[misc]


def test_quiz_bank_imports_nothing_from_the_app():
    """quiz_bank stays pure Python: no app/, Flask, SQLAlchemy or other web/DB packages."""
    forbidden = {"app", "flask", "flask_sqlalchemy", "sqlalchemy", "redis", "wechatpy", "config"}
    package = Path(__file__).resolve().parents[2] / "quiz_bank"
    for path in package.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names = [node.module]
            for name in names:
                assert name.split(".")[0] not in forbidden, f"{path.name} imports {name}"
