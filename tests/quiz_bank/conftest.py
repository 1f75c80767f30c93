"""Fixtures for the quiz_bank tests: builders and a small valid bank."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from quiz_bank.schema import Question

from .samples import MORE, VALID, filler, question


@pytest.fixture
def make_question() -> Callable[..., Question]:
    return question


@pytest.fixture
def make_filler() -> Callable[..., list[Question]]:
    return filler


@pytest.fixture
def sample_bank() -> list[Question]:
    """Seven valid questions: every type, every source kind, one retired, one with 5 options."""
    return [Question.from_dict(d) for d in (*VALID.values(), *MORE)]
