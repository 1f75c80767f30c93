"""The daily tip after a finished paper: each card's tip in turn, none repeated until all were shown."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import bindparam, delete, insert, select

from app.extensions import db
from app.models.knowledge import DailyTipShown
from app.models.participant import Participant
from app.services import knowledge, registration

# Built once (Core, no unit of work): this runs after every finished chat paper.
_SHOWN = select(DailyTipShown.card_id).where(DailyTipShown.participant_id == bindparam("participant"))
_RECORD = insert(DailyTipShown.__table__)


def next_daily_tip(openid: str, now: datetime, participant: Participant | None = None) -> str | None:
    """The first card tip (cards by id) not yet shown to this resident, recorded as shown. When every tip
    has been shown, the rotation starts over. None for someone who never registered or when no card has
    a tip."""
    participant = participant or registration.get_participant(openid)
    tips = [(card.id, card.tip) for card in sorted(knowledge.library().cards, key=lambda c: c.id) if card.tip]
    if participant is None or not tips:
        return None
    shown = set(db.session.scalars(_SHOWN, {"participant": participant.id}))
    fresh = [(card_id, tip) for card_id, tip in tips if card_id not in shown]
    if not fresh:
        db.session.execute(delete(DailyTipShown).where(DailyTipShown.participant_id == participant.id))
        fresh = tips
    card_id, tip = fresh[0]
    db.session.execute(_RECORD, {"participant_id": participant.id, "card_id": card_id, "shown_at": now})
    return tip
