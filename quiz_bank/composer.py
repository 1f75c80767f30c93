"""Draw a daily paper from the bank: a fixed mix of types, unseen questions first, shuffled options."""

from __future__ import annotations

import hashlib
import random
from collections.abc import Collection, Sequence
from dataclasses import dataclass

from quiz_bank.schema import JUDGE_KEYS, Question, QuestionType


@dataclass(frozen=True)
class MixItem:
    type: QuestionType
    count: int
    points: int


DEFAULT_MIX: tuple[MixItem, ...] = (
    MixItem(QuestionType.SINGLE, 3, 10),
    MixItem(QuestionType.JUDGE, 3, 10),
    MixItem(QuestionType.MULTIPLE, 2, 20),
)


@dataclass(frozen=True)
class DrawnQuestion:
    """One question on a paper; displayed position i shows the original option key option_order[i]."""

    question_id: str
    type: QuestionType
    points: int
    option_order: tuple[str, ...]


class NotEnoughQuestions(Exception):
    """The bank holds too few active questions of a type to fill the mix."""


def _rng(seed: str) -> random.Random:
    # sha256, not hash(): the same seed must give the same paper in every process and on every host.
    digest = hashlib.sha256(seed.encode("utf-8")).digest()
    return random.Random(int.from_bytes(digest, "big"))  # noqa: S311 - reproducible draws, not secrets


def draw_paper(
    bank: Sequence[Question],
    mix: Sequence[MixItem],
    seen_ids: Collection[str],
    seed: str,
    shuffle_options: bool = True,
) -> list[DrawnQuestion]:
    """Pick questions for one paper, in mix order (single, judge, multiple by default).

    Only active questions are drawn. Questions the participant has not seen are preferred; seen ones are
    used only when the unseen of that type run out. The same bank, mix, seen ids and seed always give the
    same paper, whatever order the bank is in; shuffle_options changes only the option orders.
    """
    rng = _rng(seed)
    option_rng = _rng(seed + "\x00options")  # its own stream: shuffle_options never changes the picks
    seen = set(seen_ids)
    taken: set[str] = set()
    paper: list[DrawnQuestion] = []
    for item in mix:
        pool = sorted(
            (q for q in bank if q.type == item.type and q.status == "active" and q.id not in taken),
            key=lambda q: q.id,
        )
        if len(pool) < item.count:
            raise NotEnoughQuestions(
                f"need {item.count} active {item.type} questions, the bank has {len(pool)} left"
            )
        unseen = [q for q in pool if q.id not in seen]
        if len(unseen) >= item.count:
            picked = rng.sample(unseen, item.count)
        else:
            already = [q for q in pool if q.id in seen]
            picked = unseen + rng.sample(already, item.count - len(unseen))
            rng.shuffle(picked)
        for q in picked:
            taken.add(q.id)
            paper.append(
                DrawnQuestion(q.id, q.type, item.points, _option_order(q, option_rng, shuffle_options))
            )
    return paper


def _option_order(q: Question, rng: random.Random, shuffle: bool) -> tuple[str, ...]:
    if q.type is QuestionType.JUDGE:
        return JUDGE_KEYS
    keys = list(q.option_keys)
    if shuffle:
        rng.shuffle(keys)
    return tuple(keys)


def _display_keys(q: Question, order: Sequence[str]) -> tuple[str, ...]:
    if sorted(order) != sorted(q.option_keys):
        raise ValueError(f"option order {tuple(order)} is not a permutation of {q.id}'s options")
    if q.type is QuestionType.JUDGE:
        return JUDGE_KEYS
    return tuple(chr(ord("A") + i) for i in range(len(order)))


def displayed_options(q: Question, order: Sequence[str]) -> list[tuple[str, str]]:
    """(display letter, option text) in display order; a judge question shows (对, 对), (错, 错)."""
    letters = _display_keys(q, order)
    if q.type is QuestionType.JUDGE:
        return [(k, k) for k in JUDGE_KEYS]
    return [(letter, q.options[key]) for letter, key in zip(letters, order, strict=True)]


def to_original(q: Question, order: Sequence[str], displayed_answer: str) -> str:
    """Map an answer given in display letters back to the bank's keys (sorted letters, or 对/错)."""
    letters = _display_keys(q, order)
    if q.type is QuestionType.JUDGE:
        return displayed_answer
    mapping = dict(zip(letters, order, strict=True))
    try:
        return "".join(sorted(mapping[ch] for ch in set(displayed_answer)))
    except KeyError as exc:
        raise ValueError(f"{exc.args[0]!r} is not a displayed option of {q.id}") from None


def to_displayed(q: Question, order: Sequence[str], original_answer: str) -> str:
    """Map an answer in the bank's keys to the letters shown on this paper (e.g. to show the solution)."""
    letters = _display_keys(q, order)
    if q.type is QuestionType.JUDGE:
        return original_answer
    mapping = dict(zip(order, letters, strict=True))
    try:
        return "".join(sorted(mapping[ch] for ch in set(original_answer)))
    except KeyError as exc:
        raise ValueError(f"{exc.args[0]!r} is not an option of {q.id}") from None
