"""Hostile-input fixtures: hypothesis profile shared by the fuzz tests."""

from __future__ import annotations

from hypothesis import HealthCheck, settings

from tests.admin.conftest import staff_client  # noqa: F401 (fixture)
from tests.leaderboards.conftest import lb_campaign  # noqa: F401 (fixture)

# Bounded so the folder runs in well under a minute; FANGFEI_FUZZ_EXAMPLES raises it for a long run.
settings.register_profile(
    "hostile",
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    derandomize=False,
    database=None,  # no .hypothesis/ directory in the shared tree
)
settings.load_profile("hostile")
