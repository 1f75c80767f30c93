"""What one H5 paper submission costs the server: SQL statements, Redis commands, Python calls and CPU ms per
submit, residents submitting one after another in-process (the production app against real PostgreSQL and
Redis, boards built as the scheduler's watchdog would), plus the functions that cost most (cProfile).

Statement, command and call counts do not depend on how busy the machine is, so they compare two versions
of the code fairly; CPU ms do.

    .venv/bin/python -m bench.load.profile_submit [--residents 200] [--top 40] [--show]
"""

from __future__ import annotations

import argparse
import cProfile
import json
import os
import pstats
import statistics
import time
import uuid

from app import clock, create_app
from app.emulator.server import create_emulator
from app.extensions import db
from bench.load import seed
from bench.load.profile_chat import Counts
from bench.load.stack import APP_ID, APP_SECRET, StackEnv
from config import load_settings
from tests.support import services
from tests.support.servers import ServerThread


def measure(residents: int, top: int, show: bool, dump: str = "") -> str:
    name, url = services.create_pg_database(prefix="ffsubmit")
    emulator = ServerThread(create_emulator(APP_ID, APP_SECRET)).start()
    env = StackEnv(url, services.REDIS_URL, f"ffsubmit{uuid.uuid4().hex[:6]}", emulator.url + "/")
    saved = {k: v for k, v in os.environ.items() if k.startswith("FANGFEI_")}
    os.environ.update({k: v for k, v in env.environ().items() if k.startswith("FANGFEI_")})
    app = create_app(load_settings("production", environ=env.environ()))
    counts = Counts()
    profile = cProfile.Profile(time.process_time)  # CPU time, not wall time (the machine is shared)
    rows: list[tuple[int, int, int, float, float]] = []
    try:
        campaign_id = seed.prepare(app)
        users = seed.issue_papers(app, seed.register(app, "psub", 2 * residents))
        with app.app_context():
            from app.models.campaign import Campaign
            from app.services import leaderboard_rebuild

            leaderboard_rebuild.rebuild(db.session.get(Campaign, campaign_id), clock.now())
            db.session.commit()
            counts.watch(db.engine)
        client = app.test_client()

        def submit(u: seed.ApiUser):  # noqa: ANN202
            headers = {"Authorization": f"Bearer {u.token}", "X-Forwarded-For": u.ip}
            return client.post(
                f"/api/v1/papers/{u.paper_id}/submit",
                data=json.dumps({"answers": u.answers}),
                headers=headers,
                content_type="application/json",
            )

        # CPU without the profiler (half the residents), then counts and a profile (the other half)
        plain: list[float] = []
        for u in users[:residents]:
            cpu = time.process_time()
            res = submit(u)
            plain.append((time.process_time() - cpu) * 1000)
            assert res.status_code == 200, res.get_data(as_text=True)
        for n, u in enumerate(users[residents:]):
            sql, cmds = counts.sql, counts.redis
            counts.statements.clear()
            cpu = time.process_time()
            profile.enable()
            res = submit(u)
            profile.disable()
            cpu_ms = (time.process_time() - cpu) * 1000
            assert res.status_code == 200, res.get_data(as_text=True)
            rows.append((counts.sql - sql, counts.redis - cmds, 0, cpu_ms, 0.0))
            if show and n == residents - 1:
                print("--- statements of the last submit:\n" + "\n".join(counts.statements))
    finally:
        counts.unwatch()
        emulator.stop()
        services.drop_pg_database(name)
        for key in [k for k in os.environ if k.startswith("FANGFEI_")]:
            del os.environ[key]
        os.environ.update(saved)
    skip = min(10, residents // 2)
    sample = rows[skip:]
    med = [statistics.median(r[k] for r in sample) for k in range(4)]
    stats = pstats.Stats(profile)
    if dump:
        stats.dump_stats(dump)
    calls = stats.total_calls / max(len(rows), 1)  # includes the test client's share (about 1,000 calls)
    out = [
        f"submit: {med[0]:.0f} SQL (incl. BEGIN/COMMIT), {med[1]:.0f} Redis commands, {calls:,.0f} Python calls, "
        f"CPU {statistics.median(plain[skip:]):.2f} ms unprofiled (median), {med[3]:.2f} ms profiled"
    ]
    stats.sort_stats("cumulative")
    import io

    buf = io.StringIO()
    stats.stream = buf
    stats.print_stats(top)
    out.append(buf.getvalue())
    buf = io.StringIO()
    stats.stream = buf
    stats.sort_stats("tottime").print_stats(top)
    out.append(buf.getvalue())
    return "\n".join(out)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--residents", type=int, default=200)
    parser.add_argument("--top", type=int, default=40)
    parser.add_argument("--show", action="store_true", help="print the statements of the last submit")
    parser.add_argument("--dump", default="", help="write the profile (pstats) to this file")
    args = parser.parse_args()
    print(measure(args.residents, args.top, args.show, args.dump))


if __name__ == "__main__":
    main()
