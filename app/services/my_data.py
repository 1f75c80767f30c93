"""A resident's own personal data: what is stored about them, and erasing it on request (PIPL).

Erasure rule: the participant row stays (so anonymous score totals, team totals and rankings stay
correct) but loses everything personal: the name becomes ANONYMOUS_NAME, phone and work unit are
cleared, and the openid is replaced by a random pseudonym (the WeChat account is no longer linked, so
the resident can register again as a new person). Public boards then show "匿*". Real-name tips: the
tipster identity (openid, name, phone) is deleted while the tip's content stays for the case; the
resident is told the office can no longer contact them. Every erasure writes an audit row without
personal data.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select

from app import personal_data
from app.extensions import db
from app.models.campaign import Campaign, Team
from app.models.paper import SUBMITTED, Paper
from app.models.participant import Enrollment, Participant
from app.models.tip import Tip, TipIdentity
from app.services import after_commit, audit, registration

ANONYMOUS_NAME = "匿名"
PSEUDONYM_PREFIX = "erased:"


@dataclass(frozen=True)
class TipRecord:
    receipt: str
    status: str
    submitted_at: datetime
    name_masked: str
    phone_masked: str
    consent_version: str | None


@dataclass(frozen=True)
class MyData:
    registered: bool
    name: str | None = None
    phone_masked: str | None = None
    work_unit: str | None = None
    teams: list[str] = field(default_factory=list)
    consent_version: str | None = None
    consent_at: datetime | None = None
    registered_at: datetime | None = None
    papers: int = 0
    total_score: int = 0
    tips: list[TipRecord] = field(default_factory=list)


def _identities_of(openid: str) -> list[TipIdentity]:
    """The real-name tip identities linked to this WeChat account, found by the openid's blind index (the
    encrypted openid is randomised); the decrypted openid is checked as well."""
    rows = db.session.scalars(
        select(TipIdentity).where(TipIdentity.openid_index.in_(personal_data.blind_indexes(openid)))
    )
    return [row for row in rows if personal_data.decrypt(row.openid_enc) == openid]


def describe(openid: str) -> MyData:
    """Everything stored about the resident behind `openid`, phones and tipster identities masked."""
    tips = []
    for identity in _identities_of(openid):
        tip = db.session.get(Tip, identity.tip_id)
        tips.append(
            TipRecord(
                tip.receipt,
                tip.status,
                tip.created_at,
                personal_data.mask_name(personal_data.decrypt(identity.name_enc)),
                personal_data.mask_phone(personal_data.decrypt(identity.phone_enc)),
                identity.consent_version,
            )
        )
    participant = registration.get_participant(openid)
    if participant is None:
        return MyData(registered=False, tips=tips)
    teams = [
        f"{campaign_name}：{team_name}"
        for campaign_name, team_name in db.session.execute(
            select(Campaign.name, Team.name)
            .join(Enrollment, Enrollment.campaign_id == Campaign.id)
            .join(Team, Team.id == Enrollment.team_id)
            .where(Enrollment.participant_id == participant.id)
            .order_by(Campaign.starts_at)
        )
    ]
    papers = db.session.execute(
        select(Paper.score, Paper.counted).where(
            Paper.participant_id == participant.id, Paper.status == SUBMITTED
        )
    ).all()
    return MyData(
        registered=True,
        name=participant.name,
        phone_masked=participant.phone_masked,
        work_unit=participant.work_unit,
        teams=teams,
        consent_version=participant.consent_version,
        consent_at=participant.consent_at,
        registered_at=participant.created_at,
        papers=len(papers),
        total_score=sum(score or 0 for score, counted in papers if counted),
        tips=tips,
    )


@dataclass(frozen=True)
class Erasure:
    participant_erased: bool
    tip_identities_deleted: int


def erase(openid: str, *, now: datetime) -> Erasure:
    """Remove the resident's personal fields and unlink their WeChat account; keep anonymous scores."""
    identities = _identities_of(openid)
    for identity in identities:
        db.session.delete(identity)
    participant = registration.get_participant(openid)
    if participant is not None:
        anonymise(participant, now=now)
        participant.openid = PSEUDONYM_PREFIX + secrets.token_hex(16)
    target = participant.id if participant is not None else "-"
    detail = f"tip identities deleted: {len(identities)}"
    audit.record("resident", "personal_data.erase", "participant", target, now=now, detail=detail)
    db.session.flush()
    return Erasure(participant is not None, len(identities))


def anonymise(participant: Participant, *, now: datetime) -> None:
    """Clear name, phone and work unit (the retention purge and erasure share this); the public boards'
    display name follows after commit."""
    participant.name = ANONYMOUS_NAME
    participant.phone_enc = participant.phone_masked = participant.work_unit = None
    participant.updated_at = now
    after_commit.publish("participant_renamed", participant.id)
