"""What one chat message costs the server: SQL statements, Redis commands, Python function calls and CPU
time per step of the quiz, residents playing one after another in-process (the production app against
real PostgreSQL and Redis, boards built as the scheduler's watchdog would).

Statement, command and call counts do not depend on how busy the machine is, so they compare two versions
of the code fairly; CPU ms do (and include the simulated WeChat client's signing and encryption).

    .venv/bin/python -m bench.load.profile_chat [--residents 30] [--show 答题]
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import statistics
import time
import uuid

import redis.connection
from sqlalchemy import event

from app import clock, create_app
from app.emulator.chat_client import ChatClient
from app.emulator.server import create_emulator
from app.extensions import db
from bench.load import seed
from bench.load.stack import APP_ID, APP_SECRET, StackEnv
from config import load_settings
from tests.support import services
from tests.support.servers import ServerThread

STEPS = ("<subscribe>", "答题", "A", "A", "A", "对", "对", "对", "AB", "AB", "排行榜")


class Counts:
    def __init__(self) -> None:
        self.sql = self.redis = 0
        self.statements: list[str] = []

    def watch(self, engine) -> None:  # noqa: ANN001
        def statement(conn, cursor, text, *args) -> None:  # noqa: ANN001, ANN002
            self.sql += 1
            self.statements.append(" ".join(text.split())[:100])

        def begin(conn) -> None:  # noqa: ANN001
            self.sql += 1
            self.statements.append("BEGIN")

        def commit(conn) -> None:  # noqa: ANN001
            self.sql += 1
            self.statements.append("COMMIT")

        event.listen(engine, "before_cursor_execute", statement)
        event.listen(engine, "begin", begin)
        event.listen(engine, "commit", commit)
        sender = redis.connection.AbstractConnection.send_packed_command

        def counting(conn, *args, **kwargs):  # noqa: ANN001, ANN002, ANN003, ANN202
            self.redis += 1
            return sender(conn, *args, **kwargs)

        redis.connection.AbstractConnection.send_packed_command = counting
        self._undo = (engine, statement, begin, commit, sender)

    def unwatch(self) -> None:
        if not getattr(self, "_undo", None):
            return
        engine, statement, begin, commit, sender = self._undo
        event.remove(engine, "before_cursor_execute", statement)
        event.remove(engine, "begin", begin)
        event.remove(engine, "commit", commit)
        redis.connection.AbstractConnection.send_packed_command = sender
        self._undo = None


def measure(residents: int = 30, show: str = "") -> list[tuple[str, float, float, float, float, float]]:
    """Per step of the chat quiz (and the mix average, and the floor, last): SQL statements, Redis commands,
    Python calls and CPU ms (profiled), then the server-side CPU ms without the profiler, medians over the
    residents (half are profiled, half not; the first few of each warm the caches and are left out)."""
    name, url = services.create_pg_database(prefix="ffprofile")
    emulator = ServerThread(create_emulator(APP_ID, APP_SECRET)).start()
    env = StackEnv(url, services.REDIS_URL, f"ffprofile{uuid.uuid4().hex[:6]}", emulator.url + "/")
    saved = {k: v for k, v in os.environ.items() if k.startswith("FANGFEI_")}
    os.environ.update({k: v for k, v in env.environ().items() if k.startswith("FANGFEI_")})
    app = create_app(load_settings("production", environ=env.environ()))
    counts = Counts()
    try:
        campaign_id = seed.prepare(app)
        openids = seed.register(app, "prof", residents)
        with app.app_context():
            from app.models.campaign import Campaign
            from app.services import leaderboard_rebuild

            leaderboard_rebuild.rebuild(db.session.get(Campaign, campaign_id), clock.now())
            counts.watch(db.engine)
        client = app.test_client()
        served = [0.0]  # server-side CPU of the last request (the app's part: no client crypto)

        def transport(path: str, body: bytes) -> tuple[int, str]:
            cpu = time.thread_time()
            res = client.post(path, data=body)
            text = res.get_data(as_text=True)
            served[0] = (time.thread_time() - cpu) * 1000
            return res.status_code, text

        rows: dict[int, list[tuple[int, int, int, float]]] = {i: [] for i in range(len(STEPS))}
        plain: dict[int, list[float]] = {i: [] for i in range(len(STEPS))}
        for n, openid in enumerate(openids):
            chat = ChatClient(transport, env.token, APP_ID, env.aes_key, "safe", openid)
            profiled = n % 2 == 0  # every other resident unprofiled: the server CPU without cProfile
            for i, step in enumerate(STEPS):
                sql, cmds = counts.sql, counts.redis
                counts.statements.clear()
                profile = cProfile.Profile()
                cpu = time.process_time()
                if profiled:
                    profile.enable()
                reply = chat.subscribe() if step == "<subscribe>" else chat.text(step)
                if not profiled:
                    plain[i].append(served[0])
                    continue
                profile.disable()
                cpu_ms = (time.process_time() - cpu) * 1000
                calls = pstats.Stats(profile).total_calls
                rows[i].append((counts.sql - sql, counts.redis - cmds, calls, cpu_ms))
                if step in show.split(",") and n >= len(openids) - 2:
                    print(f"--- {step}: {reply[:40]!r}\n" + "\n".join(counts.statements))
        floor = floor_cpu(env, max(20, residents * 3))
    finally:
        counts.unwatch()
        emulator.stop()
        services.drop_pg_database(name)
        for key in [k for k in os.environ if k.startswith("FANGFEI_")]:
            del os.environ[key]
        os.environ.update(saved)
    skip = min(3, len(openids) // 4)  # the first residents of each half warm the caches
    table = []
    for i, step in enumerate(STEPS):
        sample = rows[i][skip:]
        stats = [float(statistics.median(r[k] for r in sample)) for k in range(4)]
        table.append((step, *stats, float(statistics.median(plain[i][skip:]))))
    table.append(("mix average", *(sum(r[k] for r in table) / len(STEPS) for k in range(1, 6))))
    table.append(("floor: encrypted echo", 0.0, 0.0, 0.0, 0.0, floor))
    return table


def floor_cpu(env: StackEnv, messages: int) -> float:
    """Server-side CPU ms of the floor app (bare Flask + wechatpy echo) per message, measured the same way."""
    from bench.load.floor_app import app as floor_app  # reads the FANGFEI_WECHAT_* settings at import

    client = floor_app.test_client()
    spent: list[float] = []

    def transport(path: str, body: bytes) -> tuple[int, str]:
        cpu = time.thread_time()
        res = client.post(path, data=body)
        text = res.get_data(as_text=True)
        spent.append((time.thread_time() - cpu) * 1000)
        return res.status_code, text

    chat = ChatClient(transport, env.token, APP_ID, env.aes_key, "safe", "ofloor0000001")
    for _ in range(messages):
        chat.text("A")
    return float(statistics.median(spent[5:]))


def render(table: list[tuple[str, float, float, float, float, float]]) -> str:
    lines = ["| step | SQL statements | Redis commands | Python calls | CPU ms (profiled, in-process) "
             "| server CPU ms (unprofiled) |", "|---|---|---|---|---|---|"]  # fmt: skip
    for step, sql, cmds, calls, cpu, plain in table:
        if step.startswith("floor"):
            lines.append(f"| {step} | | | | | {plain:.2f} |")
        else:
            lines.append(f"| {step} | {sql:.1f} | {cmds:.1f} | {calls:,.0f} | {cpu:.1f} | {plain:.2f} |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--residents", type=int, default=40)
    parser.add_argument("--show", default="", help="print the statements of these steps, e.g. 答题,A")
    args = parser.parse_args()
    print(render(measure(args.residents, args.show)))


if __name__ == "__main__":
    main()
