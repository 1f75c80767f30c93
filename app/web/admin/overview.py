"""The overview page: today's and cumulative figures, live top-10 teams, charts (Chart.js, vendored)."""

from __future__ import annotations

from flask import render_template

from app import clock, runtime
from app.services import dashboard_stats, leaderboards
from app.web.admin import bp
from app.web.admin.campaign_pick import chosen_campaign
from app.web.admin.security import require_role


@bp.get("/")
@require_role("analyst", "tip_handler")
def overview():  # noqa: ANN201
    campaign, every = chosen_campaign()
    if campaign is None:
        return render_template("admin/overview.html", campaign=None, campaigns=every)
    today = clock.campaign_day(clock.now())
    board = leaderboards.team_board(campaign)
    today_board = leaderboards.team_board(campaign, today)
    store = runtime.store()
    # Cold cache on a big campaign: once one aggregate does not fit the inline budget, don't try the next.
    scores = dashboard_stats.cached(store, campaign, "score_distribution")
    accuracy = dashboard_stats.cached(store, campaign, "accuracy_by_type", inline=scores is not None)
    charts = {
        "byDay": dashboard_stats.participation_by_day(campaign, today),
        "byTeam": [
            {"team": r.name, "participants": r.participants, "rate": r.participation_rate}
            for r in sorted(board, key=lambda r: -r.participants)
        ],
        "scores": scores,
        "accuracy": accuracy,
    }
    return render_template(
        "admin/overview.html",
        campaign=campaign,
        campaigns=every,
        today=today,
        total=dashboard_stats.headline(board),
        today_total=dashboard_stats.headline(today_board),
        top10=board[:10],
        formula=(campaign.settings.get("team_formula") or {}).get("kind", "total"),
        charts=charts,
    )
