"""One contract, two backends: Redis and the database stand-in (SQLite and PostgreSQL)."""

from __future__ import annotations

import threading
import time

import pytest

from app.redis_keys import Key
from app.state_store import DatabaseStore, RedisStore, StoreUnavailable, connect_redis, wait_acquire
from tests.conftest import build_app
from tests.support import services


@pytest.fixture(params=["redis", "sqlite", "postgres"])
def store(request):
    if request.param == "redis":
        url = request.getfixturevalue("redis_url")
        services.clear_redis(url)
        yield RedisStore(connect_redis(url, 1.0))
        return
    url = request.getfixturevalue("sqlite_url" if request.param == "sqlite" else "pg_url")
    app = build_app(url)
    from app.extensions import db

    with app.app_context():
        s = DatabaseStore(db.engine)
        with db.engine.begin() as conn:
            conn.exec_driver_sql("DELETE FROM kv_entries")
        yield s
        db.engine.dispose()


def k(name: str, ttl: int = 60) -> Key:
    return Key(f"{services.REDIS_NAMESPACE}:test:{name}", ttl)


def test_set_get_and_expiry(store):
    store.set(k("a", 1), "v1")
    assert store.get(k("a")) == "v1"
    time.sleep(1.2)
    assert store.get(k("a")) is None


def test_set_overwrites(store):
    store.set(k("b"), "one")
    store.set(k("b"), "two")
    assert store.get(k("b")) == "two"


def test_claim_is_set_nx_and_expires(store):
    assert store.claim(k("c", 1), "first") is True
    assert store.claim(k("c", 1), "second") is False
    assert store.get(k("c")) == "first"
    time.sleep(1.2)
    assert store.claim(k("c", 1), "third") is True


def test_concurrent_claims_have_one_winner(store):
    wins: list[bool] = []
    barrier = threading.Barrier(8)

    def claim() -> None:
        barrier.wait()
        wins.append(store.claim(k("race"), "x"))

    threads = [threading.Thread(target=claim) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert wins.count(True) == 1


def test_incr_counts_in_a_window(store):
    key = k("rate", 1)
    assert [store.incr(key) for _ in range(3)] == [1, 2, 3]
    time.sleep(1.2)
    assert store.incr(key) == 1


def test_lock_released_only_by_owner(store):
    token = store.acquire(k("lock"))
    assert token
    assert store.acquire(k("lock")) is None
    assert store.release(k("lock"), "not-the-owner") is False
    assert store.acquire(k("lock")) is None
    assert store.release(k("lock"), token) is True
    assert store.acquire(k("lock")) is not None


def test_lock_expires(store):
    assert store.acquire(k("lock2"), ttl_ms=1000)
    time.sleep(1.2)
    assert store.acquire(k("lock2"), ttl_ms=1000)


def test_wait_acquire_waits_for_release(store):
    token = store.acquire(k("lock3"))
    threading.Timer(0.3, lambda: store.release(k("lock3"), token)).start()
    started = time.monotonic()
    assert wait_acquire(store, k("lock3"), wait_s=2.0)
    assert 0.2 < time.monotonic() - started < 2.0


def test_turn_claims_locks_reads_then_stores_reply_dialog_and_unlocks(store):
    claim, lock, dialog = k("t:claim"), k("t:lock", 8), k("t:dialog")
    store.set(dialog, '{"state": "quiz:answer"}')
    counter = k("t:count", 60)
    store.incr(counter)
    status, token, raw, peeked = store.begin_turn(claim, "pending", lock, dialog, peek=counter)
    assert (status, raw, peeked) == ("ok", '{"state": "quiz:answer"}', "1") and token
    assert store.acquire(lock) is None  # the user is locked
    assert store.begin_turn(claim, "pending", lock, dialog) == ("taken", None, "pending", None)  # a retry
    store.end_turn(
        claim, "<xml>reply</xml>", lock, token, dialog, '{"state": null}', keep=False, count=counter
    )
    assert store.get(dialog) == '{"state": null}'
    assert store.get(claim) == "<xml>reply</xml>"
    assert store.get(counter) == "2"  # counted with the reply
    assert store.begin_turn(claim, "pending", lock, dialog) == ("taken", None, "<xml>reply</xml>", None)
    assert store.acquire(lock) is not None  # released


def test_turn_keeps_or_deletes_the_dialog_and_never_releases_another_owners_lock(store):
    lock, dialog = k("t2:lock", 8), k("t2:dialog")
    store.set(dialog, "kept")
    _, token, _, peeked = store.begin_turn(k("t2:a"), "pending", lock, dialog, peek=k("t2:none"))
    assert peeked is None
    store.end_turn(k("t2:a"), "r", lock, token, dialog, None, keep=True, count=k("t2:new", 1))
    assert store.get(dialog) == "kept"
    assert store.get(k("t2:new")) == "1"
    time.sleep(1.2)
    assert store.get(k("t2:new")) is None  # a new counter gets its key's TTL
    _, token, _, _ = store.begin_turn(k("t2:b"), "pending", lock, dialog)
    store.release(lock, token)  # as if the lock expired ...
    other = store.acquire(lock)  # ... and another message took it
    store.end_turn(k("t2:b"), "r", lock, token, dialog, None, keep=False)
    assert store.get(dialog) is None  # deleted
    assert store.acquire(lock) is None and store.release(lock, other)  # the other owner's lock was kept


def test_turn_of_a_busy_user_claims_the_message_only(store):
    lock = k("t3:lock", 8)
    held = store.acquire(lock)
    assert store.begin_turn(k("t3:claim"), "pending", lock, k("t3:dialog")) == ("busy", None, None, None)
    assert store.get(k("t3:claim")) == "pending"
    assert store.release(lock, held)


def test_delete(store):
    store.set(k("d"), "v")
    store.delete(k("d"))
    assert store.get(k("d")) is None


def test_ping(store):
    assert store.ping() is True


def test_redis_down_raises_store_unavailable_quickly():
    store = RedisStore(connect_redis("redis://127.0.0.1:1/0", 0.5))
    started = time.monotonic()
    with pytest.raises(StoreUnavailable):
        store.get(k("x"))
    assert time.monotonic() - started < 2
    assert store.ping() is False


def test_every_key_has_a_ttl():
    from app import redis_keys

    for name in (
        "dedup",
        "user_lock",
        "dialog",
        "access_token",
        "access_token_lock",
        "job_lock",
        "oauth_code",
    ):
        fn = getattr(redis_keys, name)
        key = fn(*(["x"] * fn.__code__.co_argcount if name != "dialog" else ["x"]))
        assert key.ttl > 0 and key.name.startswith(redis_keys.DEFAULT_NAMESPACE + ":")
    assert redis_keys.rate("tips", "o1", 60).ttl == 60


def test_sentinel_url_is_understood():
    client = connect_redis("redis+sentinel://127.0.0.1:26379,127.0.0.1:26380/mymaster/2", 0.5)
    pool = client.connection_pool
    assert pool.service_name == "mymaster"
    assert [
        tuple(s.connection_pool.connection_kwargs[x] for x in ("host", "port"))
        for s in pool.sentinel_manager.sentinels
    ] == [("127.0.0.1", 26379), ("127.0.0.1", 26380)]
