"""Synthetic residents and submitted papers, bulk-loaded with PostgreSQL COPY for the leaderboard benchmark."""

from __future__ import annotations

import itertools
import math
import random
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import psycopg

from app import clock

SCORES = list(range(0, 101, 10))
_P_RIGHT = 0.7  # a paper's score is 10 x Binomial(10, 0.7): mostly 60..90
SCORE_CUM = list(
    itertools.accumulate(math.comb(10, k) * _P_RIGHT**k * (1 - _P_RIGHT) ** (10 - k) for k in range(11))
)
MARGIN, WINDOW = 900, 49_800  # stamps start 09:45 local; papers are submitted 10:00..23:50 local
CHUNK = 100_000
_SURNAMES = "赵钱孙李周吴郑王冯陈褚卫蒋沈韩杨朱秦尤许何吕施张孔曹严华金魏陶姜"
_GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰"
PAPER_COLUMNS = (
    "id, participant_id, campaign_id, team_id, day, attempt, seed, status, issued_at, submitted_at, "
    "score, max_score, time_used_ms, counted, day_bit"
)


def cn_name(i: int) -> str:
    """Two or three Chinese characters, no digits (the registration rule)."""
    s, g = len(_SURNAMES), len(_GIVEN)
    return _SURNAMES[i % s] + _GIVEN[(i // s) % g] + ("" if i % 7 == 0 else _GIVEN[(i // (s * g)) % g])


@dataclass(frozen=True)
class Plan:
    """Everyone plays `per_user` or `per_user + 1` of the `loaded_days` first days (one paper a day);
    day index `loaded_days` is left free for the update phase."""

    users: int
    papers: int

    @property
    def per_user(self) -> int:
        return self.papers // self.users

    @property
    def loaded_days(self) -> int:
        return self.per_user + 1

    @property
    def campaign_days(self) -> int:
        return self.loaded_days + 1


class Loader:
    """Writes rows for one campaign through a psycopg connection (ids are assigned here, from 1)."""

    def __init__(self, dsn: str, campaign_id: int, slug: str, first_day, team_ids: list[int], seed: int):  # noqa: ANN001
        self.dsn, self.cid, self.slug, self.first_day = dsn, campaign_id, slug, first_day
        self.rng = random.Random(seed)
        weights = [self.rng.uniform(0.4, 1.6) for _ in team_ids]
        self.team_ids, self.team_weights = team_ids, weights
        self.team_of: list[int] = [0]
        self.next_paper_id = 1

    def _stamps(self, d: int) -> tuple[str, list[str]]:
        day = self.first_day + timedelta(days=d)
        base = (
            clock.local_datetime(day, datetime.min.time()) + timedelta(hours=10) - timedelta(seconds=MARGIN)
        )
        base = base.astimezone(UTC)
        return day.isoformat(), [
            (base + timedelta(seconds=s)).strftime("%Y-%m-%d %H:%M:%S+00") for s in range(MARGIN + WINDOW)
        ]

    def _paper_lines(self, d: int, people: list[int]) -> list[str]:
        day_iso, stamps = self._stamps(d)
        rng, bit, cid, slug, team = self.rng, 1 << d, self.cid, self.slug, self.team_of
        scores = rng.choices(SCORES, cum_weights=SCORE_CUM, k=len(people))
        lines, nid = [], self.next_paper_id
        for p, score in zip(people, scores, strict=True):
            ms = rng.randrange(30_000, 600_001)
            off = rng.randrange(MARGIN, MARGIN + WINDOW)
            lines.append(
                f"{nid}\t{p}\t{cid}\t{team[p]}\t{day_iso}\t1\t{slug}:{p}:{day_iso}:1\tsubmitted\t"
                f"{stamps[off - ms // 1000 - 1]}\t{stamps[off]}\t{score}\t100\t{ms}\tt\t{bit}\n"
            )
            nid += 1
        self.next_paper_id = nid
        return lines

    def load(self, plan: Plan) -> dict[str, float]:
        """Participants, enrollments and papers, each COPYed with its secondary indexes and foreign keys
        dropped and recreated afterwards (the usual bulk-load order), then VACUUM (ANALYZE), so that
        autovacuum does not start on the new rows in the middle of the measurements. Seconds per phase."""
        took: dict[str, float] = {}
        with psycopg.connect(self.dsn) as conn:
            conn.execute("SET maintenance_work_mem = '1GB'")
            conn.execute("SET synchronous_commit = off")
            n = plan.users
            self.team_of = [0, *self.rng.choices(self.team_ids, weights=self.team_weights, k=n)]
            registered = "2026-06-14 02:00:00+00"
            took["participants"] = _copy(
                conn,
                "participants",
                "id, openid, name, consent_version, consent_at, excluded, created_at, updated_at",
                (
                    f"{i}\tobench{i:08d}\t{cn_name(i)}\t2026-1\t{registered}\tf\t{registered}\t{registered}\n"
                    for i in range(1, n + 1)
                ),
            )
            took["enrollments"] = _copy(
                conn,
                "enrollments",
                "id, participant_id, campaign_id, team_id, created_at",
                (f"{i}\t{i}\t{self.cid}\t{self.team_of[i]}\t{registered}\n" for i in range(1, n + 1)),
            )
            extra = plan.papers - plan.per_user * n  # these residents play every loaded day
            skip = [-1] * (n + 1)
            for i in range(extra + 1, n + 1):
                skip[i] = self.rng.randrange(plan.loaded_days)

            def papers():  # noqa: ANN202
                for d in range(plan.loaded_days):
                    people = [p for p in range(1, n + 1) if skip[p] != d]
                    for start in range(0, len(people), CHUNK):
                        yield from self._paper_lines(d, people[start : start + CHUNK])

            took["papers"] = _copy(conn, "papers", PAPER_COLUMNS, papers())
        started = time.perf_counter()
        with psycopg.connect(self.dsn, autocommit=True) as conn:  # VACUUM: not in a transaction
            conn.execute("VACUUM (ANALYZE) participants, enrollments, papers")
        took["vacuum analyze"] = time.perf_counter() - started
        return took

    def add_new_day_papers(self, day_index: int, count: int) -> list[int]:
        """`count` residents submit their paper of a new day (indexes in place, like production)."""
        people = sorted(self.rng.sample(range(1, len(self.team_of)), count))
        first = self.next_paper_id
        lines = self._paper_lines(day_index, people)
        with psycopg.connect(self.dsn) as conn, conn.cursor() as cur:
            with cur.copy(f"COPY papers ({PAPER_COLUMNS}) FROM STDIN") as copy:
                copy.write("".join(lines))
            cur.execute("SELECT setval(pg_get_serial_sequence('papers', 'id'), max(id)) FROM papers")
        return list(range(first, self.next_paper_id))


def _copy(conn: psycopg.Connection, table: str, columns: str, lines) -> float:  # noqa: ANN001
    """COPY generated lines into `table` inside one transaction, around a drop/recreate of its unique and
    foreign-key constraints and plain indexes (primary keys stay). Returns seconds."""
    started = time.perf_counter()
    with conn.transaction():
        constraints = conn.execute(
            "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE conrelid = %s::regclass AND contype IN ('u', 'f') ORDER BY contype DESC",
            (table,),
        ).fetchall()
        indexes = conn.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = 'public' AND tablename = %s "
            "AND indexname NOT IN (SELECT conname FROM pg_constraint WHERE conrelid = %s::regclass)",
            (table, table),
        ).fetchall()
        for name, _ in constraints:
            conn.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
        for name, _ in indexes:
            conn.execute(f'DROP INDEX "{name}"')
        with conn.cursor() as cur, cur.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
            buffer: list[str] = []
            for line in lines:
                buffer.append(line)
                if len(buffer) >= CHUNK:
                    copy.write("".join(buffer))
                    buffer.clear()
            copy.write("".join(buffer))
        for _, definition in indexes:
            conn.execute(definition)
        for name, definition in constraints:  # unique ('u') before foreign keys ('f')
            conn.execute(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}')
        conn.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), max(id)) FROM {table}")  # noqa: S608
    return time.perf_counter() - started
