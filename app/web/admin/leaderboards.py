"""Leaderboards for staff: teams (daily, cumulative, components, formula), individuals, snapshots, finals."""

from __future__ import annotations

from datetime import date

from flask import abort, render_template, request
from sqlalchemy import select

from app import clock, personal_data
from app.extensions import db
from app.models.participant import Participant
from app.services import dashboard_stats, individual_search, leaderboards, publications, standings
from app.web.admin import bp
from app.web.admin.campaign_pick import chosen_campaign
from app.web.admin.security import require_role


def _formula_text(campaign) -> str:  # noqa: ANN001
    formula = campaign.settings.get("team_formula") or {"kind": "total"}
    kind = formula.get("kind", "total")
    text = standings.FORMULAS.get(kind, kind)
    if kind == "weighted":
        text += f"，w1 = {formula.get('w1', 1.0)}，w2 = {formula.get('w2', 1.0)}"
    return text


@bp.get("/leaderboards/teams")
@require_role("analyst")
def team_board():  # noqa: ANN201
    campaign, every = chosen_campaign()
    if campaign is None:
        return render_template("admin/no_campaign.html")
    days = dashboard_stats.campaign_days(campaign, clock.campaign_day(clock.now()))
    day = None
    if request.args.get("day"):
        try:
            day = date.fromisoformat(request.args["day"])
        except ValueError:
            abort(400)
    rows = leaderboards.team_board(campaign, day)
    return render_template(
        "admin/team_board.html",
        campaign=campaign,
        campaigns=every,
        rows=rows,
        day=day,
        days=days,
        formula=_formula_text(campaign),
        keep_args={"day": day.isoformat()} if day else {},
    )


@bp.get("/leaderboards/individuals")
@require_role("analyst")
def individual_board():  # noqa: ANN201
    campaign, every = chosen_campaign()
    if campaign is None:
        return render_template("admin/no_campaign.html")
    query = request.args.get("q", "").strip()[:40]
    team_id = request.args.get("team", type=int)
    found = individual_search.search(campaign, query, team_id) if query else None
    rows = None if query else individual_search.top(campaign, team_id)
    return render_template(
        "admin/individual_board.html",
        campaign=campaign,
        campaigns=every,
        query=query,
        team_id=team_id,
        found=found,
        rows=rows,
    )


@bp.get("/leaderboards/daily")
@require_role("analyst")
def publications_page():  # noqa: ANN201
    campaign, every = chosen_campaign()
    if campaign is None:
        return render_template("admin/no_campaign.html")
    pubs = [p for p in publications.published(campaign) if p.kind in ("daily", "cumulative")]
    by_day: dict = {}
    for pub in pubs:
        by_day.setdefault(pub.day, {})[pub.kind] = pub
    return render_template(
        "admin/publications.html",
        campaign=campaign,
        campaigns=every,
        by_day=sorted(by_day.items(), reverse=True),
    )


@bp.get("/leaderboards/final")
@require_role("analyst")
def final_results():  # noqa: ANN201
    campaign, every = chosen_campaign()
    if campaign is None:
        return render_template("admin/no_campaign.html")
    pubs = {p.kind: p for p in publications.published(campaign) if p.kind.startswith("final_")}
    people = []
    individuals = pubs.get("final_individuals")
    if individuals is not None:
        ids = [r["participant_id"] for r in individuals.rows]
        names = dict(
            db.session.execute(select(Participant.id, Participant.name).where(Participant.id.in_(ids))).all()
        )
        people = [
            {**r, "name": personal_data.mask_name(names.get(r["participant_id"], ""))}
            for r in individuals.rows
        ]
    return render_template(
        "admin/final_results.html",
        campaign=campaign,
        campaigns=every,
        teams=pubs.get("final_teams"),
        people=people,
        frozen=individuals,
        formula=_formula_text(campaign),
    )
