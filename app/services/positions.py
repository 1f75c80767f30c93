"""Leaderboard reads for one resident's page (with campaigns.current_campaign(now, attach=False)): "my position"
(the team board, my team and my rank) in one Redis round trip when warm."""

from __future__ import annotations

import logging

import redis
from sqlalchemy import inspect

from app.extensions import db
from app.models.campaign import Campaign
from app.services import membership as members
from app.services import standings
from app.services.leaderboards import (
    MyRank,
    _member,
    _my_rank_from,
    _my_rank_sql,
    _rank_mirrored,
    _read,
    redis_client,
)
from app.services.standings import TeamStanding

log = logging.getLogger(__name__)


def attached(campaign: Campaign) -> Campaign:
    """The campaign in the request's session (for reads that may need its teams from SQL)."""
    return db.session.merge(campaign, load=False) if inspect(campaign).detached else campaign


def my_position(campaign: Campaign, openid: str) -> tuple[list[TeamStanding], int, MyRank | None] | None:
    """The team board, my team's id and my rank; None when the resident is not registered. Warm: one Redis
    round trip, no SQL (the remembered membership is confirmed by the version that round trip returns)."""
    found = members.lookup(campaign, openid)
    client = redis_client()
    if found is not None and client is not None:
        try:
            reply = _read(client, campaign, "team:all", _member(found[0]))
            if reply is not None and not members.confirm(campaign, reply[4]) and found[2]:
                found = members.lookup(campaign, openid)  # someone moved since: look again, ask again
                reply = None if found is None else _read(client, campaign, "team:all", _member(found[0]))
            if reply is not None and found is not None:
                raw, rank, score, total, _ = reply
                return _rank_mirrored(campaign, "team:all", raw), found[1], _my_rank_from(rank, score, total)
        except redis.RedisError:
            log.warning("Redis unavailable: my position from SQL")
    if found is not None and found[2]:  # not confirmed: trusted only for READ_CACHE_SECONDS
        members.unconfirmed(campaign)
        found = members.lookup(campaign, openid)
    if found is None:
        return None
    campaign = attached(campaign)
    return standings.team_standings_sql(campaign), found[1], _my_rank_sql(campaign, found[0])
