"""Two real `flask scheduler run` processes (an active one and a standby) on one PostgreSQL and one Redis:
the daily Top-10 publication happens exactly once, and the standby carries on when the active one is killed.

The schedulers run with FANGFEI_SCHEDULER_INTERVAL_SCALE=0.02 (the 60 s publication check every 1.2 s);
nothing else differs from production. Their clock is the real one, so the campaigns are created with a
publication time that has just passed in Asia/Shanghai.

Why this fails without the guards: the test makes both schedulers reach the publication at the same moment
(it holds a table lock that blocks every INSERT INTO publications until the second scheduler has tried too).
- Without the job lock (app/jobs/runner.py) and without UNIQUE(campaign_id, day, kind), both pass the
  "already published?" check, both INSERTs wait, both commit: two rows per kind, the count assertion fails.
- Without the job lock alone, the constraint keeps one row, but both schedulers run the publication and
  log it, and none is refused: the "exactly one published / the other was refused" assertions fail.
- Without the job lock, step 1 below (both refused while the test holds the lock) times out even earlier.
Checked by hand on a copy of the tree (run_job without store.acquire; the constraint dropped in the test
database; step 1 replaced by "both started" to reach the race): each variant failed as described, and with
the lock alone (constraint dropped) the test passes: the lock is the guard, the constraint the backstop.
"""

from __future__ import annotations

import random
import secrets
import time as timer
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, time, timedelta
from pathlib import Path

import psycopg
import pytest
import redis
from sqlalchemy import select

from app import clock, redis_keys
from app.extensions import db
from app.models.campaign import Campaign
from app.models.leaderboard import Publication
from app.services import standings
from bench.load.stack import Proc, StackEnv, flask
from tests.conftest import build_app, upgrade
from tests.factories import load_bundled_bank, make_campaign, make_participant
from tests.leaderboards.conftest import cn_name, submit_paper
from tests.support import services

SCALE = "0.02"  # publish_due every 1.2 s instead of 60 s
TICK = "job publish_due (tick)"
REFUSED = "job publish_due (tick) already running elsewhere"


@dataclass
class Stack:
    env: StackEnv
    app: object  # the test's own Flask app on the same database (no Redis: it only seeds and checks)
    dsn: str
    redis: redis.Redis
    lock_name: str
    log_dir: Path


@pytest.fixture
def stack(tmp_path: Path) -> Iterator[Stack]:
    for service, why in (("PostgreSQL", services.pg_available()), ("Redis", services.redis_available())):
        if why:
            services.unavailable(service, why)
    name, url = services.create_pg_database("fangfei_sched")
    namespace = f"ffsched{uuid.uuid4().hex[:8]}"
    app = build_app(url, REDIS_NAMESPACE=namespace)
    client = redis.Redis.from_url(services.REDIS_URL)
    try:
        upgrade(app)
        with app.app_context():
            load_bundled_bank()
            lock_name = redis_keys.job_lock("publish_due", "tick").name
        extra = {
            "FANGFEI_SCHEDULER_INTERVAL_SCALE": SCALE,
            "FANGFEI_LOG_LEVEL": "INFO",  # the runner logs each attempt, run or refused, at INFO
            "FANGFEI_DB_TIMEOUT": "4.9",  # production allows < 5 s; the test holds its table lock 3.5 s at most
        }
        env = StackEnv(url, services.REDIS_URL, namespace, "http://127.0.0.1:9/", extra=extra)
        dsn = services.PG_ADMIN_DSN.replace("dbname=postgres", f"dbname={name}")
        yield Stack(env, app, dsn, client, lock_name, tmp_path)
    finally:
        clock.freeze(None)
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
        services.drop_pg_database(name)
        for key in client.scan_iter(match=f"{namespace}:*", count=1000):
            client.delete(key)


def due_campaign(stack: Stack, slug: str, n_people: int = 24) -> tuple[int, date]:
    """A campaign whose first day's publication time passed a minute ago (real time); papers on that day."""
    moment = clock.local(clock.now() - timedelta(minutes=1))
    published_on = moment.date()  # publication of the day before, at HH:MM of a minute ago
    day = published_on - timedelta(days=1)
    at = moment.time().replace(second=0, microsecond=0)
    start = clock.local_datetime(day, time(0, 0))
    evening = start + timedelta(hours=19)
    rng = random.Random(slug)
    with stack.app.app_context():
        clock.freeze(evening)  # the test process seeds "yesterday evening"; the schedulers use real time
        campaign = make_campaign(slug=slug, start=start, days=2, publish_time=at)
        codes = [t.code for t in campaign.teams][:13]
        for i in range(n_people):
            clock.freeze(evening + timedelta(minutes=i))
            enrollment = make_participant(
                campaign, openid=f"o_{slug}_{i:03d}", name=cn_name(i), region=codes[i % 13]
            )
            submit_paper(enrollment, campaign, evening + timedelta(minutes=i), rng)
        clock.freeze(None)
        campaign_id = campaign.id
        db.session.remove()
    return campaign_id, day


def sql(stack: Stack, query: str, *params):  # noqa: ANN002, ANN201
    with psycopg.connect(stack.dsn) as conn:
        return conn.execute(query, params).fetchall()


def blocked_inserts(stack: Stack) -> int:
    return sql(
        stack,
        "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
        "AND wait_event_type = 'Lock' AND query ILIKE 'INSERT INTO publications%%'",
    )[0][0]


def wait_for(what: str, check: Callable[[], object], timeout: float, procs: list[Proc]) -> object:
    deadline = timer.monotonic() + timeout
    while timer.monotonic() < deadline:
        result = check()
        if result:
            return result
        for proc in procs:
            assert proc.popen.poll() is None, f"{proc.name} exited:\n{proc.log()[-3000:]}"
        timer.sleep(0.05)
    logs = "\n".join(f"--- {p.name}\n{p.log()[-2500:]}" for p in procs)
    raise AssertionError(f"timed out waiting for {what}\n{logs}")


def take_job_lock(stack: Stack, ttl_ms: int = 30_000) -> str:
    token = secrets.token_hex(8)
    assert stack.redis.set(stack.lock_name, token, nx=True, px=ttl_ms)
    return token


def release_job_lock(stack: Stack, token: str) -> None:
    assert stack.redis.get(stack.lock_name) == token.encode()
    stack.redis.delete(stack.lock_name)


def assert_published_once_from_sql(stack: Stack, campaign_id: int, day: date) -> None:
    rows = sql(
        stack,
        "SELECT kind, count(*) FROM publications WHERE campaign_id = %s GROUP BY kind ORDER BY kind",
        campaign_id,
    )
    assert rows == [("cumulative", 1), ("daily", 1)]
    points = dict(
        sql(
            stack,
            "SELECT t.code, sum(p.score) FROM papers p JOIN teams t ON t.id = p.team_id "
            "WHERE p.campaign_id = %s AND p.day = %s AND p.status = 'submitted' AND p.counted "
            "GROUP BY t.code",
            campaign_id,
            day,
        )
    )
    with stack.app.app_context():
        campaign = db.session.get(Campaign, campaign_id)
        made = {
            p.kind: p.rows
            for p in db.session.scalars(select(Publication).where(Publication.campaign_id == campaign_id))
        }
        _, end = clock.day_bounds(day)
        daily = [r.as_dict() for r in standings.team_standings_sql(campaign, day=day)[:10]]
        cumulative = standings.team_standings_sql(campaign, as_of=min(end, campaign.ends_at))[:10]
        assert made["daily"] == daily
        assert made["cumulative"] == [r.as_dict() for r in cumulative]
        db.session.remove()
    assert len(made["daily"]) == 10
    for row in made["daily"]:  # each published team's points are that day's sum of its counted papers
        assert row["points"] == int(points.get(row["code"], 0))
    every_team = sorted((int(points.get(t["code"], 0)) for t in _teams(stack, campaign_id)), reverse=True)
    assert [r["points"] for r in made["daily"]] == every_team[:10]  # and they are the ten best


def _teams(stack: Stack, campaign_id: int) -> list[dict]:
    return [{"code": c} for (c,) in sql(stack, "SELECT code FROM teams WHERE campaign_id = %s", campaign_id)]


def test_two_schedulers_publish_once_and_the_standby_takes_over(stack: Stack) -> None:
    first, day = due_campaign(stack, "sched1")
    token = take_job_lock(stack, 90_000)  # until both schedulers are up, the test "runs" the job
    scheds = [flask(stack.env, stack.log_dir, "scheduler", "run", name=f"sched{i}") for i in range(2)]
    try:
        # 1. Both processes attempt the job and are refused while someone else holds its lock.
        wait_for(
            "both schedulers to attempt publish_due",
            lambda: all(REFUSED in s.log() for s in scheds),
            45,
            scheds,
        )
        assert sql(stack, "SELECT count(*) FROM publications") == [(0,)]

        # 2. Line them up: every INSERT INTO publications waits for the test's table lock. One scheduler takes
        #    the job lock and blocks on the INSERT; the other must then be refused by the job lock.
        holder = psycopg.connect(stack.dsn)
        holder.execute("LOCK TABLE publications IN EXCLUSIVE MODE")  # reads go on, writes wait
        release_job_lock(stack, token)
        wait_for("a scheduler to block on the publication", lambda: blocked_inserts(stack) >= 1, 10, scheds)
        marks = [len(s.log()) for s in scheds]
        refused: set[str] = set()  # schedulers refused by the job lock while the publication was running
        deadline = timer.monotonic() + 3.5  # below the schedulers' 4.9 s statement timeout
        while timer.monotonic() < deadline and not refused and blocked_inserts(stack) < 2:
            refused = {s.name for s, m in zip(scheds, marks, strict=True) if REFUSED in s.log()[m:]}
            timer.sleep(0.05)
        holder.commit()
        holder.close()

        wait_for(
            "the publication", lambda: sql(stack, "SELECT count(*) FROM publications")[0][0] >= 2, 20, scheds
        )
        # 3. Several more ticks of both: nothing more is published.
        marks = [len(s.log()) for s in scheds]
        wait_for(
            "three more ticks of each scheduler",
            lambda: all(s.log()[m:].count(TICK) >= 3 for s, m in zip(scheds, marks, strict=True)),
            30,
            scheds,
        )
        assert_published_once_from_sql(stack, first, day)
        publishers = [s for s in scheds if f"published sched1:{day.isoformat()}" in s.log()]
        assert len(publishers) == 1, "exactly one scheduler published the day"
        others = {s.name for s in scheds if s is not publishers[0]}
        assert refused == others, "the other scheduler tried meanwhile and was refused by the job lock"

        # 4. The active scheduler dies (SIGKILL); the standby publishes the next due publication alone.
        active = publishers[0]
        standby = next(s for s in scheds if s is not active)
        active.popen.kill()
        assert active.popen.wait(10) == -9
        token = _lock_after_kill(stack)  # the test prepares the next campaign while holding the job lock
        second, day2 = due_campaign(stack, "sched2")
        release_job_lock(stack, token)
        done = f"published sched2:{day2.isoformat()}"  # logged just after the commit
        wait_for("the standby to publish the second campaign", lambda: done in standby.log(), 20, [standby])
        mark = len(standby.log())
        wait_for("two more ticks", lambda: standby.log()[mark:].count(TICK) >= 2, 20, [standby])
        assert_published_once_from_sql(stack, second, day2)
        assert_published_once_from_sql(stack, first, day)  # and the first campaign still has one of each
    finally:
        for s in scheds:
            s.stop()


def _lock_after_kill(stack: Stack) -> str:
    """Take the job lock; a lock left by the killed scheduler (rare: killed mid-run) expires by its TTL."""
    deadline = timer.monotonic() + 5  # the standby's own runs hold it for milliseconds
    while timer.monotonic() < deadline:
        token = secrets.token_hex(8)
        if stack.redis.set(stack.lock_name, token, nx=True, px=30_000):
            return token
        timer.sleep(0.05)
    assert 0 < stack.redis.ttl(stack.lock_name) <= 600  # a dead runner's lock never blocks forever
    stack.redis.delete(stack.lock_name)  # the test lets it expire now
    return take_job_lock(stack)
