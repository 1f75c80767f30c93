"""Load benchmark (issue 9): fangfei under gunicorn vs the bare Flask + wechatpy floor vs a naive baseline.

One run on this machine: a fresh PostgreSQL database and Redis namespace, the WeChat API emulator, an SMTP
server that never answers ("unreachable"), and three gunicorn servers with the same settings
(config/gunicorn.py): fangfei (production profile, plus `flask scheduler run`), the floor
(bench/load/floor_app.py) and the naive baseline (bench/load/naive_app.py). wrk replays pre-generated
signed, AES-encrypted callbacks and API calls from distinct residents (bench/load/gen.py, replay.lua).
Writes one table to bench/RESULTS.md. The generator shares the two cores with the servers.
"""

from __future__ import annotations

import argparse
import shlex
import socket
import sys
import time
import uuid
from collections.abc import Callable
from pathlib import Path

from app import create_app
from app.emulator.server import create_emulator
from bench.load import gen, naive_app, seed, wrk
from bench.load.report import Row, render, write
from bench.load.stack import APP_ID, APP_SECRET, StackEnv, flask, start_node
from config import load_settings
from tests.support import services
from tests.support.servers import ServerThread


def parse(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--quick", action="store_true", help="short runs, fewer load levels (< 5 minutes)")
    p.add_argument("--seconds", type=int, default=None, help="seconds per wrk run (default 20, quick 6)")
    p.add_argument("--workers", type=int, default=3, help="gunicorn workers per server (WEB_CONCURRENCY)")
    p.add_argument("--threads", type=int, default=2, help="gunicorn threads per worker")
    p.add_argument("--no-results", action="store_true", help="print the table only")
    p.add_argument(
        "--only",
        default="abcd",
        help="scenarios to run, e.g. --only b or --only cd (default abcd; implies "
        "--no-results unless all run)",
    )
    p.add_argument(
        "--board-size",
        type=int,
        default=None,
        help="synthetic residents on the individuals board for the second (d) row (default 10,000,000, "
        "quick 200,000 so that make bench-quick stays under 5 minutes; 0 = skip)",
    )
    args = p.parse_args(argv)
    if args.board_size is None:
        args.board_size = 200_000 if args.quick else 10_000_000
    return args


class Bench:
    def __init__(self, args: argparse.Namespace, work: Path) -> None:
        self.args, self.work = args, work
        self.seconds = args.seconds or (5 if args.quick else 20)
        self.levels = [16, 48] if args.quick else [8, 16, 32, 64, 128]
        self.rows: list[Row] = []
        self.files = 0
        self.users = 0
        self.chat_outcomes: dict = {}
        self.shed: dict = {}
        self.papers: dict = {}
        self.api_refusals: dict = {}  # non-2xx answers during (b), by endpoint and status class
        self.tips: dict = {}
        self.cost: list = []
        self.spy: dict[str, str] = {}  # py-spy profiles of the workers by scenario (full runs)

    # Residents and request files -------------------------------------------------------------------
    def residents(self, count: int) -> list[str]:
        self.users += 1
        return seed.register(self.app, f"u{self.users:03d}x", count)

    def api_users(self, count: int) -> list[seed.ApiUser]:
        return seed.issue_papers(self.app, self.residents(count))

    def file(self, records) -> Path:  # noqa: ANN001
        self.files += 1
        path = self.work / f"req{self.files:03d}.txt"
        gen.write(records, path)
        return path

    # Runs ------------------------------------------------------------------------------------------
    def find_max(
        self, label: str, url: str, make: Callable[[int], Path], *, server: str, guess: int = 400
    ) -> wrk.Run:
        """Closed-loop runs at rising connection counts; the best throughput is the maximum. `guess` sizes
        the first request file (requests/s); later files follow the best rate seen so far."""
        best: wrk.Run | None = None
        for conns in self.levels:
            estimate = int((best.rps if best else guess) * 1.5 + 100) * self.seconds
            result = wrk.run(url, make(estimate), connections=conns, seconds=self.seconds, label=label)
            print(f"  {server:6} {label:28} c={conns:<4} {result.rps:8.0f}/s p99 {result.p99_ms:7.1f} ms "
                  f"errors {result.errors} wrapped {result.wrapped}", flush=True)  # fmt: skip
            if best is None or result.rps > best.rps:
                best = result
        assert best is not None
        return best

    def paced(self, label: str, url: str, make: Callable[[int], Path], rate: int, conns: int) -> wrk.Run:
        result = wrk.run(url, make(int(rate * self.seconds * 1.3) + 500), connections=conns,
                         seconds=self.seconds, rate=rate, label=label)  # fmt: skip
        print(f"  app    {label:28} offered {rate}/s c={conns}: {result.rps:.0f}/s p99 {result.p99_ms:.1f} ms "
              f"max {result.max_ms:.0f} ms errors {result.errors}", flush=True)  # fmt: skip
        return result

    def record(self, scenario: str, server: str, run: wrk.Run, floor: float | None, **extra: str) -> Row:
        row = Row(scenario, server, run, floor, extra)
        self.rows.append(row)
        return row


def main(argv: list[str] | None = None) -> None:
    args = parse(argv)
    command = ".venv/bin/python -m bench.load_bench " + shlex.join(sys.argv[1:] if argv is None else argv)
    for service, why in (("PostgreSQL", services.pg_available()), ("Redis", services.redis_available())):
        if why:
            raise SystemExit(f"{service} is not reachable: {why}")
    wrk.require()  # before minutes of seeding: say at once that wrk is missing and how to get it
    db_name, db_url = services.create_pg_database(prefix="ffload")
    namespace = f"ffload{uuid.uuid4().hex[:6]}"
    emulator = ServerThread(create_emulator(APP_ID, APP_SECRET)).start()
    tarpit = socket.socket()  # an SMTP server that accepts nothing and never greets: "unreachable"
    tarpit.bind(("127.0.0.1", 0))
    tarpit.listen(1)
    work = Path(f"/tmp/fangfei-load-{namespace}")
    work.mkdir(parents=True)
    env = StackEnv(db_url, services.REDIS_URL, namespace, emulator.url + "/")
    env.extra.update(
        FANGFEI_TIP_EMAIL_TO="duty@office.example",
        FANGFEI_SMTP_HOST="127.0.0.1",
        FANGFEI_SMTP_PORT=str(tarpit.getsockname()[1]),
        FANGFEI_SMTP_SECURITY="none",
        FANGFEI_SMTP_TIMEOUT="3",
        FANGFEI_TIP_DAILY_LIMIT_USER="1000",
        FANGFEI_TIP_DAILY_LIMIT_IP="1000000",
    )
    bench = Bench(args, work)
    procs = []
    print(f"database {db_name}, Redis namespace {namespace}, files in {work}", flush=True)
    try:
        bench.app = create_app(load_settings("production", environ=env.environ()))
        seed.prepare(bench.app)
        naive_app.create_schema(db_url)
        size = {"workers": args.workers, "threads": args.threads}
        app_node = start_node(env, work, name="app", **size)
        floor = start_node(env, work, name="floor", app="bench.load.floor_app:app", **size)
        naive = start_node(env, work, name="naive", app="bench.load.naive_app:create()", **size)
        procs = [app_node, floor, naive, flask(env, work, "scheduler", "run", name="scheduler")]
        started = time.time()
        from bench.load import profile_chat
        from bench.load.scenarios import run_all

        if "a" in args.only:
            print("cost of one chat message (in-process, counted)", flush=True)
            bench.cost = profile_chat.measure(12 if args.quick else 30)

        run_all(bench, env, app_node, floor, naive)
        body = render(bench, command, app_node, started)
        print(body)
        if not args.no_results and set("abcd") <= set(args.only):
            write(body, f"2-core node, {'quick' if args.quick else 'full'} run")
    finally:
        for proc in procs:
            proc.stop()
        emulator.stop()
        tarpit.close()
        services.drop_pg_database(db_name)
        _clear(namespace)


def _clear(namespace: str) -> None:
    import redis

    client = redis.Redis.from_url(services.REDIS_URL)
    keys = list(client.scan_iter(match=f"{namespace}:*", count=1000))
    for i in range(0, len(keys), 500):
        client.delete(*keys[i : i + 500])


if __name__ == "__main__":
    main()
