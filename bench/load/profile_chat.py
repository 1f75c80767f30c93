"""Profile the chat quiz path: one gunicorn worker with one thread, residents playing one after another,
py-spy sampling the worker. Prints the median latency of each step and the heaviest fangfei frames.

    .venv/bin/python -m bench.load.profile_chat [--residents 30]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import time
import uuid
from collections import Counter
from pathlib import Path

from app import create_app
from app.emulator.chat_client import ChatClient, http_transport
from app.emulator.server import create_emulator
from bench.load import seed
from bench.load.stack import APP_ID, APP_SECRET, VENV_BIN, StackEnv, start_node
from config import load_settings
from tests.support import services
from tests.support.servers import ServerThread

STEPS = ("<subscribe>", "答题", "A", "A", "A", "对", "对", "对", "AB", "AB", "排行榜")
OURS = ("(app/", "(wechat_handlers/", "(quiz_bank/")


def top_frames(raw: Path, limit: int = 25) -> list[tuple[int, str]]:
    """Samples per fangfei frame (inclusive), from py-spy's raw (collapsed) output."""
    counts: Counter[str] = Counter()
    for line in raw.read_text().splitlines():
        stack, n = line.rsplit(" ", 1)
        seen = set()
        for frame in stack.split(";"):
            if any(tag in frame for tag in OURS):
                name = frame.split(" (")[0] + " " + frame.split(" (")[-1].rstrip(")")
                if name not in seen:
                    seen.add(name)
                    counts[name] += int(n)
    return [(n, name) for name, n in counts.most_common(limit)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--residents", type=int, default=30)
    args = parser.parse_args()
    name, url = services.create_pg_database(prefix="ffprofile")
    namespace = f"ffprofile{uuid.uuid4().hex[:6]}"
    emulator = ServerThread(create_emulator(APP_ID, APP_SECRET)).start()
    work = Path(f"/tmp/{namespace}")
    work.mkdir()
    env = StackEnv(url, services.REDIS_URL, namespace, emulator.url + "/")
    app = create_app(load_settings("production", environ=env.environ()))
    seed.prepare(app)
    node = start_node(env, work, name="profile", workers=1, threads=1)
    try:
        openids = seed.register(app, "prof", args.residents)
        worker = subprocess.run(
            ["ps", "--ppid", str(node.popen.pid), "-o", "pid="], capture_output=True, text=True, check=True
        ).stdout.split()[0]
        raw = work / "profile.raw"
        spy = subprocess.Popen(  # noqa: S603
            [str(VENV_BIN / "py-spy"), "record", "-p", worker, "-r", "100", "-f", "raw", "-o", str(raw)]
        )
        time.sleep(1)
        times: dict[int, list[float]] = {i: [] for i in range(len(STEPS))}
        for openid in openids:
            chat = ChatClient(http_transport(node.url), env.token, APP_ID, env.aes_key, "safe", openid)
            for i, step in enumerate(STEPS):
                started = time.perf_counter()
                chat.subscribe() if step == "<subscribe>" else chat.text(step)
                times[i].append((time.perf_counter() - started) * 1000)
        spy.send_signal(2)
        spy.wait(30)
        print("step          median ms   min ms")
        for i, step in enumerate(STEPS):
            print(f"{step:12} {statistics.median(times[i]):10.1f} {min(times[i]):8.1f}")
        print("\nsamples  fangfei frame (inclusive)")
        for n, frame in top_frames(raw):
            print(f"{n:7}  {frame}")
    finally:
        node.stop()
        emulator.stop()
        services.drop_pg_database(name)


if __name__ == "__main__":
    main()
