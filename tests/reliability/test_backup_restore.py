"""The restore drill of docs/operations.md: `pg_dump -Fc` of a live campaign, `pg_restore` into a fresh
database, every leaderboard rebuilt from the restored papers equals the original Redis boards."""

from __future__ import annotations

import shutil
import subprocess
from datetime import timedelta
from pathlib import Path

import pytest
import redis as redis_lib
from sqlalchemy import func, select, text

from app import clock
from app.extensions import db
from app.models.campaign import Campaign
from app.services import leaderboard_rebuild, leaderboards, publications
from tests.conftest import build_app
from tests.leaderboards.conftest import DAY1_EVENING, populate
from tests.support import services

PG_BIN = Path("/usr/lib/postgresql/15/bin")


def tool(name: str) -> str:
    path = PG_BIN / name
    return str(path) if path.exists() else (shutil.which(name) or name)


def boards(campaign: Campaign) -> dict:
    """Every board from Redis: individuals (order and packed points/time), cumulative and daily team
    boards, the top-10 with masked names, and each resident's rank."""
    assert leaderboards.is_ready(campaign)
    first = clock.campaign_day(campaign.starts_at)
    days = [first + timedelta(days=d) for d in range(4)]
    return {
        "individuals": leaderboards._ordered(campaign, None),  # noqa: SLF001
        "top10": [r.as_dict() for r in leaderboards.top_individuals(campaign, 10)],
        "teams": [r.as_dict() for r in leaderboards.team_board(campaign)],
        **{f"day {d}": [r.as_dict() for r in leaderboards.team_board(campaign, d)] for d in days},
    }


def table_counts() -> dict[str, int]:
    return {t.name: db.session.scalar(select(func.count()).select_from(t)) for t in db.metadata.sorted_tables}


def test_dump_restore_rebuilds_every_board_identically(app, lb_campaign, pg_url, tmp_path):
    populate(lb_campaign, n_people=45, days=3, seed=17)
    clock.freeze(DAY1_EVENING + timedelta(days=3))
    publications.publish_day(lb_campaign, clock.campaign_day(DAY1_EVENING), clock.now())
    db.session.commit()
    leaderboard_rebuild.rebuild(lb_campaign, clock.now())
    original, counts = boards(lb_campaign), table_counts()
    assert len(original["individuals"]) > 30 and counts["papers"] > 80

    dump = tmp_path / "fangfei.dump"
    source = pg_url.rsplit("/", 1)[1]
    subprocess.run(  # noqa: S603
        [tool("pg_dump"), "-h", "127.0.0.1", "-U", "postgres", "-Fc", "-f", str(dump), source],
        check=True,
        capture_output=True,
        timeout=120,
    )
    name, restored_url = services.create_pg_database("fangfei_restore")
    try:
        subprocess.run(  # noqa: S603
            [
                tool("pg_restore"),
                "-h",
                "127.0.0.1",
                "-U",
                "postgres",
                "--no-owner",
                "--exit-on-error",
                "-d",
                name,
                str(dump),
            ],
            check=True,
            capture_output=True,
            timeout=120,
        )
        # A fresh Redis namespace: the restored deployment starts with no boards at all.
        restored = build_app(
            restored_url, app.config["REDIS_URL"], REDIS_NAMESPACE=f"{services.REDIS_NAMESPACE}r"
        )
        with restored.app_context():
            assert table_counts() == counts
            head = db.session.execute(text("SELECT version_num FROM alembic_version")).scalar()
            assert head == "0001"
            campaign = db.session.scalar(select(Campaign).where(Campaign.slug == lb_campaign.slug))
            assert not leaderboards.is_ready(campaign)
            result = leaderboard_rebuild.rebuild(campaign, clock.now())
            print(
                f"\nrestored {counts['papers']} papers; rebuilt boards for {result.participants} residents "
                f"in {result.seconds:.2f} s; dump {dump.stat().st_size // 1024} KiB"
            )
            assert boards(campaign) == original
            pubs = [(p.day, p.kind, p.rows) for p in publications.published(campaign)]
            assert len(pubs) == 2 and all(rows for _, _, rows in pubs)
            db.session.remove()
            db.engine.dispose()
    finally:
        services.drop_pg_database(name)
        client = redis_lib.Redis.from_url(app.config["REDIS_URL"])
        for key in client.scan_iter(match=f"{services.REDIS_NAMESPACE}r:*", count=1000):
            client.delete(key)


@pytest.mark.parametrize("binary", ["pg_dump", "pg_restore"])
def test_backup_tools_match_the_server(binary):
    """The drill's tools are PostgreSQL 15, like the server (a newer dump cannot always be restored)."""
    out = subprocess.run([tool(binary), "--version"], capture_output=True, text=True, check=True).stdout  # noqa: S603
    assert " 15." in out, out
