"""API fixtures: the quiz campaigns of tests/quiz (clock frozen on day 2), and a time-limited one."""

from __future__ import annotations

import pytest

from app import clock
from tests.factories import load_bundled_bank, make_campaign
from tests.quiz.conftest import EVENING, campaign, embedded_campaign  # noqa: F401 (fixtures)

TIME_LIMIT = 300


@pytest.fixture
def timed_campaign(app):
    """A campaign where a paper must be submitted within TIME_LIMIT seconds of being issued."""
    with app.app_context():
        load_bundled_bank()
        c = make_campaign(slug="timed", time_limit_seconds=TIME_LIMIT)
        clock.freeze(EVENING)
        yield c
    clock.freeze(None)
