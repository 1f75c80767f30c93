"""Shared benchmark set-up: a phase timer and the campaign every data-loading benchmark starts from."""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import date

from app import clock
from app.extensions import db
from app.services import leaderboards
from bench import leaderboard_measure as measure
from tests.factories import load_bundled_bank, make_campaign


class PhaseTimer:
    """`phase("label")` records the seconds since the previous phase in `took` and prints a progress line."""

    def __init__(self) -> None:
        self.took: dict[str, float] = {}
        self._tick = time.perf_counter()

    def __call__(self, label: str) -> None:
        now = time.perf_counter()
        self.took[label], self._tick = now - self._tick, now
        print(f"[{time.strftime('%H:%M:%S')}] {label}: {self.took[label]:.1f} s", flush=True)


@dataclass(frozen=True)
class BenchCampaign:
    campaign_id: int
    slug: str
    first_day: date
    team_ids: list[int]


def fresh_campaign(namespace: str, days: int) -> BenchCampaign:
    """Inside an app context on a migrated, empty database: an empty Redis namespace, the bundled bank and a
    campaign of `days` days, committed (and not touched again until the COPY load is over: it ALTERs tables)."""
    measure.clear_namespace(leaderboards.redis_client(), namespace)
    load_bundled_bank()
    campaign = make_campaign(slug="bench", days=days)
    made = BenchCampaign(
        campaign.id, campaign.slug, clock.campaign_day(campaign.starts_at), [t.id for t in campaign.teams]
    )
    db.session.commit()
    return made
