"""Where the CPU goes for H5 paper submissions under load: CPU ms per submit of the app's gunicorn workers,
PostgreSQL and Redis (from /proc) during one closed-loop wrk run of scenario (b') (each resident submits
the paper issued before the run), with the production gunicorn settings. The chat twin is cpu_split.

    flock /tmp/bench.lock .venv/bin/python -m bench.load.cpu_submit [--seconds 10] [--connections 32] [--py-spy 30]
"""

from __future__ import annotations

import argparse
import os
import uuid
from pathlib import Path

from app import create_app
from app.emulator.server import create_emulator
from bench.load import cpu_split, gen, seed
from bench.load.cpu_split import measure
from bench.load.stack import APP_ID, APP_SECRET, StackEnv, flask
from bench.load_bench import _clear
from config import load_settings
from tests.support import services
from tests.support.servers import ServerThread


def by_group_for(database: str):  # noqa: ANN201
    """cpu_split's grouping, with PostgreSQL split: the backends serving the bench's database, and the rest
    (other databases' backends and the shared WAL writer, checkpointer...: other helpers' tests)."""
    plain = cpu_split.cpu_by_group

    def grouped():  # noqa: ANN202
        out = plain()
        mine = 0.0
        for pid in filter(str.isdigit, os.listdir("/proc")):
            try:
                with open(f"/proc/{pid}/cmdline") as f:
                    cmd = f.read().replace("\0", " ")
                with open(f"/proc/{pid}/stat") as f:
                    stat = f.read()
            except OSError:
                continue
            if cmd.startswith("postgres:") and f" {database} " in cmd:
                fields = stat[stat.rindex(")") + 2 :].split()
                mine += (int(fields[11]) + int(fields[12])) / cpu_split.TICK
        out["PostgreSQL (other databases, shared)"] = out.pop("PostgreSQL", 0.0) - mine
        out["PostgreSQL (this database)"] = mine
        return out

    return grouped


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--rate", type=int, default=600, help="submits/s the request file is sized for")
    parser.add_argument("--py-spy", type=int, default=0, metavar="N", help="sample the workers; print top N")
    args = parser.parse_args()
    name, url = services.create_pg_database(prefix="ffcpusub")
    cpu_split.cpu_by_group = by_group_for(name)  # measure() reads it at call time
    namespace = f"ffcpusub{uuid.uuid4().hex[:6]}"
    emulator = ServerThread(create_emulator(APP_ID, APP_SECRET)).start()
    work = Path(f"/tmp/{namespace}")
    work.mkdir()
    env = StackEnv(url, services.REDIS_URL, namespace, emulator.url + "/")
    app = create_app(load_settings("production", environ=env.environ()))
    seed.prepare(app)
    scheduler = flask(env, work, "scheduler", "run", name="scheduler")  # builds the boards (watchdog)
    try:
        users = seed.issue_papers(app, seed.register(app, "cpusub", args.rate * args.seconds))
        requests_file = work / "submits.txt"
        gen.write(gen.submits(users), requests_file)
        print(measure(env, work, "app:create_app()", requests_file, args))
    finally:
        scheduler.stop()
        emulator.stop()
        services.drop_pg_database(name)
        _clear(namespace)


if __name__ == "__main__":
    main()
