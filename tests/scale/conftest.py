"""Two app nodes (separate gunicorn masters on their own ports) behind one PostgreSQL and one Redis."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import pytest

from app import clock
from app.emulator.chat_client import ChatClient, http_transport
from app.emulator.server import create_emulator
from app.extensions import db
from bench.load.stack import APP_ID, APP_SECRET, Proc, StackEnv, start_node
from tests.conftest import build_app, upgrade
from tests.factories import load_bundled_bank, make_campaign
from tests.support import services
from tests.support.servers import ServerThread


@dataclass
class Cluster:
    env: StackEnv
    nodes: list[Proc]
    emulator_url: str
    log_dir: Path

    def chat(self, node: int, openid: str) -> ChatClient:
        return ChatClient(
            http_transport(self.nodes[node].url), self.env.token, APP_ID, self.env.aes_key, "safe", openid
        )


@pytest.fixture(scope="session")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cluster]:
    for service, why in (("PostgreSQL", services.pg_available()), ("Redis", services.redis_available())):
        if why:
            services.unavailable(service, why)
    name, url = services.create_pg_database("fangfei_scale")
    namespace = f"ffscale{uuid.uuid4().hex[:8]}"
    emulator = ServerThread(create_emulator(APP_ID, APP_SECRET)).start()
    log_dir = tmp_path_factory.mktemp("scale")
    nodes: list[Proc] = []
    seed = build_app(url)
    try:
        upgrade(seed)
        with seed.app_context():
            load_bundled_bank()
            make_campaign(slug="scale", start=clock.now() - timedelta(days=2), days=11)
            db.session.remove()
            db.engine.dispose()
        env = StackEnv(url, services.REDIS_URL, namespace, emulator.url + "/")
        nodes = [start_node(env, log_dir, name=f"node{i}", workers=2, threads=4) for i in range(2)]
        yield Cluster(env, nodes, emulator.url + "/", log_dir)
    finally:
        for node in nodes:
            node.stop()
        emulator.stop()
        services.drop_pg_database(name)
        _clear_namespace(namespace)


def _clear_namespace(namespace: str) -> None:
    import redis

    client = redis.Redis.from_url(services.REDIS_URL)
    keys = list(client.scan_iter(match=f"{namespace}:*", count=1000))
    for i in range(0, len(keys), 500):
        client.delete(*keys[i : i + 500])
