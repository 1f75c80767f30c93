"""Observability fixtures: the quiz campaign and the tip apps of the feature suites."""

from tests.quiz.conftest import campaign  # noqa: F401
from tests.tips.conftest import make_app, smtp  # noqa: F401
