"""Staff commands for 防非知识: validate, load, import and export cards; the questions no card answered."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from flask import Flask
from flask.cli import AppGroup

from app import clock
from app.extensions import db
from app.services import knowledge
from quiz_bank import knowledge_table
from quiz_bank.knowledge import DEFAULT_PATH, load_cards, validate_file
from quiz_bank.tabular import export_by_extension

knowledge_cli = AppGroup("knowledge", help="防非知识 cards.")


def _read_table(path: str) -> knowledge_table.CardTable:
    try:
        rows = knowledge_table.read_table(path)
    except (ValueError, OSError) as exc:
        click.echo(f"cannot read {path}: {exc}", err=True)
        sys.exit(1)
    return knowledge_table.rows_to_cards(rows)


@knowledge_cli.command("validate")
@click.argument("path", type=click.Path(exists=True, dir_okay=False), default=str(DEFAULT_PATH))
def knowledge_validate(path: str) -> None:
    """Check a cards file (.json, .xlsx or .csv; default: the bundled cards.json); exit 1 with
    file:item errors."""
    name = Path(path).name
    if path.lower().endswith(".json"):
        problems = [(issue.item, issue.message) for issue in validate_file(path)]
        count = 0 if problems else len(load_cards(path))
    else:
        table = _read_table(path)
        problems, count = [(f"第{e.row}行", e.message) for e in table.errors], len(table.cards)
    for item, message in problems:
        click.echo(f"{name}:{item}: {message}", err=True)
    if problems:
        click.echo(f"{len(problems)} problem(s) found", err=True)
        sys.exit(1)
    click.echo(f"ok: {count} cards")


@knowledge_cli.command("load")
def knowledge_load() -> None:
    """Store the bundled cards.json (idempotent by id; a stored card with the same id is overwritten)."""
    if validate_file(DEFAULT_PATH):
        click.echo("the bundled cards have problems; run `flask knowledge validate`", err=True)
        sys.exit(1)
    result = knowledge.sync_cards(knowledge.bundled_cards(), clock.now())
    db.session.commit()
    # Into an empty database the bundled cards are stored first, so every card counts as added.
    unchanged = result.unchanged - result.seeded
    click.echo(f"added {result.added + result.seeded}, updated {result.updated}, unchanged {unchanged}")


@knowledge_cli.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@click.option("--retire-missing", is_flag=True, help="Retire the cards that are not in the file.")
@click.option("--dry-run", is_flag=True, help="Check only; write nothing.")
def knowledge_import(path: str, retire_missing: bool, dry_run: bool) -> None:
    """Import an .xlsx or .csv (编号, 标题, 正文, 关键词, 同义词, 主题, 出处, 原文, 链接, 提示): all-or-nothing.
    The cards join what residents see now (the bundled cards until anything was imported)."""
    table = _read_table(path)
    cards, errors = table.cards, table.errors
    if not errors:  # the file is fine on its own: check it against the cards it joins
        issues = knowledge.check_import(cards, retire_missing=retire_missing)
        errors = [knowledge_table.RowError(table.row_of[i.item], f"{i.item}: {i.message}") for i in issues]
    if errors:
        for err in errors:
            click.echo(f"{Path(path).name}: 第{err.row}行: {err.message}", err=True)
        click.echo(f"nothing imported: {len(errors)} row error(s)", err=True)
        sys.exit(1)
    if dry_run:
        click.echo(f"ok: {len(cards)} cards would be imported")
        return
    result = knowledge.sync_cards(cards, clock.now(), retire_missing=retire_missing)
    db.session.commit()
    started = f" (started from the {result.seeded} bundled cards)" if result.seeded else ""
    click.echo(
        f"added {result.added}, updated {result.updated}, unchanged {result.unchanged}, "
        f"retired {result.retired}{started}"
    )


@knowledge_cli.command("export")
@click.argument("path", type=click.Path(dir_okay=False))
def knowledge_export(path: str) -> None:
    """Export the cards residents see now to .xlsx or .csv (edit it, then `flask knowledge import`)."""
    cards = sorted(knowledge.library().cards, key=lambda c: c.id)
    if not export_by_extension(
        path, lambda p: knowledge_table.export_xlsx(cards, p), lambda p: knowledge_table.export_csv(cards, p)
    ):
        click.echo("the file name must end with .xlsx or .csv", err=True)
        sys.exit(1)
    click.echo(f"exported {len(cards)} cards to {path}")


@knowledge_cli.command("unmatched")
@click.option("--top", default=20, show_default=True, help="How many questions to list.")
@click.option("--clear", is_flag=True, help="Forget every recorded question (after adding cards).")
def knowledge_unmatched(top: int, clear: bool) -> None:
    """The questions residents asked most that no card answered (who asked is not stored)."""
    if clear:
        deleted = knowledge.clear_unmatched()
        db.session.commit()
        click.echo(f"cleared {deleted} question(s)")
        return
    rows = knowledge.top_unmatched(top)
    if not rows:
        click.echo("no unanswered questions recorded")
        return
    for row in rows:
        last = clock.local(row.last_seen).strftime("%Y-%m-%d %H:%M")
        click.echo(f"{row.count:>5}  {last}  {row.sample}")


def register(app: Flask) -> None:
    app.cli.add_command(knowledge_cli)
