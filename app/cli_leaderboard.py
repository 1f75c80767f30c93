"""Staff commands: rebuild and publish leaderboards, freeze and export final results."""

from __future__ import annotations

import csv
import sys
from datetime import date

import click
from flask.cli import AppGroup
from sqlalchemy import select

from app import clock
from app.extensions import db
from app.models.campaign import Campaign
from app.services import campaigns, leaderboard_rebuild, leaderboards, publications
from quiz_bank.tabular import neutralize

leaderboard_cli = AppGroup("leaderboard", help="Leaderboards.")
results_cli = AppGroup("results", help="Final results.")


def _campaign(slug: str | None) -> Campaign:
    campaign = (
        db.session.scalar(select(Campaign).where(Campaign.slug == slug))
        if slug
        else campaigns.current_campaign(clock.now())
    )
    if campaign is None:
        click.echo("no such campaign (see `flask campaign list`)", err=True)
        sys.exit(1)
    return campaign


@leaderboard_cli.command("rebuild")
@click.option("--campaign", "slug", default=None, help="Campaign slug (default: the current one).")
def leaderboard_rebuild_command(slug: str | None) -> None:
    """Recompute the Redis leaderboards from stored papers."""
    campaign = _campaign(slug)
    if leaderboards.redis_client() is None:
        click.echo(
            "no Redis configured: leaderboards are computed from SQL on every read; nothing to rebuild"
        )
        return
    result = leaderboard_rebuild.rebuild(campaign, clock.now())
    click.echo(
        f"rebuilt {campaign.slug}: {result.participants} residents, {result.papers_replayed} replayed, "
        f"{result.seconds:.2f}s"
    )


@leaderboard_cli.command("publish")
@click.option("--date", "day", required=True, help="The day to publish, YYYY-MM-DD (Asia/Shanghai).")
@click.option("--campaign", "slug", default=None)
def leaderboard_publish(day: str, slug: str | None) -> None:
    """Publish a day's Top-10 by hand (idempotent: an existing publication is kept as it was)."""
    campaign = _campaign(slug)
    try:
        when = date.fromisoformat(day)
    except ValueError:
        click.echo("--date must look like 2026-06-16", err=True)
        sys.exit(1)
    daily, cumulative = publications.publish_day(campaign, when, clock.now())
    db.session.commit()
    click.echo(
        f"published {campaign.slug} {when}: daily #1 {daily.rows[0]['name'] if daily.rows else '-'}, "
        f"cumulative #1 {cumulative.rows[0]['name'] if cumulative.rows else '-'} "
        f"(published at {clock.fmt_local(daily.published_at)})"
    )


@results_cli.command("freeze")
@click.option("--campaign", "slug", default=None)
def results_freeze(slug: str | None) -> None:
    campaign = _campaign(slug)
    try:
        publications.freeze_final(campaign, clock.now())
    except ValueError as exc:
        click.echo(str(exc), err=True)
        sys.exit(1)
    db.session.commit()
    click.echo(f"final results of {campaign.slug} frozen")


@results_cli.command("export")
@click.argument("path", type=click.Path(dir_okay=False))
@click.option("--campaign", "slug", default=None)
def results_export(path: str, slug: str | None) -> None:
    """Write the frozen final results (.xlsx or .csv): teams, and individuals with full phones for prizes."""
    campaign = _campaign(slug)
    pubs = {p.kind: p for p in publications.published(campaign)}
    if "final_teams" not in pubs:
        click.echo(
            "final results are not frozen yet: run `flask results freeze` after the campaign ends", err=True
        )
        sys.exit(1)
    team_rows = [["名次", "战队", "总成绩", "参与人数", "答卷人次", "总积分", "人均得分", "优秀战队"]] + [
        [
            r["rank"],
            r["name"],
            r["score"],
            r["participants"],
            r["papers"],
            r["points"],
            r["average"],
            "是" if r["excellent"] else "",
        ]
        for r in pubs["final_teams"].rows
    ]
    people = [["名次", "姓名", "战队", "累计得分", "用时(秒)", "手机号", "工作单位"]] + [
        [r.rank, r.name, r.team, r.points, r.time_s, r.phone or "", r.work_unit or ""]
        for r in publications.final_individuals_for_prizes(pubs["final_individuals"])
    ]
    safe = [[neutralize(c) if isinstance(c, str) else c for c in row] for row in team_rows + [[]] + people]
    if path.lower().endswith(".xlsx"):
        from openpyxl import Workbook

        wb = Workbook()
        ws = wb.active
        ws.title = "优秀战队"
        for row in team_rows:
            ws.append([neutralize(c) if isinstance(c, str) else c for c in row])
        ws2 = wb.create_sheet("个人排名")
        for row in people:
            ws2.append([neutralize(c) if isinstance(c, str) else c for c in row])
        wb.save(path)
    elif path.lower().endswith(".csv"):
        with open(path, "w", encoding="utf-8-sig", newline="") as fh:
            csv.writer(fh).writerows(safe)
    else:
        click.echo("the file name must end with .xlsx or .csv", err=True)
        sys.exit(1)
    click.echo(f"wrote {path}: {len(team_rows) - 1} teams, {len(people) - 1} individuals")


def register(app) -> None:  # noqa: ANN001
    app.cli.add_command(leaderboard_cli)
    app.cli.add_command(results_cli)
