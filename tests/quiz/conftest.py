"""Quiz fixtures: the bundled bank, a campaign open at a frozen time."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from app import clock
from tests.factories import load_bundled_bank, make_campaign

# 2026-06-16 20:00 in Asia/Shanghai: day 2 of the default test campaign.
EVENING = datetime(2026, 6, 16, 12, 0, tzinfo=UTC)


@pytest.fixture
def campaign(app):
    with app.app_context():
        load_bundled_bank()
        c = make_campaign()
        clock.freeze(EVENING)
        yield c
    clock.freeze(None)


@pytest.fixture
def embedded_campaign(embedded_app):
    with embedded_app.app_context():
        load_bundled_bank()
        c = make_campaign()
        clock.freeze(EVENING)
        yield c
    clock.freeze(None)
