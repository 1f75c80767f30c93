"""Staff commands for the quiz: bank validate/load/import/export, campaigns, and the demo seed."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from flask.cli import AppGroup

from app import clock
from app.extensions import db
from app.services import bank, campaigns
from config.campaign_spec import CampaignSpecError, load_spec
from quiz_bank import tabular
from quiz_bank.loader import DATA_DIR, load_bank
from quiz_bank.validator import validate_dir

bank_cli = AppGroup("bank", help="The question bank.")
campaign_cli = AppGroup("campaign", help="Campaigns.")
seed_cli = AppGroup("seed", help="Seed data for development.")


@bank_cli.command("validate")
@click.option("--dir", "data_dir", type=click.Path(exists=True, file_okay=False), default=str(DATA_DIR))
def bank_validate(data_dir: str) -> None:
    """Check schema, answers, options, duplicates and verbatim quotes; exit 1 with file:item errors."""
    issues = validate_dir(Path(data_dir))
    for issue in issues:
        click.echo(f"{issue.file}:{issue.item}: {issue.message}", err=True)
    if issues:
        click.echo(f"{len(issues)} problem(s) found", err=True)
        sys.exit(1)
    click.echo(f"ok: {len(load_bank(Path(data_dir)))} questions")


@bank_cli.command("load")
def bank_load() -> None:
    """Load the bundled bank files into the database (idempotent by id)."""
    issues = validate_dir(DATA_DIR)
    if issues:
        click.echo("the bundled bank has problems; run `flask bank validate`", err=True)
        sys.exit(1)
    result = bank.sync_questions(load_bank(DATA_DIR), clock.now())
    db.session.commit()
    click.echo(f"added {result.added}, updated {result.updated}, unchanged {result.unchanged}")


@bank_cli.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@click.option("--retire-missing", is_flag=True, help="Retire stored questions that are not in the file.")
@click.option("--dry-run", is_flag=True, help="Check only; write nothing.")
def bank_import(path: str, retire_missing: bool, dry_run: bool) -> None:
    """Import an .xlsx or .csv (题型, 题干, 选项A–F, 答案, 解析, 出处, 原文): all-or-nothing."""
    try:
        rows = tabular.read_table(path)
    except (ValueError, OSError) as exc:
        click.echo(f"cannot read {path}: {exc}", err=True)
        sys.exit(1)
    questions, errors = tabular.rows_to_questions(rows)
    if errors:
        for err in errors:
            click.echo(f"{Path(path).name}: 第{err.row}行: {err.message}", err=True)
        click.echo(f"nothing imported: {len(errors)} row error(s)", err=True)
        sys.exit(1)
    if dry_run:
        click.echo(f"ok: {len(questions)} questions would be imported")
        return
    result = bank.sync_questions(questions, clock.now(), retire_missing=retire_missing)
    db.session.commit()
    click.echo(
        f"added {result.added}, updated {result.updated}, unchanged {result.unchanged}, "
        f"retired {result.retired}"
    )


@bank_cli.command("export")
@click.argument("path", type=click.Path(dir_okay=False))
def bank_export(path: str) -> None:
    """Export the stored bank (retired questions included) to .xlsx or .csv."""
    questions = bank.all_questions(active_only=False)
    if not tabular.export_by_extension(
        path, lambda p: tabular.export_xlsx(questions, p), lambda p: tabular.export_csv(questions, p)
    ):
        click.echo("the file name must end with .xlsx or .csv", err=True)
        sys.exit(1)
    click.echo(f"exported {len(questions)} questions to {path}")


@bank_cli.command("retire")
@click.argument("question_id")
def bank_retire(question_id: str) -> None:
    """Retire a question (it stays in history, it is no longer drawn)."""
    if not bank.retire(question_id, clock.now()):
        click.echo(f"{question_id}: not found or already retired", err=True)
        sys.exit(1)
    db.session.commit()
    click.echo(f"{question_id} retired")


@campaign_cli.command("load")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
def campaign_load(path: str) -> None:
    """Create or update a campaign from a config file (see config/campaigns/)."""
    try:
        spec = load_spec(path)
    except CampaignSpecError as exc:
        click.echo(f"{path}: {exc}", err=True)
        sys.exit(1)
    campaign = campaigns.upsert_campaign(spec, clock.now())
    db.session.commit()
    click.echo(
        f"campaign {campaign.slug}: {campaign.name}, {campaigns.window_text(campaign)}, "
        f"{len(campaign.teams)} teams"
    )


@campaign_cli.command("list")
def campaign_list() -> None:
    from sqlalchemy import select

    from app.models.campaign import Campaign

    now = clock.now()
    for c in db.session.scalars(select(Campaign).order_by(Campaign.starts_at)):
        state = "open" if c.is_open(now) else ("upcoming" if now < c.starts_at else "ended")
        click.echo(f"{c.slug:<16} {state:<9} {campaigns.window_text(c)}  {c.name}")


@seed_cli.command("demo")
def seed_demo() -> None:
    """Load the bundled bank and a demo campaign open now (idempotent)."""
    now = clock.now()
    result = bank.sync_questions(load_bank(DATA_DIR), now)
    campaign = campaigns.upsert_campaign(campaigns.demo_spec(now), now)
    db.session.commit()
    click.echo(
        f"bank: {result.added} added, {result.updated} updated; demo campaign open "
        f"{campaigns.window_text(campaign)}"
    )


def register(app) -> None:  # noqa: ANN001
    for group in (bank_cli, campaign_cli, seed_cli):
        app.cli.add_command(group)
