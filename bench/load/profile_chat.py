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


def measure(residents: int = 30, show: str = "") -> list[tuple[str, float, float, float, float]]:
    """Per step of the chat quiz (and the mix average last): SQL statements, Redis commands, Python calls
    and CPU ms, medians over the residents (the first few warm the caches and are left out)."""
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

        def transport(path: str, body: bytes) -> tuple[int, str]:
            res = client.post(path, data=body)
            return res.status_code, res.get_data(as_text=True)

        rows: dict[int, list[tuple[int, int, int, float]]] = {i: [] for i in range(len(STEPS))}
        for n, openid in enumerate(openids):
            chat = ChatClient(transport, env.token, APP_ID, env.aes_key, "safe", openid)
            for i, step in enumerate(STEPS):
                sql, cmds = counts.sql, counts.redis
                counts.statements.clear()
                profile = cProfile.Profile()
                cpu = time.process_time()
                profile.enable()
                reply = chat.subscribe() if step == "<subscribe>" else chat.text(step)
                profile.disable()
                cpu_ms = (time.process_time() - cpu) * 1000
                calls = pstats.Stats(profile).total_calls
                rows[i].append((counts.sql - sql, counts.redis - cmds, calls, cpu_ms))
                if step in show.split(",") and n == len(openids) - 1:
                    print(f"--- {step}: {reply[:40]!r}\n" + "\n".join(counts.statements))
    finally:
        counts.unwatch()
        emulator.stop()
        services.drop_pg_database(name)
        for key in [k for k in os.environ if k.startswith("FANGFEI_")]:
            del os.environ[key]
        os.environ.update(saved)
    skip = min(5, len(openids) // 2)  # the first residents warm the caches
    table = []
    for i, step in enumerate(STEPS):
        sample = rows[i][skip:]
        table.append((step, *(float(statistics.median(r[k] for r in sample)) for k in range(4))))
    table.append(("mix average", *(sum(r[k] for r in table) / len(STEPS) for k in range(1, 5))))
    return table


def render(table: list[tuple[str, float, float, float, float]]) -> str:
    lines = ["| step | SQL statements | Redis commands | Python calls | CPU ms (profiled, in-process) |",
             "|---|---|---|---|---|"]  # fmt: skip
    for step, sql, cmds, calls, cpu in table:
        lines.append(f"| {step} | {sql:.1f} | {cmds:.1f} | {calls:,.0f} | {cpu:.1f} |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--residents", type=int, default=30)
    parser.add_argument("--show", default="", help="print the statements of these steps, e.g. 答题,A")
    args = parser.parse_args()
    print(render(measure(args.residents, args.show)))


if __name__ == "__main__":
    main()
