"""Knowledge cards (防非知识): the card record, loader, content rules, topic menu and keyword matcher."""

from __future__ import annotations

import json
import math
import re
import unicodedata
from bisect import bisect_right
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from quiz_bank.sources import DOCUMENTS, quote_found
from quiz_bank.validator import Issue

DEFAULT_PATH = Path(__file__).parent / "knowledge" / "cards.json"
TOPICS: tuple[str, ...] = tuple("认识非法集资 识别手法 常见骗局 法律规定 举报 已经投了怎么办 宣传月".split())
KNOWN_FIELDS = frozenset(
    {"id", "title", "body", "keywords", "synonyms", "topic", "source", "quote", "link", "tip"}
)
MAX_TITLE = 16
MAX_BODY_HAN = 400  # Chinese characters in the body
MAX_BODY = 600  # all characters in the body
MAX_REPLY_BYTES = 1900  # UTF-8 bytes of title + "\n" + body; one WeChat text reply must stay under 2048
MAX_TIP = 40

# Matching (see knowledge/README.md). A term's weight = class weight x its length / sqrt(cards using it).
TITLE_WEIGHT, KEYWORD_WEIGHT, SYNONYM_WEIGHT = 3.0, 2.0, 1.0
MIN_SCORE = 1.0  # below this nothing counts as a hit: kind "none"
MARGIN = 1.5  # "card" when best >= MARGIN x runner-up; otherwise "choices"
CHOICE_FLOOR = 0.5  # choices are the cards scoring >= CHOICE_FLOOR x best
MAX_CHOICES = 5

_ID = re.compile(r"^K\d{3}$")
_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]")


class CardFormatError(ValueError):
    """A card (or cards file) that cannot be read as the documented format."""


@dataclass(frozen=True)
class CardSource:
    doc: str
    article: int | None = None
    title: str | None = None


@dataclass(frozen=True)
class Card:
    id: str
    title: str
    body: str
    keywords: tuple[str, ...]
    synonyms: tuple[str, ...]
    topic: str
    source: CardSource
    quote: str | None = None
    link: str | None = None
    tip: str | None = None

    @property
    def reply(self) -> str:
        """The text sent to the resident: title line, then the body."""
        return f"{self.title}\n{self.body}"

    @classmethod
    def from_dict(cls, d: Any) -> Card:
        """Build from a cards.json object; CardFormatError names the field. Content rules: check_card."""
        if not isinstance(d, Mapping) or not isinstance(d.get("id"), str):
            raise CardFormatError("a card must be a JSON object with a string 'id'")
        where = f"card {d['id']!r}"
        if unknown := sorted(set(d) - KNOWN_FIELDS):
            raise CardFormatError(f"{where}: unknown field(s): {', '.join(unknown)}")
        for name in ("title", "body", "topic"):
            if not isinstance(d.get(name), str):
                raise CardFormatError(f"{where}: '{name}' must be a string")
        for name in ("quote", "link", "tip"):
            if not isinstance(d.get(name), str | None):
                raise CardFormatError(f"{where}: '{name}' must be a string when present")
        for name in ("keywords", "synonyms"):
            if not isinstance(d.get(name, []), list) or not all(isinstance(t, str) for t in d.get(name, [])):
                raise CardFormatError(f"{where}: '{name}' must be a list of strings")
        src = d.get("source")
        if not isinstance(src, Mapping) or not isinstance(src.get("doc"), str):
            raise CardFormatError(f"{where}: 'source' must be an object with a string 'doc'")
        article = src.get("article")
        if article is not None and (not isinstance(article, int) or isinstance(article, bool)):
            raise CardFormatError(f"{where}: 'source.article' must be an integer")
        if not isinstance(src.get("title"), str | None):
            raise CardFormatError(f"{where}: 'source.title' must be a string")
        return cls(
            d["id"], d["title"], d["body"], tuple(d.get("keywords", [])), tuple(d.get("synonyms", [])),
            d["topic"], CardSource(src["doc"], article, src.get("title")), d.get("quote"), d.get("link"),
            d.get("tip"),
        )  # fmt: skip


def read_items(path: Path | str) -> list[object]:
    """The raw JSON array of a cards file; CardFormatError if it is not UTF-8 JSON or not an array."""
    path = Path(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise CardFormatError(f"{path.name}: not a UTF-8 JSON file ({exc})") from None
    if not isinstance(data, list):
        raise CardFormatError(f"{path.name}: expected a JSON array of cards")
    return data


def load_cards(path: Path | str = DEFAULT_PATH) -> list[Card]:
    """All cards of a cards file, in file order (structure only; run validate_file for the content rules)."""
    cards = []
    for index, item in enumerate(read_items(path)):
        try:
            cards.append(Card.from_dict(item))
        except CardFormatError as exc:
            raise CardFormatError(f"{Path(path).name} item #{index}: {exc}") from None
    return cards


def check_card(card: Card) -> list[str]:
    """Every rule one card breaks on its own; empty when it is fine."""
    problems = []
    if not _ID.match(card.id):
        problems.append(f"id {card.id!r} must be 'K' + 3 digits (e.g. K001)")
    if not card.title.strip():
        problems.append("title is empty")
    elif len(card.title) > MAX_TITLE:
        problems.append(f"title is {len(card.title)} characters (max {MAX_TITLE})")
    han = len(_HAN.findall(card.body))
    if not card.body.strip():
        problems.append("body is empty")
    elif han > MAX_BODY_HAN or len(card.body) > MAX_BODY:
        problems.append(
            f"body has {han} Chinese / {len(card.body)} characters (max {MAX_BODY_HAN} / {MAX_BODY})"
        )
    size = len(card.reply.encode("utf-8"))
    if size >= MAX_REPLY_BYTES:
        problems.append(f"title + body is {size} UTF-8 bytes (must be under {MAX_REPLY_BYTES})")
    if card.topic not in TOPICS:
        problems.append(f"unknown topic {card.topic!r} (expected one of {', '.join(TOPICS)})")
    if not any(normalise(k) for k in card.keywords):
        problems.append("needs at least one keyword")
    seen: set[str] = set()
    for term in (*card.keywords, *card.synonyms):
        norm = normalise(term)
        if not norm:
            problems.append(f"keyword/synonym {term!r} has no letters or digits")
        elif norm in seen:
            problems.append(f"keyword/synonym {term!r} repeats")
        seen.add(norm)
    if card.tip is not None and not 0 < len(card.tip.strip()) <= MAX_TIP:
        problems.append(f"tip must be 1-{MAX_TIP} characters, is {len(card.tip)}")
    if card.link is not None and not card.link.startswith(("https://", "http://")):
        problems.append("link must be an http(s) URL (omit it rather than guess)")
    return problems + _check_source(card)


def _check_source(card: Card) -> list[str]:
    doc, article = card.source.doc, card.source.article
    if doc == "other":
        problems = [] if (card.source.title or "").strip() else ["source 'other' needs a 'title'"]
        if card.quote is not None:
            problems.append("quote can only be checked against a bundled document; omit it for 'other'")
        return problems
    if doc not in DOCUMENTS:
        return [f"unknown source doc {doc!r} (expected {', '.join(sorted(DOCUMENTS))} or other)"]
    if doc == "regulation-737" and (article is None or not 1 <= article <= 40):
        return [f"regulation-737 source needs 'article' 1-40, got {article!r}"]
    if doc != "regulation-737" and article is not None:
        return [f"'article' only applies to regulation-737, not {doc}"]
    if not (card.quote or "").strip():
        return [f"quote is required for source {doc}"]
    if not quote_found(doc, card.quote or "", article):
        where = f"article {article} of {doc}" if article else doc
        return [f"quote is not found verbatim in {where}: {(card.quote or '')[:30]!r}"]
    return []


def validate_cards(cards_with_file: Sequence[tuple[str, Card]]) -> list[Issue]:
    """All rule violations: per card, then duplicate ids and titles across every file given."""
    issues = [Issue(file, c.id or "(no id)", msg) for file, c in cards_with_file for msg in check_card(c)]
    first: dict[tuple[str, str], str] = {}
    for file, c in cards_with_file:
        for kind, value in (("id", c.id), ("title", normalise(c.title))):
            if (kind, value) in first:
                issues.append(Issue(file, c.id, f"duplicate {kind} (first used by {first[kind, value]})"))
            else:
                first[kind, value] = c.id
    return issues


def validate_file(path: Path | str = DEFAULT_PATH) -> list[Issue]:
    """Validate one cards file; unreadable items become issues instead of stopping the check."""
    path = Path(path)
    try:
        items = read_items(path)
    except CardFormatError as exc:
        return [Issue(path.name, "-", str(exc))]
    loaded, issues = [], []
    for index, item in enumerate(items):
        try:
            loaded.append((path.name, Card.from_dict(item)))
        except CardFormatError as exc:
            issues.append(Issue(path.name, f"#{index}", str(exc)))
    return issues + validate_cards(loaded)


def topics(cards: Sequence[Card]) -> list[tuple[str, list[Card]]]:
    """Topics in the fixed TOPICS order (empty ones left out), each with its cards by id: a numbered menu."""
    grouped = [(t, sorted((c for c in cards if c.topic == t), key=lambda c: c.id)) for t in TOPICS]
    return [(t, group) for t, group in grouped if group]


def normalise(text: str) -> str:
    """Full-width to half-width (NFKC), lower case, letters and digits only (punctuation, spaces dropped)."""
    text = unicodedata.normalize("NFKC", text).lower()
    return "".join(ch for ch in text if unicodedata.category(ch)[0] in "LN")


@dataclass(frozen=True)
class Match:
    kind: Literal["card", "choices", "none"]
    card: Card | None = None
    choices: tuple[Card, ...] = ()
    scores: tuple[float, ...] = field(default=(), compare=False)


@dataclass(frozen=True)
class CardIndex:
    """Every normalised term -> the cards using it with its weight there; built once per card list."""

    cards: tuple[Card, ...]
    terms: Mapping[str, tuple[tuple[int, float], ...]]
    lengths: Mapping[str, tuple[int, ...]]  # first character -> lengths of the terms starting with it


def index_cards(cards: Sequence[Card]) -> CardIndex:
    """Pre-compute term weights: a title term (the whole title, or a keyword that occurs in the title)
    weighs 3, another keyword 2, a synonym 1; times the term's length; over sqrt(number of cards using it)."""
    classes = [_term_classes(card) for card in cards]
    used = Counter(term for per_card in classes for term in per_card)
    terms: dict[str, list[tuple[int, float]]] = defaultdict(list)
    for pos, per_card in enumerate(classes):
        for term, weight in per_card.items():
            terms[term].append((pos, weight * len(term) / math.sqrt(used[term])))
    lengths: dict[str, set[int]] = defaultdict(set)
    for term in terms:
        lengths[term[0]].add(len(term))
    by_first = {ch: tuple(sorted(found)) for ch, found in lengths.items()}
    return CardIndex(tuple(cards), {t: tuple(hits) for t, hits in terms.items()}, by_first)


def _term_classes(card: Card) -> dict[str, float]:
    title = normalise(card.title)
    classes = {term: SYNONYM_WEIGHT for term in map(normalise, card.synonyms) if term}
    classes |= {t: TITLE_WEIGHT if t in title else KEYWORD_WEIGHT for t in map(normalise, card.keywords) if t}
    return classes | ({title: TITLE_WEIGHT} if title else {})


_recent: list[CardIndex] = []  # the last few indexes, so match(text, cards) indexes a card list only once


def _index_for(cards: Sequence[Card] | CardIndex) -> CardIndex:
    if isinstance(cards, CardIndex):
        return cards
    for index in _recent:  # cards are immutable, so the same card objects give the same index
        if len(index.cards) == len(cards) and all(a is b for a, b in zip(index.cards, cards, strict=True)):
            return index
    _recent.insert(0, index_cards(cards))
    del _recent[4:]
    return _recent[0]


def score_cards(text: str, cards: Sequence[Card] | CardIndex) -> list[tuple[float, Card]]:
    """(score, card) for every card with any hit, best first, ties by id.

    A term counts once, at its first place in the text not covered by a heavier term of the same card; the
    card's score is then the heaviest set of those hits that do not overlap ("养老院" is not also "养老").
    """
    index = _index_for(cards)
    norm = normalise(text)
    places: dict[int, dict[str, tuple[float, list[tuple[int, int]]]]] = {}
    for start, ch in enumerate(norm):
        for length in index.lengths.get(ch, ()):
            term = norm[start : start + length]
            for pos, weight in index.terms.get(term, ()):
                found = places.setdefault(pos, {}).setdefault(term, (weight, []))[1]
                found.append((start, start + len(term)))
    scored = []
    for pos, terms in places.items():
        spans = []
        for weight, found in terms.values():
            heavier = [p for w, ps in terms.values() if w > weight for p in ps]
            free = [(s, e) for s, e in found if not any(hs < e and s < he for hs, he in heavier)]
            start, end = (free or found)[0]
            spans.append((end, start, weight))
        scored.append((round(_heaviest(spans), 6), index.cards[pos]))
    scored.sort(key=lambda sc: (-sc[0], sc[1].id))
    return scored


def _heaviest(spans: Iterable[tuple[int, int, float]]) -> float:
    """Weighted interval scheduling over (end, start, weight): the best total of non-overlapping spans."""
    ordered = sorted(spans)
    ends = [end for end, _start, _w in ordered]
    best = [0.0]
    for _end, start, weight in ordered:
        best.append(max(best[-1], weight + best[bisect_right(ends, start, hi=len(best) - 1)]))
    return best[-1]


def match(text: str, cards: Sequence[Card] | CardIndex) -> Match:
    """The card answering a resident's message.

    "none" when the best score is under MIN_SCORE; "card" when the best score is at least MARGIN (1.5)
    times the runner-up's; otherwise "choices". `card` is the best card (None for "none"); `choices` lists
    up to five cards scoring at least half the best, best first, ties by id, starting with `card`.
    """
    scored = [sc for sc in score_cards(text, cards) if sc[0] >= MIN_SCORE]
    if not scored:
        return Match("none")
    best = scored[0][0]
    top = [sc for sc in scored if sc[0] >= CHOICE_FLOOR * best][:MAX_CHOICES]
    choices, scores = tuple(c for _s, c in top), tuple(s for s, _c in top)
    runner_up = scored[1][0] if len(scored) > 1 else 0.0
    if best >= MARGIN * runner_up:
        return Match("card", scored[0][1], choices, scores)
    return Match("choices", scored[0][1], choices, scores)


if __name__ == "__main__":
    found = validate_file()
    print("\n".join(map(str, found)) or f"{DEFAULT_PATH.name}: OK")
    raise SystemExit(1 if found else 0)
