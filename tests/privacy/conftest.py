"""Privacy fixtures: the quiz campaign (clock frozen on day 2) and the leaderboard campaign."""

from __future__ import annotations

from tests.leaderboards.conftest import lb_campaign  # noqa: F401 (fixture)
from tests.quiz.conftest import campaign, embedded_campaign  # noqa: F401 (fixtures)
