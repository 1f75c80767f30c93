"""The retention job purges names, phones and work units N days after a campaign ends, only once its final
results are frozen; scores stay; residents of a later, running campaign keep their details."""

from __future__ import annotations

import random
from datetime import timedelta

from sqlalchemy import select

from app import clock
from app.extensions import db
from app.jobs.registry import by_name
from app.jobs.runner import run_job
from app.models.participant import Participant
from app.services import audit, papers, publications
from tests.anticheat.test_too_fast import submit_paper
from tests.factories import load_bundled_bank, make_campaign, make_participant
from tests.leaderboards.conftest import DAY1_EVENING


def people():
    db.session.expire_all()
    return {p.openid: p for p in db.session.scalars(select(Participant))}


def test_purge_waits_for_final_results_and_the_retention_period(app, ctx):
    load_bundled_bank()
    app.config["PERSONAL_DATA_RETENTION_DAYS"] = 30
    clock.freeze(DAY1_EVENING)
    old = make_campaign(slug="spring")
    later = make_campaign(slug="autumn", start=old.ends_at + timedelta(days=20), days=30)
    a = make_participant(old, openid="o_only_old", name="王芳", phone="13800138000")
    make_participant(old, openid="o_both", name="李强", phone="13900139000")
    submit_paper(a, old, DAY1_EVENING, random.Random(1), used_s=120)
    score = papers.cumulative_score(a.participant, old)
    job = by_name("purge_personal_data")
    assert job.trigger == "cron"

    def run(at):
        clock.freeze(at)
        assert run_job(app, job.name, job.fn, run_key=at.isoformat(), now=at)
        return people()

    clock.freeze(later.starts_at + timedelta(hours=1))
    make_participant(later, openid="o_both", name="李强", region="31", phone="13900139000")

    after_days = old.ends_at + timedelta(days=31)
    assert run(after_days)["o_only_old"].name == "王芳"  # no final results yet: never purged
    clock.freeze(old.ends_at + timedelta(hours=1))
    publications.freeze_final(old, clock.now())
    db.session.commit()
    assert run(old.ends_at + timedelta(days=29, hours=23))["o_only_old"].phone_enc is not None  # too early

    found = run(after_days)
    gone = found["o_only_old"]
    assert (gone.name, gone.phone_enc, gone.phone_masked, gone.work_unit) == ("匿名", None, None, None)
    assert papers.cumulative_score(gone, old) == score  # anonymous score stays
    kept = found["o_both"]
    assert kept.name == "李强" and kept.phone_enc  # still in the running autumn campaign
    assert [r.action for r in audit.trail("campaign", old.id)] == ["personal_data.purge"]
    assert run(after_days + timedelta(days=1))["o_both"].name == "李强"
    assert len(audit.trail("campaign", old.id)) == 1  # a second run finds nothing more to purge
