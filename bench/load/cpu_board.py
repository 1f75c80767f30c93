"""Where the CPU goes for scenario (d), leaderboard reads over HTTP: CPU seconds per request of the app's
gunicorn workers, PostgreSQL and Redis during one closed-loop wrk run of the team board + my rank mix
(bench/load/gen.py leaderboard_reads), with the production gunicorn settings (bench/load/cpu_split.py).

    flock /tmp/bench.lock .venv/bin/python -m bench.load.cpu_board [--seconds 8] [--connections 32] [--py-spy 30]
"""

from __future__ import annotations

import argparse
import uuid
from pathlib import Path

from app import clock, create_app
from app.emulator.server import create_emulator
from app.extensions import db
from bench.load import gen, seed
from bench.load.cpu_split import measure
from bench.load.stack import APP_ID, APP_SECRET, StackEnv
from bench.load_bench import _clear
from config import load_settings
from tests.support import services
from tests.support.servers import ServerThread


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--seconds", type=int, default=8)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--py-spy", type=int, default=0, metavar="N", help="sample the workers; print top N")
    args = parser.parse_args()
    name, url = services.create_pg_database(prefix="ffcpu")
    namespace = f"ffcpu{uuid.uuid4().hex[:6]}"
    emulator = ServerThread(create_emulator(APP_ID, APP_SECRET)).start()
    work = Path(f"/tmp/{namespace}")
    work.mkdir()
    env = StackEnv(url, services.REDIS_URL, namespace, emulator.url + "/")
    app = create_app(load_settings("production", environ=env.environ()))
    campaign_id = seed.prepare(app)
    try:
        users = seed.issue_papers(app, seed.register(app, "cpu", 1000))
        with app.app_context():
            from app.models.campaign import Campaign
            from app.services import leaderboard_rebuild

            leaderboard_rebuild.rebuild(db.session.get(Campaign, campaign_id), clock.now())
        boards = work / "boards.txt"
        gen.write(gen.leaderboard_reads(users, 4000 * args.seconds), boards)
        print(measure(env, work, "app:create_app()", boards, args))
    finally:
        emulator.stop()
        services.drop_pg_database(name)
        _clear(namespace)


if __name__ == "__main__":
    main()
