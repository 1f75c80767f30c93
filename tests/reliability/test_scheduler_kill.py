"""The scheduler process SIGKILLed in the middle of a publication: the snapshot is complete or absent,
never partial, and the next run makes it. A real `run_job` in its own process; the test holds a row lock
so the job blocks between writing the daily board and the cumulative one, then kills it."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import redis as redis_lib
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.orm import Session

from app import redis_keys
from app.extensions import db
from app.models.leaderboard import Publication
from tests.leaderboards.conftest import populate
from tests.leaderboards.test_publication import DAY1, at_cst

ROOT = Path(__file__).resolve().parents[2]
WHEN = at_cst(DAY1 + timedelta(days=1), 10, 1)  # the publication of 06-15 is due

JOB = """
import sys
from datetime import datetime
from app import clock, create_app
from app.jobs.leaderboards import publish_due
from app.jobs.runner import run_job
when = datetime.fromisoformat(sys.argv[1])
clock.freeze(when)
app = create_app()
print("done" if run_job(app, "publish_due", publish_due, now=when) else "skipped", flush=True)
"""


def scheduler(app, pg_url: str, redis_url: str) -> subprocess.Popen:
    env = {
        **os.environ,
        "FANGFEI_ENV": "testing",
        "FANGFEI_DATABASE_URL": pg_url,
        "FANGFEI_REDIS_URL": redis_url,
        "FANGFEI_REDIS_NAMESPACE": app.config["REDIS_NAMESPACE"],
        "FANGFEI_DB_TIMEOUT": "30",  # the test, not the statement timeout, decides when it dies
    }
    return subprocess.Popen(  # noqa: S603
        [sys.executable, "-c", JOB, WHEN.isoformat()],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )


def blocked_backend(engine) -> int | None:
    """The job's backend, waiting for our lock on the cumulative snapshot row."""
    with engine.connect() as conn:
        return conn.execute(
            text(
                "SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
                "AND wait_event_type = 'Lock' AND query ILIKE 'INSERT INTO publications%'"
            )
        ).scalar()


def test_scheduler_killed_mid_publication(app, lb_campaign, pg_url, redis_url):
    populate(lb_campaign, n_people=12, days=1)
    campaign_id = lb_campaign.id
    db.session.remove()
    engine = create_engine(pg_url)
    holder = Session(engine)
    # The test takes the cumulative row first (uncommitted): the job writes the daily board, then waits.
    holder.add(
        Publication(
            campaign_id=campaign_id,
            day=DAY1,
            kind="cumulative",
            formula="total",
            as_of=WHEN,
            published_at=WHEN,
            rows=[],
        )
    )
    holder.flush()
    proc = scheduler(app, pg_url, redis_url)
    try:
        deadline = time.monotonic() + 30
        while (pid := blocked_backend(engine)) is None:
            assert proc.poll() is None, proc.stderr.read().decode()[-2000:]
            assert time.monotonic() < deadline, "the job never reached the cumulative snapshot"
            time.sleep(0.05)
        os.kill(proc.pid, signal.SIGKILL)  # the scheduler dies mid-transaction
        proc.wait(10)
    finally:
        if proc.poll() is None:
            proc.kill()
        holder.rollback()  # our row goes; the job's daily row must not survive either
        holder.close()
    deadline = time.monotonic() + 10
    with engine.connect() as conn:
        while conn.execute(text("SELECT 1 FROM pg_stat_activity WHERE pid = :p"), {"p": pid}).first():
            assert time.monotonic() < deadline
            time.sleep(0.05)
    count = select(func.count()).select_from(Publication).where(Publication.day == DAY1)
    assert db.session.scalar(count) == 0  # absent, not partial (no daily board without its cumulative)

    # The dead scheduler's job lock runs out after its TTL; the test lets it expire now.
    lock = redis_keys.job_lock("publish_due", "tick").name
    client = redis_lib.Redis.from_url(redis_url)
    assert 0 < client.ttl(lock) <= 600  # the lock of a dead runner never blocks forever
    client.delete(lock)

    rerun = scheduler(app, pg_url, redis_url)
    out, err = rerun.communicate(timeout=60)
    assert rerun.returncode == 0 and out.decode().strip() == "done", err.decode()[-2000:]
    db.session.remove()
    made = {p.kind: p for p in db.session.scalars(select(Publication).where(Publication.day == DAY1))}
    assert set(made) == {"daily", "cumulative"}
    assert len(made["daily"].rows) == 10 and len(made["cumulative"].rows) == 10
    engine.dispose()
