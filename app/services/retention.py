"""The retention rule for residents' personal data: purge names, phones and work units after a campaign.

Rule: a resident is purged once every campaign they joined ended at least
PERSONAL_DATA_RETENTION_DAYS ago AND has its final results frozen (`publications.freeze_final`, which
the prize export reads). A campaign without final results is never purged: prizes could not be sent.
Scores, papers, team totals and published snapshots (which hold no names) stay.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import or_, select

from app.extensions import db
from app.models.campaign import Campaign
from app.models.leaderboard import Publication
from app.models.participant import Enrollment, Participant
from app.services import audit
from app.services.my_data import ANONYMOUS_NAME, anonymise

FINAL_KIND = "final_individuals"


@dataclass(frozen=True)
class PurgeResult:
    campaigns: list[int]
    participants: int


def purgeable_campaign_ids(now: datetime, days: int) -> set[int]:
    """Campaigns that ended `days` or more ago and have frozen final results."""
    finalized = select(Publication.campaign_id).where(Publication.kind == FINAL_KIND)
    return set(
        db.session.scalars(
            select(Campaign.id).where(
                Campaign.ends_at <= now - timedelta(days=days), Campaign.id.in_(finalized)
            )
        )
    )


def purge_personal_data(now: datetime, days: int) -> PurgeResult:
    """Anonymise every resident whose campaigns are all purgeable (see the module rule); idempotent."""
    ready = purgeable_campaign_ids(now, days)
    if not ready:
        return PurgeResult([], 0)
    still_needed = select(Enrollment.participant_id).where(Enrollment.campaign_id.not_in(ready))
    query = (
        select(Participant)
        .join(Enrollment, Enrollment.participant_id == Participant.id)
        .where(
            Enrollment.campaign_id.in_(ready),
            Participant.id.not_in(still_needed),
            or_(
                Participant.name != ANONYMOUS_NAME,
                Participant.phone_enc.is_not(None),
                Participant.phone_masked.is_not(None),
                Participant.work_unit.is_not(None),
            ),
        )
        .distinct()
    )
    count = 0
    for participant in db.session.scalars(query):
        anonymise(participant, now=now)
        count += 1
    for cid in sorted(ready):
        if count:
            audit.record(
                "system", "personal_data.purge", "campaign", cid, now=now, detail=f"{count} residents"
            )
    db.session.flush()
    return PurgeResult(sorted(ready), count)
