"""The knowledge cards residents see (imported by staff, else bundled), and the questions none answered."""

from __future__ import annotations

import re
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from functools import cache

from flask import current_app
from sqlalchemy import delete, func, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from app.extensions import db
from app.models.knowledge import ACTIVE, RETIRED, KnowledgeCard, UnmatchedQuestion
from app.services.after_commit import defer
from quiz_bank.knowledge import Card, CardIndex, index_cards, load_cards, normalise, topics, validate_cards
from quiz_bank.validator import Issue

RECHECK_SECONDS = 30.0  # how soon a running process notices cards another process imported
MAX_QUESTION = 200
_EXTENSION = "fangfei.knowledge"
_DIGIT_RUN = re.compile(r"\d{5,}")  # phone, ID and bank card numbers are never stored


@dataclass(frozen=True)
class Library:
    """One consistent set of cards with its matching index and topic menu."""

    cards: tuple[Card, ...]
    origin: str  # "database" or "bundled"
    index: CardIndex = field(compare=False)

    def get(self, card_id: str) -> Card | None:
        return next((c for c in self.cards if c.id == card_id), None)

    def menu(self) -> list[tuple[str, list[Card]]]:
        return topics(self.cards)


@dataclass
class _Cached:
    library: Library
    stamp: tuple[object, ...]
    checked: float


@cache
def bundled_cards() -> tuple[Card, ...]:
    """quiz_bank/knowledge/cards.json, read once per process."""
    return tuple(load_cards())


def library() -> Library:
    """The cards residents see: the stored active cards when any card is stored, else the bundled file.

    Kept in app.extensions and rebuilt when the stored cards change (checked at most every RECHECK_SECONDS).
    """
    cached: _Cached | None = current_app.extensions.get(_EXTENSION)
    moment = time.monotonic()
    if cached is not None and moment - cached.checked < RECHECK_SECONDS:
        return cached.library
    stamp = tuple(
        db.session.execute(
            select(
                func.count(),
                func.count().filter(KnowledgeCard.status == ACTIVE),
                func.max(KnowledgeCard.updated_at),
            )
        ).one()
    )
    if cached is None or cached.stamp != stamp:
        cards = _stored_cards() if stamp[0] else list(bundled_cards())
        built = Library(tuple(cards), "database" if stamp[0] else "bundled", index_cards(cards))
        cached = _Cached(built, stamp, moment)
        current_app.extensions[_EXTENSION] = cached
    cached.checked = moment
    return cached.library


def forget_library() -> None:
    """Drop this process's cached cards (other processes notice within RECHECK_SECONDS)."""
    current_app.extensions.pop(_EXTENSION, None)


def _stored_cards(active_only: bool = True) -> list[Card]:
    query = select(KnowledgeCard).order_by(KnowledgeCard.id)
    if active_only:
        query = query.where(KnowledgeCard.status == ACTIVE)
    return [Card.from_dict(row.data) for row in db.session.scalars(query)]


def card_data(card: Card) -> dict[str, object]:
    """A card as its cards.json object (optional fields left out when empty)."""
    source = {"doc": card.source.doc, "article": card.source.article, "title": card.source.title}
    data = {
        "id": card.id, "title": card.title, "topic": card.topic, "body": card.body,
        "keywords": list(card.keywords), "synonyms": list(card.synonyms),
        "source": {k: v for k, v in source.items() if v is not None},
        "quote": card.quote, "link": card.link, "tip": card.tip,
    }  # fmt: skip
    return {k: v for k, v in data.items() if v is not None}


def _resulting_cards(cards: Sequence[Card], retire_missing: bool) -> list[tuple[str, Card]]:
    """What residents would see after an import, labelled "kept" or "imported" (kept ones first)."""
    incoming = {c.id for c in cards}
    baseline = [] if retire_missing else list(library().cards)
    kept = [("kept", c) for c in baseline if c.id not in incoming]
    return kept + [("imported", c) for c in cards]


def check_import(cards: Sequence[Card], *, retire_missing: bool = False) -> list[Issue]:
    """Problems the imported cards would cause together with the cards they join (repeated titles);
    each issue names an imported card's id as its item."""
    return [i for i in validate_cards(_resulting_cards(cards, retire_missing)) if i.file == "imported"]


@dataclass(frozen=True)
class SyncResult:
    added: int
    updated: int
    unchanged: int
    retired: int
    seeded: int  # bundled cards stored first because nothing was stored yet


def sync_cards(cards: Iterable[Card], now: datetime, *, retire_missing: bool = False) -> SyncResult:
    """Upsert cards by id. When no card is stored yet, the bundled cards are stored first, so an import
    changes what residents see instead of replacing it. A card is never deleted: missing ones can be
    retired, which keeps their ids from being reused."""
    stored = {row.id: row for row in db.session.scalars(select(KnowledgeCard))}
    seeded = 0
    if not stored:
        for card in bundled_cards():
            stored[card.id] = KnowledgeCard(id=card.id, status=ACTIVE, data=card_data(card), updated_at=now)
            db.session.add(stored[card.id])
            seeded += 1
    incoming = {c.id: c for c in cards}
    added = updated = unchanged = retired = 0
    for card_id, card in incoming.items():
        data, row = card_data(card), stored.get(card_id)
        if row is None:
            db.session.add(KnowledgeCard(id=card_id, status=ACTIVE, data=data, updated_at=now))
            added += 1
        elif row.data != data or row.status != ACTIVE:
            row.data, row.status, row.updated_at = data, ACTIVE, now
            updated += 1
        else:
            unchanged += 1
    if retire_missing:
        for card_id, row in stored.items():
            if card_id not in incoming and row.status != RETIRED:
                row.status, row.updated_at = RETIRED, now
                retired += 1
    db.session.flush()
    defer(forget_library)
    return SyncResult(added, updated, unchanged, retired, seeded)


def question_key(text: str) -> str:
    """The normalised text an unmatched question is counted by (long digit runs masked)."""
    return _mask(normalise(text))[:MAX_QUESTION]


def _mask(text: str) -> str:
    return _DIGIT_RUN.sub(lambda m: "*" * len(m.group()), text)


def record_unmatched(text: str, now: datetime) -> None:
    """Count a question no card answered, by its normalised text. Who asked is not stored: no openid, and
    digit runs of five or more (phone, ID and bank card numbers) are masked."""
    key = question_key(text)
    if not key:
        return
    values = {"text": key, "sample": _mask(" ".join(text.split()))[:MAX_QUESTION], "count": 1,
              "first_seen": now, "last_seen": now}  # fmt: skip
    insert = pg_insert if db.session.get_bind().dialect.name == "postgresql" else sqlite_insert
    statement = insert(UnmatchedQuestion).values(**values)
    statement = statement.on_conflict_do_update(
        index_elements=[UnmatchedQuestion.text],
        set_={"count": UnmatchedQuestion.count + 1, "last_seen": statement.excluded.last_seen},
    )
    db.session.execute(statement)
    db.session.flush()


def top_unmatched(limit: int = 20) -> list[UnmatchedQuestion]:
    """The most asked unanswered questions: by count, then the most recently asked."""
    query = select(UnmatchedQuestion).order_by(
        UnmatchedQuestion.count.desc(), UnmatchedQuestion.last_seen.desc(), UnmatchedQuestion.id
    )
    return list(db.session.scalars(query.limit(limit)))


def clear_unmatched() -> int:
    """Forget every recorded question (after staff added the cards they asked for)."""
    deleted = db.session.execute(delete(UnmatchedQuestion)).rowcount
    db.session.flush()
    return deleted or 0
