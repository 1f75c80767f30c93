"""Downloads for staff: leaderboards, final results, the 宣传月活动情况统计表 (analysts and admins) and tips
(tip handlers and admins, audited). Every download is a POST with the CSRF token."""

from __future__ import annotations

from urllib.parse import quote

from flask import Response, abort, flash, g, redirect, render_template, request, url_for

from app import clock
from app.errors import NotFound
from app.extensions import db
from app.services import publicity_report, staff_exports
from app.web.admin import bp
from app.web.admin.security import require_role
from app.web.admin.tips import tip_filter

CAMPAIGN_KINDS = {
    "team": "战队排行",
    "individual": "个人排行（姓名已脱敏）",
    "final_teams": "战队最终排名（优秀战队）",
    "final_individuals": "个人获奖名单（含姓名、电话，记入审计日志）",
    "publicity": "宣传月活动情况统计表",
}


def _download(data: bytes, stem: str, fmt: str) -> Response:
    name = staff_exports.file_name(stem, fmt)
    response = Response(data, mimetype=staff_exports.MIME[fmt])
    response.headers["Content-Disposition"] = (
        f"attachment; filename=\"export.{fmt}\"; filename*=UTF-8''{quote(name)}"
    )
    return response


def _format() -> str:
    fmt = request.form.get("format", "xlsx")
    if fmt not in staff_exports.FORMATS:
        abort(400)
    return fmt


@bp.get("/exports")
@require_role("analyst", "tip_handler")
def exports():  # noqa: ANN201
    return render_template(
        "admin/exports.html",
        campaigns=staff_exports.campaigns(),
        kinds=CAMPAIGN_KINDS,
        can_campaign=g.staff.role in ("admin", "analyst"),
        can_tips=g.staff.role in ("admin", "tip_handler"),
    )


@bp.post("/exports/campaign")
@require_role("analyst")
def export_campaign():  # noqa: ANN201
    fmt, kind = _format(), request.form.get("kind", "")
    if kind not in CAMPAIGN_KINDS:
        abort(400)
    now = clock.now()
    try:
        campaign = staff_exports.get_campaign(request.form.get("campaign", 0, type=int))
        if kind == "publicity":
            fig = publicity_report.figures(campaign, now)
            render = publicity_report.render_xlsx if fmt == "xlsx" else publicity_report.render_csv
            return _download(render(campaign, fig), f"宣传月活动情况统计表-{campaign.slug}", fmt)
        if kind == "team":
            sheet = staff_exports.team_leaderboard(campaign)
        elif kind == "individual":
            sheet = staff_exports.individual_leaderboard(campaign)
        elif kind == "final_teams":
            sheet = staff_exports.final_teams(campaign)
        else:
            sheet = staff_exports.final_individuals(campaign, actor=g.staff.username, now=now)
    except NotFound as exc:
        db.session.rollback()
        flash(exc.message, "error")
        return redirect(url_for("admin.exports"))
    data = sheet.render(fmt)
    db.session.commit()  # the audit row of a prize-list export
    return _download(data, sheet.name, fmt)


@bp.post("/exports/tips")
@require_role("tip_handler")
def export_tips():  # noqa: ANN201
    """The inbox's current filter as a spreadsheet, without identities; each tip is audited."""
    fmt = _format()
    sheet = staff_exports.tips(tip_filter(request.form), actor=g.staff.username, now=clock.now())
    data = sheet.render(fmt)
    db.session.commit()
    return _download(data, sheet.name, fmt)
