"""Leaderboards for the H5 page: published snapshots, live team standings, top individuals, my rank."""

from __future__ import annotations

from datetime import date

from flask import jsonify, request

from app import clock
from app.errors import DomainError, NotFound
from app.services import campaigns, leaderboards, publications, standings
from app.web.api import bp
from app.web.api.auth import current_openid, login_required


def _campaign():  # noqa: ANN202
    campaign = campaigns.current_campaign(clock.now())
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
    """All teams ranked live; ?day=YYYY-MM-DD for one day."""
    campaign = _campaign()
    day = None
    if request.args.get("day"):
        try:
            day = date.fromisoformat(request.args["day"])
        except ValueError:
            raise DomainError("日期格式应为 2026-06-16。", code="bad_day") from None
    formula = (campaign.settings.get("team_formula") or {}).get("kind", "total")
    return jsonify(
        formula=formula,
        formula_text=standings.FORMULAS[formula],
        teams=[r.as_dict() for r in leaderboards.team_board(campaign, day)],
    )


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
    campaign = _campaign()
    mine = leaderboards.membership(campaign, current_openid())
    if mine is None:
        raise NotFound("您还没有报名。", code="not_registered")
    participant_id, team_id = mine
    board, rank = leaderboards.my_standing(campaign, participant_id)
    team = next(r for r in board if r.team_id == team_id)
    return jsonify(
        team=team.as_dict(),
        teams_total=len(board),
        me=None
        if rank is None
        else {"rank": rank.rank, "total": rank.total, "points": rank.points, "time_s": rank.time_s},
    )
