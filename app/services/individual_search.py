"""Staff lookups on the individual leaderboard: by name or masked phone, or a team's best residents."""

from __future__ import annotations

import re
from dataclasses import dataclass

import redis
from sqlalchemy import select

from app import personal_data, redis_keys
from app.extensions import db
from app.models.campaign import Campaign, Team
from app.models.participant import Enrollment, Participant
from app.services import leaderboards, standings
from app.services.leaderboards import MEMBER_BASE, IndividualRow

MASKED_PHONE = re.compile(r"^\d{3}\*{4}\d{4}$")
TEAM_SCAN = 200_000  # a team filter without a search looks at the overall top this far
CHUNK = 2_000


@dataclass(frozen=True)
class Found:
    participant_id: int
    name: str  # masked
    phone: str  # masked
    team: str
    rank: int | None
    points: int
    time_s: int


def search(campaign: Campaign, query: str, team_id: int | None = None, limit: int = 50) -> list[Found]:
    """Residents whose full name starts with `query`, or whose masked phone is `query` (138****1234)."""
    query = query.strip()[:40]
    if not query:
        return []
    stmt = (
        select(Participant, Team)
        .join(
            Enrollment,
            (Enrollment.participant_id == Participant.id) & (Enrollment.campaign_id == campaign.id),
        )
        .join(Team, Team.id == Enrollment.team_id)
        .order_by(Participant.id)
        .limit(limit)
    )
    if MASKED_PHONE.match(query):
        stmt = stmt.where(Participant.phone_masked == query)
    else:
        stmt = stmt.where(Participant.name.startswith(query, autoescape=True))
    if team_id:
        stmt = stmt.where(Enrollment.team_id == team_id)
    found = db.session.execute(stmt).all()
    ranks = _ranks(campaign, [p for p, _ in found])
    out = []
    for participant, team in found:
        mine = ranks.get(participant.id)
        out.append(
            Found(
                participant.id,
                personal_data.mask_name(participant.name),
                participant.phone_masked or "",
                team.name,
                mine.rank if mine else None,
                mine.points if mine else 0,
                mine.time_s if mine else 0,
            )
        )
    return sorted(out, key=lambda f: (f.rank is None, f.rank or 0))


def _ranks(campaign: Campaign, people: list[Participant]) -> dict[int, leaderboards.MyRank]:
    """Rank, points and time of each resident: one Redis pipeline when the boards are ready."""
    if not people:
        return {}
    if leaderboards.is_ready(campaign):
        try:
            key = redis_keys.leaderboard(campaign.id, "individuals").name
            pipe = leaderboards.redis_client().pipeline(transaction=False)
            for p in people:
                member = f"{MEMBER_BASE - p.id:012d}"
                pipe.zrevrank(key, member)
                pipe.zscore(key, member)
            pipe.zcard(key)
            replies = pipe.execute()
            total, out = replies[-1], {}
            for i, p in enumerate(people):
                rank, score = replies[2 * i], replies[2 * i + 1]
                if rank is not None:
                    points, time_s = standings.decode(int(score))
                    out[p.id] = leaderboards.MyRank(rank + 1, total, points, time_s)
            return out
        except redis.RedisError:
            pass
    return {p.id: r for p in people if (r := leaderboards.my_rank(campaign, p)) is not None}


def _team_top_redis(campaign: Campaign, team: Team, limit: int) -> list[IndividualRow]:
    """Walk the overall order in chunks, keeping the team's residents (the team id is in each agg entry)."""
    client = leaderboards.redis_client()
    ind, agg, names = (
        redis_keys.leaderboard(campaign.id, part).name for part in ("individuals", "agg", "names")
    )
    picked: list[tuple[int, int, int]] = []
    start = 0
    while len(picked) < limit and start < TEAM_SCAN:
        chunk = client.zrevrange(ind, start, start + CHUNK - 1, withscores=True)
        if not chunk:
            break
        pids = [MEMBER_BASE - int(m) for m, _ in chunk]
        for i, (pid, entry) in enumerate(zip(pids, client.hmget(agg, [str(p) for p in pids]), strict=True)):
            if entry and entry.rsplit("|", 1)[-1] == str(team.id):
                picked.append((start + i + 1, pid, int(chunk[i][1])))
        start += CHUNK
    picked = picked[:limit]
    shown = client.hmget(names, [str(pid) for _, pid, _ in picked]) if picked else []
    rows = []
    for (rank, pid, value), display in zip(picked, shown, strict=True):
        points, time_s = standings.decode(value)
        rows.append(IndividualRow(rank, pid, (display or "|").partition("|")[0], team.name, points, time_s))
    return rows


def top(campaign: Campaign, team_id: int | None = None, limit: int = 100) -> list[IndividualRow]:
    """The best residents overall, or of one team with their overall rank (looked for in the top TEAM_SCAN)."""
    if not team_id:
        return leaderboards.top_individuals(campaign, limit)
    team = next((t for t in campaign.teams if t.id == team_id), None)
    if team is None:
        return []
    if leaderboards.is_ready(campaign):
        try:
            return _team_top_redis(campaign, team, limit)
        except redis.RedisError:
            pass
    rows = leaderboards.top_individuals(campaign, TEAM_SCAN)
    return [r for r in rows if r.team == team.name][:limit]
