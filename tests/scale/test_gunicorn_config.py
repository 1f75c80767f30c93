"""config/gunicorn.py: what a worker loaded at boot is frozen out of the garbage collector's reach; one listening
socket per worker (SO_REUSEPORT) only when asked for."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

PROBE = """
import gc, runpy
from app import create_app
from config import load_settings
app = create_app(load_settings("testing", environ={}))
hooks = runpy.run_path("config/gunicorn.py")
before = gc.get_freeze_count()
hooks["post_worker_init"](None)
print(before, gc.get_freeze_count(), len(gc.get_objects()))
"""


def test_post_worker_init_freezes_the_boot_objects() -> None:
    out = subprocess.run(  # noqa: S603 (our own interpreter and probe)
        [sys.executable, "-c", PROBE], cwd=ROOT, capture_output=True, text=True, timeout=120, check=True
    ).stdout.split()
    before, frozen, still_tracked = int(out[-3]), int(out[-2]), int(out[-1])
    assert before == 0
    assert frozen > 50_000  # the app, SQLAlchemy, Flask, wechatpy ... are out of the collector's reach
    assert still_tracked < frozen // 10  # what a full collection still walks


def _settings(env: dict[str, str]) -> dict[str, object]:
    probe = (
        "import json, runpy; ns = runpy.run_path('config/gunicorn.py'); print(json.dumps(ns['reuse_port']))"
    )
    out = subprocess.run(  # noqa: S603
        [sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, timeout=60, check=True,
        env={**os.environ, **env},
    ).stdout  # fmt: skip
    return {"reuse_port": json.loads(out)}


def test_one_socket_per_worker_is_a_choice_not_the_default() -> None:
    """SO_REUSEPORT spreads connections evenly (bench/load/cpu_split.py once printed 9.86, 0.63 and 0.45 CPU s
    for the three workers with the shared socket), but a restarting worker then resets the connections queued
    on its own socket: off unless GUNICORN_REUSE_PORT=1."""
    assert _settings({}) == {"reuse_port": False}
    assert _settings({"GUNICORN_REUSE_PORT": "1"}) == {"reuse_port": True}
