"""The bundled knowledge cards and the rules that keep them fit to send: one broken card per rule."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from quiz_bank.knowledge import (
    DEFAULT_PATH,
    TOPICS,
    Card,
    CardFormatError,
    check_card,
    load_cards,
    topics,
    validate_cards,
    validate_file,
)
from quiz_bank.sources import quote_found

CARDS = load_cards()


def test_bundled_cards_pass_every_rule() -> None:
    assert validate_file() == []


def test_bundled_cards_cover_every_topic_with_enough_cards_and_tips() -> None:
    assert len(CARDS) >= 45
    assert [topic for topic, _cards in topics(CARDS)] == list(TOPICS)
    assert sum(1 for c in CARDS if c.tip) >= 30
    assert [c.id for c in CARDS] == [f"K{n:03d}" for n in range(1, len(CARDS) + 1)]


def test_bundled_cards_cite_the_regulation_where_it_says_it() -> None:
    articles = {c.source.article for c in CARDS if c.source.doc == "regulation-737"}
    assert {2, 3, 4, 9, 11, 16, 19, 24, 25, 26, 30, 31, 33} <= articles
    for c in CARDS:
        if c.source.doc == "regulation-737":
            assert quote_found("regulation-737", c.quote or "", c.source.article), c.id
    other = [c for c in CARDS if c.source.doc == "other"]
    assert all(c.source.title and c.quote is None for c in other)


def test_cards_file_is_written_in_the_documented_format() -> None:
    text = DEFAULT_PATH.read_text(encoding="utf-8")
    assert text == json.dumps(json.loads(text), ensure_ascii=False, indent=1) + "\n"


def test_every_reply_fits_one_wechat_message() -> None:
    for c in CARDS:
        assert len(c.reply.encode("utf-8")) < 1900, c.id
        assert "\n\n\n" not in c.body and c.body == c.body.strip(), c.id


def test_topics_menu_is_stable_and_skips_empty_topics() -> None:
    menu = topics(list(reversed(CARDS)))
    assert menu == topics(CARDS)
    for _topic, group in menu:
        assert [c.id for c in group] == sorted(c.id for c in group)
    few = [c for c in CARDS if c.topic in ("举报", "认识非法集资")]
    assert [t for t, _g in topics(few)] == ["认识非法集资", "举报"]


# --- one broken card per rule --------------------------------------------------------------------------


def good(**changes: Any) -> dict[str, Any]:
    d: dict[str, Any] = {
        "id": "K901",
        "title": "损失谁来承担",
        "topic": "法律规定",
        "body": "条例第二十五条规定：因参与非法集资受到的损失，由集资参与人自行承担。",
        "keywords": ["损失"],
        "synonyms": ["亏了"],
        "source": {"doc": "regulation-737", "article": 25},
        "quote": "因参与非法集资受到的损失，由集资参与人自行承担",
        "tip": "参与非法集资，损失自担。",
    }
    d.update(changes)
    return {k: v for k, v in d.items() if v is not None}


def problems(**changes: Any) -> list[str]:
    return check_card(Card.from_dict(good(**changes)))


def test_the_good_fixture_passes() -> None:
    assert problems() == []
    assert problems(source={"doc": "other", "title": "《中华人民共和国刑法》"}, quote=None) == []
    assert (
        problems(source={"doc": "haidian-2021"}, quote="高收益意味着高风险", link="https://example.org/a")
        == []
    )


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"id": "X1"}, "must be 'K' + 3 digits"),
        ({"title": " "}, "title is empty"),
        ({"title": "一二三四五六七八九十一二三四五六七"}, "title is 17 characters"),
        ({"body": ""}, "body is empty"),
        ({"body": "防" * 401}, "body has 401 Chinese"),
        ({"body": "防" * 300 + "a" * 301}, "/ 601 characters"),
        ({"body": "😀" * 475}, "UTF-8 bytes"),
        ({"topic": "杂项"}, "unknown topic"),
        ({"keywords": []}, "needs at least one keyword"),
        ({"keywords": ["！？"]}, "has no letters or digits"),
        ({"keywords": ["损失", "ｐ２ｐ"], "synonyms": ["P2P"]}, "'P2P' repeats"),
        ({"tip": "提" * 41}, "tip must be 1-40 characters"),
        ({"link": "www.example.org"}, "link must be an http(s) URL"),
        ({"source": {"doc": "weibo"}}, "unknown source doc"),
        ({"source": {"doc": "regulation-737"}}, "needs 'article' 1-40"),
        ({"source": {"doc": "regulation-737", "article": 41}}, "needs 'article' 1-40"),
        ({"source": {"doc": "haidian-2021", "article": 8}}, "'article' only applies to regulation-737"),
        ({"quote": None}, "quote is required"),
        ({"quote": "参与非法集资的损失由政府兜底"}, "not found verbatim in article 25"),
        ({"source": {"doc": "regulation-737", "article": 26}}, "not found verbatim in article 26"),
        (
            {"source": {"doc": "lingyuan-2021"}, "quote": "高收益意味着高风险"},
            "not found verbatim in lingyuan-2021",
        ),
        ({"source": {"doc": "other"}, "quote": None}, "needs a 'title'"),
        ({"source": {"doc": "other", "title": "某报"}}, "omit it for 'other'"),
    ],
)
def test_each_rule_catches_its_broken_card(changes: dict[str, Any], message: str) -> None:
    found = problems(**changes)
    assert any(message in p for p in found), found


def test_ids_and_titles_must_be_unique_across_files() -> None:
    a = Card.from_dict(good())
    b = Card.from_dict(good(title="损失谁来承担？"))  # same title once punctuation is ignored
    c = Card.from_dict(good(id="K902", title="另一个标题"))
    issues = validate_cards([("cards.json", a), ("import.xlsx", b), ("import.xlsx", c)])
    assert [(i.file, i.item, i.message) for i in issues] == [
        ("import.xlsx", "K901", "duplicate id (first used by K901)"),
        ("import.xlsx", "K901", "duplicate title (first used by K901)"),
    ]


@pytest.mark.parametrize(
    ("item", "message"),
    [
        ({"extra": 1}, "unknown field(s): extra"),
        ({"keywords": "损失"}, "'keywords' must be a list of strings"),
        ({"body": None}, "'body' must be a string"),
        ({"tip": 3}, "'tip' must be a string"),
        ({"source": "regulation-737"}, "'source' must be an object"),
        ({"source": {"doc": "regulation-737", "article": "25"}}, "'source.article' must be an integer"),
    ],
)
def test_unreadable_cards_become_issues(tmp_path: Path, item: dict[str, Any], message: str) -> None:
    raw = good() | item
    path = tmp_path / "cards.json"
    path.write_text(json.dumps([good(id="K900", title="另一个"), raw], ensure_ascii=False), encoding="utf-8")
    issues = validate_file(path)
    assert len(issues) == 1 and issues[0].item == "#1" and message in issues[0].message, issues
    with pytest.raises(CardFormatError, match="item #1"):
        load_cards(path)


@pytest.mark.parametrize(
    ("text", "message"), [("{", "not a UTF-8 JSON file"), ('{"id": "K001"}', "JSON array")]
)
def test_a_broken_file_is_one_issue(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "cards.json"
    path.write_text(text, encoding="utf-8")
    [issue] = validate_file(path)
    assert message in issue.message
