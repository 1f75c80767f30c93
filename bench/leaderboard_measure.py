"""Measurements for the leaderboard benchmark: rebuild, Redis/SQL agreement, read latency, update cost."""

from __future__ import annotations

import gc
import math
import random
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from datetime import date, datetime
from types import SimpleNamespace

import redis
from sqlalchemy import text
from sqlalchemy.exc import OperationalError

from app import redis_keys
from app.extensions import db
from app.models.campaign import Campaign
from app.models.participant import Participant
from app.services import leaderboard_mirror, leaderboard_rebuild, leaderboards, standings
from app.services.leaderboards import MEMBER_BASE
from app.services.standings import SUBMIT_BITS, TIME_BITS


def percentiles(samples_ns: list[int]) -> dict[str, float]:
    """p50/p95/p99/max in milliseconds (nearest-rank)."""
    ordered = sorted(samples_ns)
    n = len(ordered)

    def rank(q: float) -> float:
        return ordered[min(n - 1, max(0, math.ceil(q * n) - 1))] / 1e6

    return {"n": n, "p50": rank(0.50), "p95": rank(0.95), "p99": rank(0.99), "max": ordered[-1] / 1e6}


def timed(fn: Callable[[], object], n: int, warmup: int = 200) -> dict[str, float]:
    for _ in range(warmup):
        fn()
    samples = []
    clock_ns = time.perf_counter_ns
    for _ in range(n):
        started = clock_ns()
        fn()
        samples.append(clock_ns() - started)
    return percentiles(samples)


@contextmanager
def _timing(module, names: list[str], into: dict[str, list[float]]) -> Iterator[None]:  # noqa: ANN001
    """Wrap module functions to record their durations (the code under test is not changed)."""
    originals = {name: getattr(module, name) for name in names}

    def wrap(name: str, fn: Callable) -> Callable:
        def wrapper(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
            started = time.perf_counter()
            try:
                return fn(*args, **kwargs)
            finally:
                into.setdefault(name, []).append(time.perf_counter() - started)

        return wrapper

    for name, fn in originals.items():
        setattr(module, name, wrap(name, fn))
    try:
        yield
    finally:
        for name, fn in originals.items():
            setattr(module, name, fn)


def rebuild(campaign: Campaign, now: datetime) -> dict[str, float]:
    """Wall time of leaderboard_rebuild.rebuild, split into its SQL queries and the rest (Python + Redis)."""
    spent: dict[str, list[float]] = {}
    with _timing(
        standings, ["individual_aggregates_sql", "team_components_sql", "team_components_by_day_sql"], spent
    ):
        result = leaderboard_rebuild.rebuild(campaign, now)
    sql_individuals = sum(spent.get("individual_aggregates_sql", []))
    sql_teams = sum(spent.get("team_components_sql", []))
    return {
        "participants": result.participants,
        "replayed": result.papers_replayed,
        "wall_s": result.seconds,
        "sql_individuals_s": sql_individuals,
        "sql_teams_s": sql_teams,
        "team_queries": len(spent.get("team_components_sql", [])),
        "redis_s": result.seconds - sql_individuals - sql_teams,
    }


def watchdog_check(campaign: Campaign) -> str:
    """`leaderboard_rebuild.drifted` (the watchdog's every-30-seconds check) under the request statement timeout."""
    db.session.commit()
    started = time.perf_counter()
    try:
        drifted = leaderboard_rebuild.drifted(campaign)
    except OperationalError as exc:
        db.session.rollback()
        return f"failed after {time.perf_counter() - started:.1f} s: {type(exc.orig).__name__}"
    return f"{time.perf_counter() - started:.2f} s (drifted={drifted})"


def board_memory(client: redis.Redis, campaign_id: int) -> dict[str, int]:
    """Bytes used by each of a campaign's leaderboard keys (MEMORY USAGE ... SAMPLES 0, i.e. exact), by the
    key's name after the campaign prefix."""
    pattern = redis_keys.leaderboard(campaign_id, "*").name
    prefix = pattern[:-1]
    return {
        (k.decode() if isinstance(k, bytes) else k).removeprefix(prefix): client.memory_usage(k, samples=0)
        or 0
        for k in client.scan_iter(match=pattern, count=1000)
    }


def agreement(campaign: Campaign, days: list[date], rng: random.Random, sample: int = 1000) -> dict:
    """Redis against SQL: the whole order (and its top 10,000), my_rank for a sample, team boards.
    These full SQL reads are the benchmark's own, so they lift the request statement timeout."""
    db.session.execute(text("SET LOCAL statement_timeout = 0"))
    started = time.perf_counter()
    sql = standings.order_individuals(campaign, standings.individual_aggregates_sql(campaign))
    sql_s = time.perf_counter() - started
    mirror = leaderboards.ranking_order(campaign)
    sql_ids = [pid for pid, _ in sql]
    position = {pid: (rank, value) for rank, (pid, value) in enumerate(sql, start=1)}
    rank_misses = 0
    for pid in rng.sample(sql_ids, min(sample, len(sql_ids))):
        mine = leaderboards.my_rank(campaign, Participant(id=pid))
        rank, value = position[pid]
        expected = (rank, len(sql), *standings.decode(value))
        if mine is None or (mine.rank, mine.total, mine.points, mine.time_s) != expected:
            rank_misses += 1
    boards = [None, *days]
    team_misses = sum(
        [t.as_dict() for t in leaderboards.team_board(campaign, day)]
        != [t.as_dict() for t in standings.team_standings_sql(campaign, day=day)]
        for day in boards
    )
    result = {
        "ranked": len(sql),
        "sql_order_s": sql_s,
        "top10k_misses": sum(a != b for a, b in zip(sql_ids[:10_000], mirror[:10_000], strict=False))
        + abs(min(len(sql_ids), 10_000) - min(len(mirror), 10_000)),
        "order_misses": sum(a != b for a, b in zip(sql_ids, mirror, strict=False))
        + abs(len(sql) - len(mirror)),
        "rank_sample": min(sample, len(sql_ids)),
        "rank_misses": rank_misses,
        "team_boards": len(boards),
        "team_misses": team_misses,
    }
    del sql, mirror, sql_ids, position
    gc.collect()
    return result


def reads(
    campaign: Campaign, client: redis.Redis, people: list[Participant], n: int, rng: random.Random
) -> dict:
    key = redis_keys.leaderboard(campaign.id, "individuals").name
    picks = iter([rng.choice(people) for _ in range(n + 200)])
    return {
        "team_board(campaign)": timed(lambda: leaderboards.team_board(campaign), n),
        "top_individuals(campaign, 10)": timed(lambda: leaderboards.top_individuals(campaign, 10), n),
        "  Redis part: ZREVRANGE 0 9 WITHSCORES": timed(
            lambda: client.zrevrange(key, 0, 9, withscores=True), n
        ),
        "my_rank(campaign, participant)": timed(lambda: leaderboards.my_rank(campaign, next(picks)), n),
    }


def _commandstats(client: redis.Redis, command: str) -> tuple[int, int]:
    stats = client.info("commandstats").get(f"cmdstat_{command}", {})
    return int(stats.get("calls", 0)), int(stats.get("usec", 0))


def _server_us(client: redis.Redis, command: str, before: tuple[int, int]) -> float:
    """Server-side µs per call from INFO commandstats deltas (approximate: the server is shared)."""
    calls, usec = _commandstats(client, command)
    return (usec - before[1]) / max(1, calls - before[0])


def synthetic_board(
    client: redis.Redis,
    keys: dict[str, str],
    pids: Iterable[int],
    rng: random.Random,
    *,
    with_details: bool = False,
    chunk: int = 10_000,
) -> int:
    """Add residents `pids` with random scores (0-100 points, 30-600 s, a submission during day 1) to the
    individuals board `keys["individuals"]`, in pipelined chunks; with_details also writes their `agg`
    and `names` hash fields (team pid % 32 + 1), as the writer would. Returns how many were added."""
    tmax, smax = (1 << TIME_BITS) - 1, (1 << SUBMIT_BITS) - 1
    added, batch = 0, []
    for pid in pids:
        batch.append(pid)
        if len(batch) == chunk:
            added += _add_synthetic(client, keys, batch, rng, with_details, tmax, smax)
            batch = []
    if batch:
        added += _add_synthetic(client, keys, batch, rng, with_details, tmax, smax)
    return added


def _add_synthetic(client, keys, pids, rng, with_details, tmax, smax) -> int:  # noqa: ANN001, PLR0913
    agg, zset, names = {}, {}, {}
    for pid in pids:
        pts, ms, off = (
            rng.randrange(0, 101, 10),
            rng.randrange(30_000, 600_001),
            rng.randrange(36_000, 86_000),
        )
        zset[f"{MEMBER_BASE - pid:012d}"] = (
            (pts << (TIME_BITS + SUBMIT_BITS)) | ((tmax - ms // 1000) << SUBMIT_BITS) | (smax - off)
        )
        if with_details:
            agg[str(pid)] = f"{pts}|{ms}|{off}|1|{pid % 32 + 1}"
            names[str(pid)] = "张*三|北京市"
    pipe = client.pipeline(transaction=False)
    if with_details:
        pipe.hset(keys["agg"], mapping=agg)
        pipe.hset(keys["names"], mapping=names)
    pipe.zadd(keys["individuals"], zset)
    pipe.execute()
    return len(pids)


def lua_scaling(client: redis.Redis, sizes: list[int], updates: int, rng: random.Random) -> list[dict]:
    """The apply script (EVALSHA) and a bare ZADD on synthetic boards of each size. Each update is a
    resident's paper of a new day, so the script takes its full path (HGET, HSET, ZADD of an existing
    member, six HINCRBY, four EXPIRE)."""
    script, rows = leaderboard_mirror._script(client), []  # noqa: SLF001 (the production script object)
    for size in sizes:
        cid = 900_000_000 + size
        k = {
            p: redis_keys.leaderboard(cid, p).name
            for p in ("ready", "agg", "individuals", "team:all", "names")
        }
        k["day"] = redis_keys.leaderboard(cid, "team:2026-06-16").name
        client.set(k["ready"], "bench")
        team = {pid: pid % 32 + 1 for pid in range(1, size + 1)}
        synthetic_board(client, k, range(1, size + 1), rng, with_details=True)
        # The production reads on this board: top-10 with names (one Lua call) and one resident's rank.
        board = SimpleNamespace(id=cid)
        picks = iter(rng.choices(range(1, size + 1), k=updates + 200))
        top10 = timed(lambda: leaderboards.top_individuals(board, 10), updates)  # noqa: B023
        mine = timed(lambda: leaderboards.my_rank(board, Participant(id=next(picks))), updates)  # noqa: B023
        chosen = rng.sample(range(1, size + 1), min(size, 2 * updates))
        keys = [k["ready"], k["agg"], k["individuals"], k["team:all"], k["day"], k["names"]]
        before, samples = _commandstats(client, "evalsha"), []
        for pid in chosen[:updates]:
            args = [
                pid,
                team[pid],
                rng.randrange(0, 101, 10),
                rng.randrange(30_000, 600_001),
                90_000,
                2,
                3600,
                "张*三|北京市",
            ]
            started = time.perf_counter_ns()
            assert script(keys=keys, args=args) == 1
            samples.append(time.perf_counter_ns() - started)
        lua_server = _server_us(client, "evalsha", before)
        before, zadd = _commandstats(client, "zadd"), []
        for pid in chosen[updates:]:
            member = {f"{MEMBER_BASE - pid:012d}": rng.randrange(1 << 46)}
            started = time.perf_counter_ns()
            client.zadd(k["individuals"], member)
            zadd.append(time.perf_counter_ns() - started)
        zadd_server = _server_us(client, "zadd", before)
        assert client.zcard(k["individuals"]) == size
        client.unlink(*k.values())
        rows.append(
            {
                "size": size,
                "top10": top10,
                "my_rank": mine,
                "lua": percentiles(samples),
                "lua_server_us": lua_server,
                "zadd": percentiles(zadd),
                "zadd_server_us": zadd_server,
            }
        )
    return rows


def clear_namespace(client: redis.Redis, namespace: str) -> int:
    """UNLINK this benchmark's keys only (never FLUSHDB: the Redis is shared)."""
    keys = list(client.scan_iter(match=f"{namespace}:*", count=1000))
    for i in range(0, len(keys), 500):
        client.unlink(*keys[i : i + 500])
    return len(keys)
