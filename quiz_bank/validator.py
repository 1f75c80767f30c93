"""Content rules for bank questions (docs/bank-format.md): per item, across items, and per data directory."""

from __future__ import annotations

import math
import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from quiz_bank.loader import DATA_DIR, FILE_NAMES, read_items
from quiz_bank.schema import JUDGE_KEYS, KNOWN_FIELDS, STATUSES, BankFormatError, Question, QuestionType
from quiz_bank.sources import DOCUMENTS, quote_found

MAX_STEM = 120
MAX_OPTION = 40
MAX_EXPLANATION = 80
MAX_TAG = 10
TAGS_RANGE = (1, 3)
ARTICLES_RANGE = (1, 40)
NEAR_DUPLICATE = 0.8

ID_PREFIX = {QuestionType.SINGLE: "S", QuestionType.JUDGE: "J", QuestionType.MULTIPLE: "M"}
SOURCE_DOCS = frozenset(DOCUMENTS) | {"other"}
_SINGLE_KEYS = ("A", "B", "C", "D")
_MULTIPLE_KEYS = (("A", "B", "C", "D"), ("A", "B", "C", "D", "E"))
_ID = re.compile(r"^([SJM])(\d{3})$")
_TYPE_VALUES = frozenset(t.value for t in QuestionType)


@dataclass
class Issue:
    file: str
    item: str
    message: str

    def __str__(self) -> str:
        return f"{self.file} {self.item}: {self.message}"


def check_question(q: Question) -> list[str]:
    """Every rule one question breaks on its own (no cross-item checks); empty when it is fine."""
    problems: list[str] = []
    problems += _check_text(q)
    problems += _check_options_and_answer(q)
    problems += _check_source(q)
    return problems


def _check_text(q: Question) -> list[str]:
    problems = []
    prefix = ID_PREFIX[q.type]
    m = _ID.match(q.id)
    if not q.id.strip():
        problems.append("id is empty")
    elif m is None or m.group(1) != prefix:
        problems.append(
            f"id {q.id!r} must be '{prefix}' + 3 digits for a {q.type} question (e.g. {prefix}001)"
        )
    if q.status not in STATUSES:
        problems.append(f"status must be 'active' or 'retired', got {q.status!r}")
    for field, value, limit in (("stem", q.stem, MAX_STEM), ("explanation", q.explanation, MAX_EXPLANATION)):
        if not value.strip():
            problems.append(f"{field} is empty")
        elif len(value) > limit:
            problems.append(f"{field} is {len(value)} characters (max {limit})")
    if q.type is QuestionType.JUDGE and ("？" in q.stem or "?" in q.stem):
        problems.append(
            "judge stem must be a statement to judge 对/错, not a question (remove the question mark)"
        )
    low, high = TAGS_RANGE
    if not low <= len(q.tags) <= high:
        problems.append(f"needs {low}-{high} tags, has {len(q.tags)}")
    for tag in q.tags:
        if not tag.strip():
            problems.append("a tag is empty")
        elif len(tag) > MAX_TAG:
            problems.append(f"tag {tag!r} is longer than {MAX_TAG} characters")
    if len(set(q.tags)) != len(q.tags):
        problems.append("tags repeat")
    return problems


def _check_options_and_answer(q: Question) -> list[str]:
    keys = tuple(sorted(q.options))
    if q.type is QuestionType.JUDGE:
        problems = [] if not q.options else ["judge options must be empty ({}); they are always 对/错"]
        if q.answer not in JUDGE_KEYS:
            problems.append(f"judge answer must be '对' or '错', got {q.answer!r}")
        return problems

    problems = []
    if q.type is QuestionType.SINGLE and keys != _SINGLE_KEYS:
        problems.append(f"single choice needs exactly options A-D, has {', '.join(keys) or 'none'}")
    if q.type is QuestionType.MULTIPLE and keys not in _MULTIPLE_KEYS:
        problems.append(f"multiple choice needs options A-D or A-E, has {', '.join(keys) or 'none'}")
    for key in keys:
        text = q.options[key]
        if not text.strip():
            problems.append(f"option {key} is empty")
        elif len(text) > MAX_OPTION:
            problems.append(f"option {key} is {len(text)} characters (max {MAX_OPTION})")
    seen: dict[str, str] = {}
    for key in keys:
        text = _normalise(q.options[key])
        if text and text in seen:
            problems.append(f"options {seen[text]} and {key} have the same text")
        seen.setdefault(text, key)

    letters = q.answer
    if not letters:
        problems.append("answer is empty")
    elif q.type is QuestionType.SINGLE and len(letters) != 1:
        problems.append(f"single choice answer must be one letter, got {letters!r}")
    elif q.type is QuestionType.MULTIPLE and len(letters) < 2:
        problems.append(f"multiple choice answer needs at least 2 letters, got {letters!r}")
    elif letters != "".join(sorted(set(letters))):
        problems.append(f"answer letters must be in alphabetical order without repeats, got {letters!r}")
    outside = sorted(set(letters) - set(keys))
    if letters and outside:
        problems.append(f"answer {''.join(outside)} is not among the options ({', '.join(keys) or 'none'})")
    return problems


def _check_source(q: Question) -> list[str]:
    doc = q.source.get("doc", "")
    if doc not in SOURCE_DOCS:
        return [f"unknown source doc {doc!r} (expected {', '.join(sorted(SOURCE_DOCS))})"]
    if doc == "other":
        title = q.source.get("title")
        return [] if isinstance(title, str) and title.strip() else ["source 'other' needs a 'title'"]

    article = q.source.get("article")
    if doc == "regulation-737":
        low, high = ARTICLES_RANGE
        if not isinstance(article, int) or isinstance(article, bool) or not low <= article <= high:
            return [f"regulation-737 source needs 'article' {low}-{high}, got {article!r}"]
    else:
        article = None
    if not q.quote or not q.quote.strip():
        return [f"quote is required for source {doc}"]
    if not quote_found(doc, q.quote, article):
        where = f"article {article} of {doc}" if article else doc
        return [f"quote is not found verbatim in {where}: {q.quote[:30]!r}"]
    return []


def _normalise(text: str) -> str:
    """Letters and digits only: drops punctuation, whitespace and blank markers such as （  ） or ____."""
    text = unicodedata.normalize("NFKC", text).lower()
    return "".join(ch for ch in text if unicodedata.category(ch)[0] in "LN")


def _bigrams(text: str) -> frozenset[str]:
    if len(text) < 2:
        return frozenset({text}) if text else frozenset()
    return frozenset(text[i : i + 2] for i in range(len(text) - 1))


def _similar_pairs(sets: Sequence[frozenset[str]], threshold: float) -> list[tuple[int, int, float]]:
    """Index pairs (i < j) whose Jaccard similarity is >= threshold, found with prefix filtering.

    Tokens are ordered rarest first; two sets that reach the threshold must share a token within their
    first |x| - ceil(t*|x|) + 1 tokens, so only those prefixes are indexed and compared.
    """
    freq: dict[str, int] = defaultdict(int)
    for s in sets:
        for token in s:
            freq[token] += 1
    index: dict[str, list[int]] = defaultdict(list)
    pairs = []
    for j, s in enumerate(sets):
        if not s:
            continue
        ordered = sorted(s, key=lambda tok: (freq[tok], tok))
        prefix = ordered[: len(s) - math.ceil(threshold * len(s) - 1e-9) + 1]
        candidates = {i for tok in prefix for i in index[tok]}
        for i in sorted(candidates):
            other = sets[i]
            if min(len(s), len(other)) < threshold * max(len(s), len(other)) - 1e-9:
                continue
            similarity = len(s & other) / len(s | other)
            if similarity >= threshold:
                pairs.append((i, j, similarity))
        for tok in prefix:
            index[tok].append(j)
    return pairs


def validate(questions_with_files: list[tuple[str, Question]]) -> list[Issue]:
    """All rule violations: per question, then ids, file/type agreement, duplicate and near-duplicate stems.

    `file` labels where each question came from (a file name, or a row label for imports).
    """
    issues: list[Issue] = []
    for file, q in questions_with_files:
        issues += [Issue(file, q.id or "(no id)", msg) for msg in check_question(q)]
        expected = Path(file).stem
        if expected in _TYPE_VALUES and expected != q.type:
            issues.append(Issue(file, q.id, f"a {q.type} question does not belong in {file}"))

    first_by_id: dict[str, str] = {}
    for file, q in questions_with_files:
        if q.id in first_by_id:
            issues.append(Issue(file, q.id, f"duplicate id (first used in {first_by_id[q.id]})"))
        else:
            first_by_id[q.id] = file

    normalised = [(_normalise(q.stem), file, q) for file, q in questions_with_files]
    first_by_stem: dict[str, Question] = {}
    for stem, file, q in normalised:
        if not stem:
            continue
        if stem in first_by_stem:
            issues.append(Issue(file, q.id, f"stem duplicates {first_by_stem[stem].id}"))
        else:
            first_by_stem[stem] = q

    for qtype in QuestionType:
        group = [(stem, file, q) for stem, file, q in normalised if q.type is qtype and stem]
        group = [row for row in group if first_by_stem[row[0]] is row[2]]  # exact copies reported above
        sets = [_bigrams(stem) for stem, _file, _q in group]
        for i, j, similarity in _similar_pairs(sets, NEAR_DUPLICATE):
            first, (_stem, file, q) = group[i][2], group[j]
            message = f"stem is a near-duplicate of {first.id} (bigram similarity {similarity:.2f})"
            issues.append(Issue(file, q.id, message))
    return issues


def validate_dir(data_dir: Path | str = DATA_DIR) -> list[Issue]:
    """Validate the three bank files of a directory; unreadable items become issues instead of stopping."""
    data_dir = Path(data_dir)
    loaded: list[tuple[str, Question]] = []
    issues: list[Issue] = []
    for name in FILE_NAMES.values():
        path = data_dir / name
        if not path.exists():
            continue
        try:
            items: Iterable[object] = read_items(path)
        except BankFormatError as exc:
            issues.append(Issue(name, "-", str(exc)))
            continue
        for index, item in enumerate(items):
            label = item.get("id") if isinstance(item, dict) else None
            label = label if isinstance(label, str) and label else f"#{index}"
            if isinstance(item, dict) and (unknown := sorted(set(item) - KNOWN_FIELDS)):
                issues.append(Issue(name, label, f"unknown field(s): {', '.join(unknown)}"))
            try:
                loaded.append((name, Question.from_dict(item)))
            except BankFormatError as exc:
                issues.append(Issue(name, label, str(exc)))
    return issues + validate(loaded)
