"""Personal-data jobs: the retention purge of residents' names and phones after a campaign."""

from __future__ import annotations

from datetime import datetime

from flask import current_app

from app.extensions import db
from app.services import retention


def purge_personal_data(now: datetime) -> str:
    """Anonymise residents PERSONAL_DATA_RETENTION_DAYS after their campaigns ended and were finalised."""
    result = retention.purge_personal_data(now, int(current_app.config["PERSONAL_DATA_RETENTION_DAYS"]))
    db.session.commit()
    return f"{result.participants} residents anonymised (campaigns {result.campaigns or 'none'})"
