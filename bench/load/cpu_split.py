"""Where the CPU goes under load: CPU seconds per request of the app's gunicorn workers, PostgreSQL and
Redis (from /proc) during one closed-loop wrk run against fangfei: the chat quiz mix (then the same for the
floor, an encrypted echo), H5 paper submissions (each resident submits the paper issued before the run) or
leaderboard reads (team board + my rank). Each server runs alone, with the production gunicorn settings.

    .venv/bin/python -m bench.load.cpu_split [--scenario chat|submit|board] [--seconds 10] [--py-spy 30]

With --py-spy N, py-spy samples the app's workers during the run and the N functions with the most samples
are printed twice: by own time (where the CPU is spent) and by inclusive time (which call paths cost most).
"""

from __future__ import annotations

import argparse
import collections
import os
import subprocess
import sys
import uuid
from pathlib import Path

from app import create_app
from app.emulator.server import create_emulator
from bench.load import gen, seed, wrk
from bench.load.stack import APP_ID, APP_SECRET, ROOT, Proc, StackEnv, flask, start_node
from bench.load_bench import _clear
from config import load_settings
from tests.support import services
from tests.support.servers import ServerThread

TICK = os.sysconf("SC_CLK_TCK")


DATABASE = [""]  # the bench's database: its PostgreSQL backends are counted apart from the rest


def cpu_by_group() -> collections.Counter:
    """CPU seconds (user + system) so far of every process, grouped: app workers, postgres (the backends of
    this bench's database apart from the rest: other databases, WAL writer, checkpointer), redis, other."""
    out: collections.Counter = collections.Counter()
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            with open(f"/proc/{pid}/stat") as f:
                stat = f.read()
            with open(f"/proc/{pid}/cmdline") as f:
                cmd = f.read().replace("\0", " ")
        except OSError:
            continue
        comm = stat[stat.index("(") + 1 : stat.rindex(")")]
        fields = stat[stat.rindex(")") + 2 :].split()
        seconds = (int(fields[11]) + int(fields[12])) / TICK
        if "gunicorn" in cmd:
            group = "gunicorn workers"
            out[f"pid {pid}"] += seconds
        elif comm.startswith("postgres"):
            mine = DATABASE[0] and cmd.startswith("postgres:") and f" {DATABASE[0]} " in cmd
            group = "PostgreSQL (this database)" if mine else "PostgreSQL (shared, other databases)"
        elif comm.startswith("redis"):
            group = "Redis"
        elif "scheduler" in cmd:
            group = "scheduler"
        else:
            group = "other (wrk is gone when read)"
        out[group] += seconds
    return out


def measure(env: StackEnv, work: Path, app_spec: str, requests_file: Path, args: argparse.Namespace) -> str:
    name = app_spec.split(":")[0].replace(".", "-")
    node = start_node(env, work, name=name, workers=args.workers, threads=args.threads, app=app_spec)
    seconds, conns = args.seconds, args.connections
    spy = None
    try:
        if args.py_spy:
            raw = work / f"{name}.collapsed"
            spy = subprocess.Popen(  # noqa: S603
                [
                    os.path.join(os.path.dirname(sys.executable), "py-spy"),
                    "record",
                    "--pid",
                    str(node.popen.pid),
                    "--subprocesses",
                    "--rate",
                    "250",
                    "--format",
                    "raw",
                    "--nonblocking",
                    "--duration",
                    str(seconds),
                    "--output",
                    str(raw),
                ],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
        before = cpu_by_group()
        run = wrk.run(node.url, requests_file, connections=conns, seconds=seconds, label=app_spec)
        after = cpu_by_group()
    finally:
        if spy is not None:
            spy.wait(timeout=60)
        node.stop()
    lines = [f"{app_spec}: {run.rps:,.0f} requests/s, {run.requests:,} requests"]
    workers = sorted((after[g] - before[g] for g in after if g.startswith("pid ")), reverse=True)
    busy = [w for w in workers if w >= 0.05]
    if busy:
        lines.append("  CPU s by gunicorn process: " + ", ".join(f"{w:.2f}" for w in busy))
    for group in sorted((g for g in after if not g.startswith("pid ")), key=lambda g: before[g] - after[g]):
        spent = after[group] - before[group]
        if spent >= 0.05:
            lines.append(
                f"  {group:32} {spent:6.2f} CPU s   {1000 * spent / max(run.requests, 1):6.2f} ms per request"
            )
    if spy is not None:
        lines.append(spy_summary(work / f"{name}.collapsed", args.py_spy))
    return "\n".join(lines)


def spy_run(node: Proc, requests_file: Path, *, seconds: int, connections: int, top: int, work: Path) -> str:
    """A closed-loop wrk run against a running node while py-spy samples its workers: the profile's text."""
    raw = work / f"spy-{requests_file.stem}.collapsed"
    spy = subprocess.Popen(  # noqa: S603
        [os.path.join(os.path.dirname(sys.executable), "py-spy"), "record", "--pid", str(node.popen.pid),
         "--subprocesses", "--rate", "250", "--format", "raw", "--nonblocking", "--duration", str(seconds),
         "--output", str(raw)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        run = wrk.run(node.url, requests_file, connections=connections, seconds=seconds, label="py-spy")
    finally:
        spy.wait(timeout=60)
    return f"  {run.rps:,.0f} requests/s while sampled\n" + spy_summary(raw, top)


def spy_summary(path: Path, top: int) -> str:
    """Own and inclusive sample shares by function from py-spy's collapsed stacks (idle threads left out)."""
    own: collections.Counter = collections.Counter()
    inclusive: collections.Counter = collections.Counter()
    total = 0
    for line in path.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        frames = [_short(f) for f in stack.split(";") if not f.startswith(("process ", "thread ("))]
        if not frames or any(idle in frames[-1] for idle in _IDLE):
            continue
        n = int(count)
        total += n
        own[frames[-1]] += n
        for frame in set(frames):
            if not frame.endswith(("(threading.py)", "(concurrent/futures/thread.py)")):  # in every stack
                inclusive[frame] += n
    out = [f"  py-spy: {total:,} busy samples in the workers"]
    for title, counter in (("own", own), ("inclusive", inclusive)):
        out.append(f"  top {top} by {title} time:")
        out += [f"    {100 * n / max(total, 1):5.1f}%  {frame}" for frame, n in counter.most_common(top)]
    return "\n".join(out)


_IDLE = ("select (selectors.py", "wait (threading.py", "sleep (gunicorn", "poll (selectors.py", "accept (")


def _short(frame: str) -> str:
    """'fn (/long/path/site-packages/pkg/mod.py:12)' -> 'fn (pkg/mod.py)'."""
    fn, _, where = frame.partition(" (")
    where = where.rstrip(")").rsplit(":", 1)[0]
    for marker in ("site-packages/", f"{ROOT}/", "python3.11/"):
        if marker in where:
            where = where.split(marker, 1)[1]
    return f"{fn} ({where})"


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--scenario", choices=("chat", "submit", "board"), default="chat")
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--py-spy", type=int, default=0, metavar="N", help="sample the workers; print top N")
    args = parser.parse_args()
    name, url = services.create_pg_database(prefix="ffcpu")
    DATABASE[0] = name
    namespace = f"ffcpu{uuid.uuid4().hex[:6]}"
    emulator = ServerThread(create_emulator(APP_ID, APP_SECRET)).start()
    work = Path(f"/tmp/{namespace}")
    work.mkdir()
    env = StackEnv(url, services.REDIS_URL, namespace, emulator.url + "/")
    app = create_app(load_settings("production", environ=env.environ()))
    seed.prepare(app)
    keys = {"token": env.token, "app_id": APP_ID, "aes_key": env.aes_key}
    scheduler = flask(env, work, "scheduler", "run", name="scheduler")  # builds the boards (watchdog)
    try:
        requests_file = work / f"{args.scenario}.txt"
        if args.scenario == "chat":
            gen.write(gen.quiz_chat(keys, seed.register(app, "cpu", 80 * args.seconds)), requests_file)
        elif args.scenario == "submit":  # each resident submits the paper issued before the run
            gen.write(gen.submits(seed.issue_papers(app, seed.register(app, "cpu", 600 * args.seconds))),
                      requests_file)  # fmt: skip
        else:  # team board + my rank, the boards built first
            from bench.load import board_scale

            users = seed.issue_papers(app, seed.register(app, "cpu", 1000))
            board_scale.ensure_ready(app)
            gen.write(gen.leaderboard_reads(users, 4000 * args.seconds), requests_file)
        print(measure(env, work, "app:create_app()", requests_file, args))
        if args.scenario == "chat":
            echo = work / "echo.txt"
            gen.write(gen.echo_chat(keys, [f"oecho{i:07d}" for i in range(300 * args.seconds)], 11), echo)
            print(measure(env, work, "bench.load.floor_app:app", echo, args))
    finally:
        scheduler.stop()
        emulator.stop()
        services.drop_pg_database(name)
        _clear(namespace)


if __name__ == "__main__":
    main()
