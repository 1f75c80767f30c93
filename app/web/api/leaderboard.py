"""Leaderboards for the H5 page: published snapshots, live team standings, top individuals, my rank.

The live team board is the same for everyone: each process renders it once and serves the same bytes for
PUBLIC_BOARD_SECONDS (default 1 s), so a resident may see a board up to about a second old. A paper mirrored
by this process, or a change to campaigns or teams, drops the copy at once.
"""

from __future__ import annotations

import threading
import time
from datetime import date

from flask import Response, current_app, jsonify, request

from app import clock
from app.errors import DomainError, NotFound
from app.extensions import db
from app.services import (
    campaigns,
    leaderboard_mirror,
    leaderboards,
    positions,
    publications,
    read_cache,
    standings,
)
from app.web.api import bp
from app.web.api.auth import current_openid, login_required

_boards: dict[tuple[str, int, str], tuple[float, tuple[int, int], bytes]] = {}  # -> rendered at, version
_rendering = threading.Lock()


def _campaign():  # noqa: ANN202
    campaign = campaigns.current_campaign(clock.now())
    if campaign is None:
        raise NotFound("目前没有答题活动。", code="no_campaign")
    return campaign


def _open_campaign():  # noqa: ANN202
    """As _campaign, from the process's read-only copy (no session for a warm read)."""
    campaign = campaigns.current_campaign(clock.now(), attach=False)  # read-only; no session opened
    if campaign is None:
        raise NotFound("目前没有答题活动。", code="no_campaign")
    return campaign


@bp.get("/leaderboard/published")
def published_boards():  # noqa: ANN201
    """Published snapshots (newest first): daily and cumulative Top-10, and final results."""
    campaign = _campaign()
    pubs = [p for p in publications.published(campaign) if p.kind != "final_individuals"]
    return jsonify(
        publications=[
            {
                "day": p.day.isoformat(),
                "kind": p.kind,
                "formula": p.formula,
                "as_of": p.as_of.isoformat(),
                "published_at": p.published_at.isoformat(),
                "rows": p.rows,
            }
            for p in pubs
        ]
    )


@bp.get("/leaderboard/teams")
def live_teams():  # noqa: ANN201
    """All teams ranked live; ?day=YYYY-MM-DD for one day (a copy at most PUBLIC_BOARD_SECONDS old)."""
    campaign = _open_campaign()
    day = None
    if request.args.get("day"):
        try:
            day = date.fromisoformat(request.args["day"])
        except ValueError:
            raise DomainError("日期格式应为 2026-06-16。", code="bad_day") from None
    key = (str(db.engine.url), campaign.id, day.isoformat() if day else "")
    version = (leaderboard_mirror.writes(), read_cache.generation())
    ttl = float(current_app.config.get("PUBLIC_BOARD_SECONDS", 1.0))
    hit = _boards.get(key)
    if hit is None or time.monotonic() - hit[0] >= ttl or hit[1] != version:
        with _rendering:  # one thread renders, the others of the process wait for its copy
            hit = _boards.get(key)
            if hit is None or time.monotonic() - hit[0] >= ttl or hit[1] != version:
                rendered = time.monotonic()
                hit = (rendered, version, _team_board_body(positions.attached(campaign), day))
                if len(_boards) >= 64:  # one per campaign and asked-for day: bounded
                    _boards.clear()
                _boards[key] = hit
    return Response(hit[2], mimetype="application/json")


def _team_board_body(campaign, day: date | None) -> bytes:  # noqa: ANN001
    formula = (campaign.settings.get("team_formula") or {}).get("kind", "total")
    return jsonify(
        formula=formula,
        formula_text=standings.FORMULAS[formula],
        teams=[r.as_dict() for r in leaderboards.team_board(campaign, day)],
    ).get_data()


@bp.get("/leaderboard/individuals")
def top_people():  # noqa: ANN201
    """Top individuals by cumulative score (names masked), ?limit=N (max 100)."""
    campaign = _campaign()
    try:
        limit = max(1, min(100, int(request.args.get("limit", 20))))
    except ValueError:
        raise DomainError("limit 应为数字。", code="bad_limit") from None
    return jsonify(individuals=[r.as_dict() for r in leaderboards.top_individuals(campaign, limit)])


@bp.get("/leaderboard/me")
@login_required
def my_position():  # noqa: ANN201
    """My rank and my team's rank."""
    campaign = _open_campaign()
    mine = positions.my_position(campaign, current_openid())
    if mine is None:
        raise NotFound("您还没有报名。", code="not_registered")
    board, team_id, rank = mine
    team = next(r for r in board if r.team_id == team_id)
    return jsonify(
        team=team.as_dict(),
        teams_total=len(board),
        me=None
        if rank is None
        else {"rank": rank.rank, "total": rank.total, "points": rank.points, "time_s": rank.time_s},
    )
