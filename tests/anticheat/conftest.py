"""Anti-cheat fixtures: the leaderboard and quiz campaigns."""

from __future__ import annotations

from tests.leaderboards.conftest import lb_campaign  # noqa: F401 (fixture)
from tests.quiz.conftest import campaign, embedded_campaign  # noqa: F401 (fixtures)
