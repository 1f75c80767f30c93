"""What one leaderboard read over HTTP costs the server (scenario (d)): SQL statements, Redis commands, Python
calls and CPU ms per request of the team board and "my rank", in-process (the production app against real
PostgreSQL and Redis, boards built as the scheduler's watchdog would).

    .venv/bin/python -m bench.load.profile_board [--requests 400] [--top 25]
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import statistics
import time
import uuid
from pathlib import Path

from app import clock, create_app
from app.extensions import db
from bench.load import gen, seed
from bench.load.profile_chat import Counts
from bench.load.stack import StackEnv
from config import load_settings
from tests.support import services


def measure(requests: int, top: int, board: int = 0) -> str:
    name, url = services.create_pg_database(prefix="ffprofile")
    env = StackEnv(url, services.REDIS_URL, f"ffprofile{uuid.uuid4().hex[:6]}", "http://127.0.0.1:9/")
    saved = {k: v for k, v in os.environ.items() if k.startswith("FANGFEI_")}
    os.environ.update({k: v for k, v in env.environ().items() if k.startswith("FANGFEI_")})
    app = create_app(load_settings("production", environ=env.environ()))
    counts = Counts()
    out = []
    try:
        campaign_id = seed.prepare(app)
        users = seed.issue_papers(app, seed.register(app, "prof", 200))
        with app.app_context():
            from app.models.campaign import Campaign
            from app.services import leaderboard_rebuild

            leaderboard_rebuild.rebuild(db.session.get(Campaign, campaign_id), clock.now())
        if board:  # millions on the individuals board (bench/load/board_scale.py)
            from bench.load import board_scale

            board_scale.fill(app, [u.openid for u in users], board)
        with app.app_context():
            counts.watch(db.engine)
        client = app.test_client()
        records = list(gen.leaderboard_reads(users, requests))
        for _, path, headers, _ in records[:40]:  # warm the caches
            assert client.get(path, headers=headers).status_code == 200
        by_path: dict[str, list[tuple[int, int, float]]] = {}
        for _, path, headers, _ in records:
            sql, cmds = counts.sql, counts.redis
            cpu = time.thread_time()
            res = client.get(path, headers=headers)
            res.get_data()
            spent = (time.thread_time() - cpu) * 1000
            by_path.setdefault(path, []).append((counts.sql - sql, counts.redis - cmds, spent))
        for path, rows in by_path.items():
            out.append(f"{path}: SQL {statistics.median(r[0] for r in rows):.1f}, Redis "
                       f"{statistics.median(r[1] for r in rows):.1f}, CPU ms median "
                       f"{statistics.median(r[2] for r in rows):.3f}")  # fmt: skip
        profile = cProfile.Profile()
        profile.enable()
        for _, path, headers, _ in records:
            client.get(path, headers=headers).get_data()
        profile.disable()
        stats = pstats.Stats(profile)
        profile.dump_stats(str(Path("/tmp") / "profile_board.pstats"))
        out.append(f"Python calls per request: {stats.total_calls / len(records):.0f}")
        buf = io.StringIO()
        pstats.Stats(profile, stream=buf).sort_stats("cumulative").print_stats(top)
        out.append(buf.getvalue())
        buf = io.StringIO()
        pstats.Stats(profile, stream=buf).sort_stats("tottime").print_stats(top)
        out.append(buf.getvalue())
    finally:
        counts.unwatch()
        services.drop_pg_database(name)
        from bench.load_bench import _clear

        _clear(env.namespace)
        for key in [k for k in os.environ if k.startswith("FANGFEI_")]:
            del os.environ[key]
        os.environ.update(saved)
    return "\n".join(out)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--requests", type=int, default=400)
    parser.add_argument("--top", type=int, default=25)
    parser.add_argument("--board", type=int, default=0, help="synthetic residents on the individuals board")
    args = parser.parse_args()
    print(measure(args.requests, args.top, args.board))


if __name__ == "__main__":
    main()
