"""Scenario (d) at scale: the same HTTP leaderboard reads with millions of residents on the individuals board.

The bench campaign's live board gets `size` synthetic residents (bench/leaderboard_measure.py
synthetic_board: random scores, participant ids far above the real ones) plus the bench's real registered
residents who read it, each with a score somewhere in the board, so "my rank" is a rank among millions. The
team boards are left as they are (the drift check compares paper counts, which do not change). Afterwards the
individuals board is deleted and rebuilt from the database, so nothing synthetic is left behind.
"""

from __future__ import annotations

import random
import time

from sqlalchemy import select

from app import clock
from app.extensions import db
from app.models.campaign import Campaign
from app.models.participant import Enrollment, Participant
from app.services import campaigns, leaderboard_rebuild, leaderboards
from bench.leaderboard_measure import synthetic_board

FIRST_SYNTHETIC_PID = 100_000_000  # far above any id the bench registers


def label(size: int) -> str:
    return f"{size / 1e6:g}M" if size >= 1_000_000 else f"{size:,}"


def ensure_ready(app) -> None:  # noqa: ANN001
    """Build the open campaign's boards now if the scheduler's watchdog has not yet (until then every read
    is answered from SQL, which is not what scenario (d) measures)."""
    with app.app_context():
        campaign = campaigns.current_campaign(clock.now())
        if not leaderboards.is_ready(campaign):
            leaderboard_rebuild.rebuild(campaign, clock.now())
            db.session.commit()
        db.session.remove()


def fill(app, openids: list[str], size: int) -> tuple[int, str]:  # noqa: ANN001
    """Put `size` synthetic residents and the residents `openids` on the open campaign's individuals board
    (rebuilt first if the watchdog has not built it yet). Returns (campaign id, individuals key)."""
    started = time.monotonic()
    rng = random.Random(9)
    ensure_ready(app)
    with app.app_context():
        campaign = campaigns.current_campaign(clock.now())
        real = list(
            db.session.scalars(
                select(Participant.id)
                .join(Enrollment, Enrollment.participant_id == Participant.id)
                .where(Participant.openid.in_(openids), Enrollment.campaign_id == campaign.id)
            )
        )
        client = leaderboards.redis_client()
        keys = {"individuals": leaderboards._k(campaign.id, "individuals")}  # noqa: SLF001
        synthetic_board(client, keys, range(FIRST_SYNTHETIC_PID, FIRST_SYNTHETIC_PID + size), rng)
        synthetic_board(client, keys, real, rng)
        total = client.zcard(keys["individuals"])
        memory = client.memory_usage(keys["individuals"], samples=100) or 0
        cid = campaign.id
        db.session.remove()
    print(f"  board: {total:,} residents on the individuals board ({memory / 2**20:,.0f} MiB in Redis), "
          f"built in {time.monotonic() - started:.0f}s", flush=True)  # fmt: skip
    return cid, keys["individuals"]


def clean(app, campaign_id: int, key: str) -> None:  # noqa: ANN001
    """Drop the synthetic board and rebuild the real one from the database."""
    with app.app_context():
        client = leaderboards.redis_client()
        client.unlink(key)
        leaderboard_rebuild.rebuild(db.session.get(Campaign, campaign_id), clock.now())
        db.session.commit()
        db.session.remove()


def run(bench, app_url: str, floor_rps: float, boards) -> None:  # noqa: ANN001
    """The (d) row again, with bench.args.board_size residents on the board."""
    size = bench.args.board_size
    if not size:
        return
    name = f"(d) top-10 + my rank (HTTP), {label(size)} on the board"
    campaign_id, key = fill(bench.app, [u.openid for u in bench.board_users], size)
    try:
        result = bench.find_max(f"(d) {label(size)} on the board", app_url, boards, server="app", guess=1500)
        bench.record(name, "fangfei", result, floor_rps, target="> 2000/s")
    finally:
        clean(bench.app, campaign_id, key)
