"""Seed the load database in-process: schema, bank, an open campaign, registered residents, issued papers."""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import timedelta

from flask import Flask

from app import clock
from app.extensions import db
from app.models.campaign import Campaign
from app.services import bank, campaigns
from config.campaign_spec import CampaignSpec
from config.regions import DIVISIONS
from quiz_bank.loader import load_bank

# The default mix: 3 single choice, 3 true/false, 2 multiple choice, always in this order.
CHAT_ANSWERS = ("A", "A", "A", "对", "对", "对", "AB", "AB")


@dataclass(frozen=True)
class ApiUser:
    openid: str
    token: str
    paper_id: int
    answers: dict[str, str]
    ip: str


def prepare(app: Flask) -> int:
    """Schema, question bank and an open campaign (min 0 s per paper: the generator answers at once)."""
    from flask_migrate import upgrade

    with app.app_context():
        upgrade()
        bank.sync_questions(load_bank(), clock.now())
        now = clock.now()
        spec = CampaignSpec(
            slug="bench",
            name="压测活动",
            starts_at=clock.local(now - timedelta(days=1)),
            ends_at=clock.local(now + timedelta(days=10)),
            teams=DIVISIONS["national-32"],
            min_seconds_per_paper=0,
        )
        campaign = campaigns.upsert_campaign(spec, now)
        db.session.commit()
        return campaign.id


def register(app: Flask, prefix: str, count: int, batch: int = 2000) -> list[str]:
    """Register `count` consented residents spread over the 32 teams; returns their openids.

    Bulk inserts of the same rows `registration.register` writes (no phone, no work unit), so that tens of
    thousands of residents are ready in seconds."""
    from sqlalchemy import insert

    from app.models.participant import Enrollment, Participant
    from app.services.registration import PRIVACY_VERSION

    openids = [f"o{prefix}{i:07d}" for i in range(count)]
    started = time.monotonic()
    with app.app_context():
        campaign = db.session.get(Campaign, _campaign_id())
        team_ids = [t.id for t in campaign.teams]
        now = clock.now()
        for first in range(0, count, batch):
            chunk = openids[first : first + batch]
            rows = [
                {"openid": o, "name": "测试用户", "consent_version": PRIVACY_VERSION, "consent_at": now,
                 "created_at": now, "updated_at": now, "excluded": False}
                for o in chunk
            ]  # fmt: skip
            ids = db.session.scalars(insert(Participant).returning(Participant.id), rows).all()
            db.session.execute(
                insert(Enrollment),
                [
                    {"participant_id": pid, "campaign_id": campaign.id, "team_id": team_ids[(first + i) % 32],
                     "created_at": now}
                    for i, pid in enumerate(ids)
                ],
            )  # fmt: skip
            db.session.commit()
        db.session.remove()
    print(f"  registered {count} residents ({prefix}) in {time.monotonic() - started:.1f}s", flush=True)
    return openids


def issue_papers(app: Flask, openids: list[str], batch: int = 1000) -> list[ApiUser]:
    """Issue today's paper for each resident (the rows `papers.todays_paper` writes, drawn by the same
    composer, bulk-inserted) and an API token."""
    from sqlalchemy import insert, select

    from app.models.paper import OPEN, Paper, PaperItem
    from app.models.participant import Enrollment, Participant
    from app.web.api.auth import issue_token
    from quiz_bank.composer import draw_paper

    users: list[ApiUser] = []
    started = time.monotonic()
    with app.app_context():
        campaign = db.session.get(Campaign, _campaign_id())
        rules, now = campaigns.rules_of(campaign), clock.now()
        day, questions = clock.campaign_day(now), bank.all_questions()
        by_id = {q.id: q for q in questions}
        for first in range(0, len(openids), batch):
            chunk = openids[first : first + batch]
            found = db.session.execute(
                select(Participant.openid, Participant.id, Enrollment.team_id)
                .join(Enrollment, Enrollment.participant_id == Participant.id)
                .where(Participant.openid.in_(chunk), Enrollment.campaign_id == campaign.id)
            ).all()
            draws, rows = [], []
            for openid, pid, team_id in found:
                paper_seed = f"{campaign.slug}:{pid}:{day.isoformat()}:1"
                draws.append((openid, draw_paper(questions, rules.mix, set(), paper_seed,
                                                 shuffle_options=rules.shuffle_options)))  # fmt: skip
                rows.append({"participant_id": pid, "campaign_id": campaign.id, "team_id": team_id, "day": day,
                             "attempt": 1, "seed": paper_seed, "status": OPEN, "issued_at": now,
                             "max_score": rules.total_points, "counted": False, "day_bit": 0})  # fmt: skip
            ids = db.session.scalars(
                insert(Paper).returning(Paper.id, sort_by_parameter_order=True), rows
            ).all()
            items = []
            for paper_id, (openid, drawn) in zip(ids, draws, strict=True):
                answers = {}
                for i, d in enumerate(drawn, start=1):
                    items.append({"paper_id": paper_id, "position": i, "question_id": d.question_id,
                                  "qtype": d.type.value, "points": d.points, "option_order": list(d.option_order),
                                  "answer_key": by_id[d.question_id].answer})  # fmt: skip
                    answers[str(i)] = _answer(d.type.value)
                n = len(users)
                ip = f"10.{(n >> 16) & 255}.{(n >> 8) & 255}.{n & 255}"
                users.append(ApiUser(openid, issue_token(openid), paper_id, answers, ip))
            db.session.execute(insert(PaperItem), items)
            db.session.commit()
        db.session.remove()
    print(f"  issued {len(users)} papers in {time.monotonic() - started:.1f}s", flush=True)
    return users


def _answer(qtype: str) -> str:
    return {"single": "A", "judge": "对", "multiple": "AB"}[qtype]


def _campaign_id() -> int:
    """The campaign open now (the bench's, or the one a test set up)."""
    campaign = campaigns.current_campaign(clock.now())
    if campaign is None:
        raise RuntimeError("no open campaign: run prepare() first")
    return campaign.id


def tokens(app: Flask, prefix: str, count: int) -> list[ApiUser]:
    """API sessions for `count` residents who are not registered for the quiz (tips need no enrollment)."""
    from app.web.api.auth import issue_token

    with app.app_context():
        return [
            ApiUser(
                f"o{prefix}{i:07d}",
                issue_token(f"o{prefix}{i:07d}"),
                0,
                {},
                f"10.200.{(i >> 8) & 255}.{i & 255}",
            )
            for i in range(count)
        ]
