"""`flask tips ...`: staff commands over the tip services until the dashboard exists. show/export are audited."""

from __future__ import annotations

import csv
import getpass
import os
from datetime import date

import click
from flask import Flask
from flask.cli import AppGroup

from app import clock
from app.errors import DomainError
from app.extensions import db
from app.models.outbox import OutboxMessage
from app.models.tip import CATEGORY_LABELS, STATUS_LABELS, STATUSES
from app.services import tip_delivery, tip_review
from quiz_bank.tabular import neutralize

tips_cli = AppGroup("tips", help="Tips (举报线索) for staff: list, show, export, status, failed notices.")
actor_option = click.option(
    "--actor", default=getpass.getuser, show_default="your login", help="Who is looking (audit log)."
)


def register(app: Flask) -> None:
    app.cli.add_command(tips_cli)


def _fail(exc: DomainError) -> click.ClickException:
    return click.ClickException(exc.message)


def _where(msg: OutboxMessage) -> str:
    return msg.destination.split("?", 1)[0]  # no query strings (they may carry tokens)


@tips_cli.command("list")
@click.option("--status", type=click.Choice(STATUSES), help="Only tips with this status.")
@click.option("--limit", default=50, show_default=True)
def tips_list(status: str | None, limit: int) -> None:
    """Newest tips: receipt, time, category, status, files, office notices (no content, not audited)."""
    for tip in tip_review.list_tips(status, limit):
        click.echo(
            f"{tip.receipt}  {clock.fmt_local(tip.created_at)}  {CATEGORY_LABELS[tip.category]:<6}  "
            f"{tip.channel:<6}  {STATUS_LABELS[tip.status]:<4}  files={len(tip.attachments)}  "
            f"notices={tip_review.delivery_state(tip.receipt)}"
        )
    failed = tip_delivery.failed_deliveries()
    if failed:
        click.echo(f"! {len(failed)} office notice(s) FAILED: run `flask tips failures`", err=True)


@tips_cli.command("show")
@click.argument("receipt")
@click.option("--identity", is_flag=True, help="Also decrypt the tipster's name and phone (audited).")
@actor_option
def tips_show(receipt: str, identity: bool, actor: str) -> None:
    """One tip in full (written to the audit log)."""
    try:
        view = tip_review.view_tip(receipt, actor=actor, now=clock.now(), reveal_identity=identity)
    except DomainError as exc:
        raise _fail(exc) from None
    db.session.commit()
    tip = view.tip
    click.echo(f"回执编号  {tip.receipt}   ({tip.channel}, {clock.fmt_local(tip.created_at)})")
    click.echo(f"状态      {STATUS_LABELS[tip.status]}   答复: {tip.public_reply or '-'}")
    click.echo(f"类别      {CATEGORY_LABELS[tip.category]}")
    click.echo(f"对象      {tip.target}")
    click.echo(f"经过      {tip.story}")
    location = f" ({tip.latitude}, {tip.longitude})" if tip.latitude is not None else ""
    click.echo(f"地点      {tip.place or '-'}{location}")
    if tip.anonymous:
        click.echo("举报人    匿名")
    elif view.identity is None:
        click.echo("举报人    实名 (add --identity to see name and phone; that is audited)")
    else:
        click.echo(f"举报人    {view.identity.name}  {view.identity.phone}")
    for att in tip.attachments:
        click.echo(
            f"文件      {att.status:<7} {att.content_type or '-'} {att.size or 0} B  {att.path or att.last_error or ''}"
        )
    for event in tip.events:
        note = f"  内部备注: {event.note}" if event.note else ""
        click.echo(
            f"记录      {clock.fmt_local(event.at)} {event.actor}: {event.kind} {event.status or ''}{note}"
        )
    for msg in view.deliveries:
        error = f"  last error: {msg.last_error}" if msg.last_error else ""
        click.echo(
            f"通知      {msg.channel:<11} {_where(msg)}  {msg.status} after {msg.attempts} attempt(s){error}"
        )


@tips_cli.command("export")
@click.option("--output", "-o", required=True, type=click.Path(dir_okay=False), help="CSV file to write.")
@click.option("--status", type=click.Choice(STATUSES))
@click.option("--since", type=click.DateTime(["%Y-%m-%d"]), help="Tips from this day on (Asia/Shanghai).")
@click.option("--identity", is_flag=True, help="Include names and phones of real-name tipsters.")
@actor_option
def tips_export(output: str, status: str | None, since, identity: bool, actor: str) -> None:  # noqa: ANN001
    """Write tips to a CSV (UTF-8 with BOM, opens in Excel); every exported tip is audited."""
    start = clock.day_bounds(date(since.year, since.month, since.day))[0] if since else None
    rows = tip_review.export_tips(
        actor=actor, now=clock.now(), status=status, since=start, reveal_identity=identity
    )
    fd = os.open(output, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8-sig", newline="") as fh:
        fields = list(rows[0]) if rows else ["receipt"]
        writer = csv.DictWriter(fh, fieldnames=fields)
        writer.writeheader()
        writer.writerows({k: neutralize(v) for k, v in row.items()} for row in rows)  # formula injection
    db.session.commit()
    click.echo(f"{len(rows)} tips written to {output}")


@tips_cli.command("set-status")
@click.argument("receipt")
@click.argument("status", type=click.Choice(STATUSES))
@click.option("--reply", help="Public reply the tipster sees when checking the receipt.")
@click.option("--note", help="Internal note (never shown to the tipster).")
@actor_option
def tips_set_status(receipt: str, status: str, reply: str | None, note: str | None, actor: str) -> None:
    """Move a tip to received, verifying, closed or rejected."""
    try:
        tip = tip_review.set_status(receipt, status, actor=actor, now=clock.now(), reply=reply, note=note)
    except DomainError as exc:
        raise _fail(exc) from None
    db.session.commit()
    click.echo(f"{tip.receipt}: {STATUS_LABELS[tip.status]}")


@tips_cli.command("failures")
def tips_failures() -> None:
    """Office notices that gave up after the retry cap (the office has not been told)."""
    failed = tip_delivery.failed_deliveries()
    for msg in failed:
        click.echo(
            f"{tip_delivery.receipt_of(msg)}  {msg.channel:<11} {_where(msg)}  attempts={msg.attempts}  "
            f"{msg.last_error or ''}"
        )
    click.echo(
        f"{len(failed)} failed. Fix the destination, then `flask tips redeliver RECEIPT`."
        if failed
        else "none"
    )


@tips_cli.command("redeliver")
@click.argument("receipt")
def tips_redeliver(receipt: str) -> None:
    """Queue a tip's failed notices again (the next deliver_outbox run sends them)."""
    try:
        tip = tip_review.get_tip(receipt)
    except DomainError as exc:
        raise _fail(exc) from None
    count = tip_delivery.redeliver(tip.receipt, clock.now())
    db.session.commit()
    click.echo(f"{count} notice(s) queued again")


@tips_cli.command("rotate-keys")
def tips_rotate_keys() -> None:
    """Re-encrypt tipster identities with the newest FANGFEI_DATA_KEY (step 2 of key rotation)."""
    count = tip_review.rotate_identity_keys()
    db.session.commit()
    click.echo(f"{count} identities re-encrypted with the newest key")
