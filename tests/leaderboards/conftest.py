"""Leaderboard fixtures: a campaign and a builder for submitted papers through the real services."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import pytest

from app import clock
from app.extensions import db
from app.services import papers
from tests.factories import load_bundled_bank, make_campaign, make_participant

DAY1_EVENING = datetime(2026, 6, 15, 12, 0, tzinfo=UTC)  # 2026-06-15 20:00 CST


def submit_paper(enrollment, campaign, when: datetime, rng: random.Random, used_s: int | None = None):
    """Issue today's paper at `when`, mark a random subset right, submit after `used_s` seconds."""
    paper = papers.todays_paper(enrollment, campaign, when)
    for item in paper.items:
        right = rng.random() < 0.6
        item.given = item.answer_key if right else "X"
        item.awarded = item.points if right else 0
        item.answered_at = when
    used = used_s if used_s is not None else rng.randint(40, 400)
    papers.submit(paper, when + timedelta(seconds=used), 20)
    db.session.commit()
    return paper


_SURNAMES = "赵钱孙李周吴郑王冯陈褚卫蒋沈韩杨朱秦尤许何吕施张孔曹严华金魏陶姜"
_GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰"


def cn_name(i: int) -> str:
    """A distinct Chinese name for resident i (names may not contain digits)."""
    return _SURNAMES[i % 30] + _GIVEN[(i // 30) % 30] + _GIVEN[(i // 900) % 30]


def populate(campaign, n_people: int = 40, days: int = 3, seed: int = 7, regions=None, prefix: str = "o_"):
    """n residents across teams, each playing on a random subset of `days` days."""
    rng = random.Random(seed)
    codes = regions or [t.code for t in campaign.teams]
    enrollments = [
        make_participant(campaign, openid=f"{prefix}{i:04d}", name=cn_name(i), region=rng.choice(codes))
        for i in range(n_people)
    ]
    for d in range(days):
        for e in enrollments:
            if rng.random() < 0.7:
                when = DAY1_EVENING + timedelta(days=d, minutes=rng.randint(0, 120))
                clock.freeze(when)
                submit_paper(e, campaign, when, rng)
    return enrollments


@pytest.fixture
def lb_campaign(app):
    with app.app_context():
        load_bundled_bank()
        campaign = make_campaign()
        clock.freeze(DAY1_EVENING)
        yield campaign
    clock.freeze(None)
