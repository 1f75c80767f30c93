"""Live leaderboards: a Redis mirror of the stored papers, with SQL answering when there is no Redis.

One writer (`apply_entry` / `apply_paper` in app.services.leaderboard_mirror, after commit, atomic and
idempotent per resident and day) and one `rebuild`. When the mirror is missing (Redis flushed or restarted)
reads fall back to SQL until the watchdog job rebuilds it; the rebuild then re-applies papers submitted
meanwhile (idempotent, so nothing counts twice). A warm read is one Redis round trip and no SQL.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date

import redis
from sqlalchemy import select

from app.extensions import db
from app.models.campaign import Campaign, Team
from app.models.participant import Enrollment, Participant
from app.services import membership as members
from app.services import read_cache, standings
from app.services.leaderboard_mirror import (  # noqa: F401 (the writer, re-exported for its callers)
    MEMBER_BASE,
    Entry,
    _display,
    _k,
    _offset,
    apply_entry,
    apply_paper,
    entry_for,
    is_ready,
    on_paper_submitted,
    on_participant_renamed,
    redis_client,
    remember,
)
from app.services.standings import TeamComponents, TeamInfo, TeamStanding

log = logging.getLogger(__name__)
read_cache.watch(Team)


# Reads ----------------------------------------------------------------------------------------------
def teams_of(campaign: Campaign) -> list[TeamInfo]:
    """The campaign's teams in display order: a per-process copy (read_cache), no query per read."""

    def load() -> list[TeamInfo]:
        rows = db.session.execute(
            select(Team.id, Team.code, Team.name, Team.position, Team.population)
            .where(Team.campaign_id == campaign.id)
            .order_by(Team.position)
        )
        return [TeamInfo(*row) for row in rows]

    return read_cache.cached(f"leaderboard-teams:{campaign.id}", load)


# One round trip for a read: the ready marker, the team board as ONE string (parsing 200 replies costs
# more than the rest of the request), and optionally my rank and the membership version (app.services.
# membership). KEYS: ready, board, individuals, members-version; ARGV: member.
_READ = """
if redis.call('EXISTS', KEYS[1]) == 0 then return {0} end
local board = table.concat(redis.call('HGETALL', KEYS[2]), ',')
if ARGV[1] == '' then return {1, board} end
local rank = redis.call('ZREVRANK', KEYS[3], ARGV[1])
local score = redis.call('ZSCORE', KEYS[3], ARGV[1])
return {1, board, rank, score, redis.call('ZCARD', KEYS[3]), redis.call('GET', KEYS[4])}
"""
_ranked: dict[tuple[int, str], tuple[str, list[TeamInfo], dict, list[TeamStanding]]] = {}


def _read(client: redis.Redis, campaign: Campaign, board: str, member: str = "") -> list | None:
    """[board string, rank, score, card, members version] from the mirror, or None when it is not ready."""
    script = getattr(client, "_fangfei_read", None)
    if script is None:
        script = client.register_script(_READ)
        client._fangfei_read = script  # noqa: SLF001
    keys = [_k(campaign.id, "ready"), _k(campaign.id, board), _k(campaign.id, "individuals")]
    reply = script(keys=[*keys, members.version_key(campaign.id)], args=[member])
    return list(reply[1:]) if int(reply[0]) else None


def _rank_mirrored(campaign: Campaign, board: str, raw: str | bytes) -> list[TeamStanding]:
    """The ranked board from the mirrored components; the last result per board is reused while neither the
    components, the teams nor the formula changed (a read-heavy minute ranks each board once)."""
    raw = raw.decode() if isinstance(raw, bytes) else raw
    teams = teams_of(campaign)
    formula = campaign.settings.get("team_formula") or {"kind": "total"}
    memo = _ranked.get((campaign.id, board))
    if memo is not None and memo[0] == raw and memo[1] is teams and memo[2] == formula:
        return memo[3]
    comps: dict[int, dict[str, int]] = {}
    parts = raw.split(",") if raw else []
    for field, value in zip(parts[::2], parts[1::2], strict=True):
        tid, name = field.split(":")
        comps.setdefault(int(tid), {})[name] = int(value)
    components = {tid: TeamComponents(tid, **v) for tid, v in comps.items()}
    ranked = standings.rank_teams(teams, components, formula)
    _ranked[(campaign.id, board)] = (raw, teams, dict(formula), ranked)
    return ranked


def team_board(campaign: Campaign, day: date | None = None) -> list[TeamStanding]:
    """All teams ranked (cumulative, or for one day): one Redis round trip when ready, else from SQL."""
    client = redis_client()
    if client is not None:
        board = f"team:{day.isoformat()}" if day else "team:all"
        try:
            found = _read(client, campaign, board)
            if found is not None:
                return _rank_mirrored(campaign, board, found[0])
        except redis.RedisError:
            log.warning("Redis unavailable: team board from SQL")
    return standings.team_standings_sql(campaign, day=day)


@dataclass(frozen=True)
class IndividualRow:
    rank: int
    participant_id: int
    name: str  # masked
    team: str
    points: int
    time_s: int

    def as_dict(self) -> dict:
        return {
            "rank": self.rank,
            "name": self.name,
            "team": self.team,
            "points": self.points,
            "time_s": self.time_s,
        }


def _ordered(campaign: Campaign, limit: int | None) -> list[tuple[int, int]]:
    if is_ready(campaign):
        try:
            client, key, chunk = redis_client(), _k(campaign.id, "individuals"), 50_000
            total = limit if limit is not None else client.zcard(key)
            rows = []
            for start in range(
                0, total, chunk
            ):  # a whole board is read in pages, each well inside the timeout
                rows += client.zrevrange(key, start, min(start + chunk, total) - 1, withscores=True)
            return [(MEMBER_BASE - int(m), int(s)) for m, s in rows]
        except redis.RedisError:
            log.warning("Redis unavailable: individuals from SQL")
    ordered = standings.order_individuals(campaign, standings.individual_aggregates_sql(campaign))
    return ordered if limit is None else ordered[:limit]


_TOP = """
if redis.call('EXISTS', KEYS[1]) == 0 then return {0} end
local rows = redis.call('ZREVRANGE', KEYS[2], 0, tonumber(ARGV[1]) - 1, 'WITHSCORES')
local ids = {}
for i = 1, #rows, 2 do ids[#ids + 1] = string.format('%d', tonumber(ARGV[2]) - tonumber(rows[i])) end
local names = {}
if #ids > 0 then names = redis.call('HMGET', KEYS[3], unpack(ids)) end
return {1, rows, names}
"""


def _top_mirrored(campaign: Campaign, limit: int) -> tuple[list[tuple[int, int]], dict[int, str]] | None:
    """The top `limit` (participant, packed score) and their shown names in one Redis call; None when the
    boards are not ready or Redis is unavailable."""
    client = redis_client()
    if client is None:
        return None
    script = getattr(client, "_fangfei_top", None)
    if script is None:
        script = client.register_script(_TOP)
        client._fangfei_top = script  # noqa: SLF001
    keys = [_k(campaign.id, "ready"), _k(campaign.id, "individuals"), _k(campaign.id, "names")]
    try:
        reply = script(keys=keys, args=[limit, MEMBER_BASE])
    except redis.RedisError:
        log.warning("Redis unavailable: top individuals from SQL")
        return None
    if not int(reply[0]):
        return None
    rows, names = reply[1], reply[2]
    ordered = [(MEMBER_BASE - int(rows[i]), int(float(rows[i + 1]))) for i in range(0, len(rows), 2)]
    return ordered, {pid: name for (pid, _), name in zip(ordered, names, strict=True) if name}


def top_individuals(campaign: Campaign, limit: int = 10) -> list[IndividualRow]:
    """The top residents with masked names and teams: one Redis call when the boards are ready."""
    mirrored = _top_mirrored(campaign, limit) if limit > 0 else None
    if mirrored is not None:
        ordered, shown = mirrored
        return _individual_rows(campaign, ordered, shown)
    return _individual_rows(campaign, _ordered(campaign, limit), {})  # no Redis or not ready: from SQL


def _individual_rows(
    campaign: Campaign, ordered: list[tuple[int, int]], shown: dict[int, str]
) -> list[IndividualRow]:
    missing = [pid for pid, _ in ordered if pid not in shown]
    if missing:  # no Redis, or names not mirrored yet: one joined query
        teams = {t.id: t for t in campaign.teams}
        for pid, name, team_id in db.session.execute(
            select(Participant.id, Participant.name, Enrollment.team_id)
            .outerjoin(
                Enrollment,
                (Enrollment.participant_id == Participant.id) & (Enrollment.campaign_id == campaign.id),
            )
            .where(Participant.id.in_(missing))
        ):
            shown[pid] = _display(name, teams.get(team_id))
    rows = []
    for rank, (pid, value) in enumerate(ordered, start=1):
        points, time_s = standings.decode(value)
        name, _, team = shown.get(pid, "|").partition("|")
        rows.append(IndividualRow(rank, pid, name, team, points, time_s))
    return rows


def ranking_order(campaign: Campaign) -> list[int]:
    """Every ranked participant id, best first (for tests and exports)."""
    return [pid for pid, _ in _ordered(campaign, None)]


@dataclass(frozen=True)
class MyRank:
    rank: int
    total: int
    points: int
    time_s: int


def _member(participant_id: int) -> str:
    return f"{MEMBER_BASE - participant_id:012d}"


def _my_rank_from(rank: int | None, score: str | float | None, total: int) -> MyRank | None:
    if rank is None:
        return None
    points, time_s = standings.decode(int(float(score)))
    return MyRank(int(rank) + 1, int(total), points, time_s)


def my_rank(campaign: Campaign, participant: Participant) -> MyRank | None:
    """My place among individuals: one Redis round trip when ready, else from SQL."""
    client = redis_client()
    if client is not None:
        try:
            pipe = client.pipeline(transaction=False)
            key = _k(campaign.id, "individuals")
            pipe.exists(_k(campaign.id, "ready"))
            pipe.zrevrank(key, _member(participant.id))
            pipe.zscore(key, _member(participant.id))
            pipe.zcard(key)
            ready, rank, score, total = pipe.execute()
            if ready:
                return _my_rank_from(rank, score, total)
        except redis.RedisError:
            log.warning("Redis unavailable: my rank from SQL")
    return _my_rank_sql(campaign, participant.id)


def _my_rank_sql(campaign: Campaign, participant_id: int) -> MyRank | None:
    ordered = standings.order_individuals(campaign, standings.individual_aggregates_sql(campaign))
    for rank, (pid, value) in enumerate(ordered, start=1):
        if pid == participant_id:
            points, time_s = standings.decode(value)
            return MyRank(rank, len(ordered), points, time_s)
    return None


def membership(campaign: Campaign, openid: str) -> tuple[int, int] | None:
    """(participant id, team id) of a resident registered for the campaign, else None (app.services.membership:
    remembered per process, forgotten in every process when a resident moves)."""
    found = members.lookup(campaign, openid)
    return None if found is None else found[:2]


def my_standing(campaign: Campaign, participant_id: int) -> tuple[list[TeamStanding], MyRank | None]:
    """The team board and my rank together: one Redis round trip when ready, else from SQL."""
    client = redis_client()
    if client is not None:
        try:
            found = _read(client, campaign, "team:all", _member(participant_id))
            if found is not None:
                raw, rank, score, total, _ = found
                return _rank_mirrored(campaign, "team:all", raw), _my_rank_from(rank, score, total)
        except redis.RedisError:
            log.warning("Redis unavailable: my standing from SQL")
    return standings.team_standings_sql(campaign), _my_rank_sql(campaign, participant_id)
