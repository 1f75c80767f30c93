"""`flask staff ...`: dashboard accounts (the first admin is made here)."""

from __future__ import annotations

import sys

import click
from flask import Flask
from flask.cli import AppGroup

from app import clock
from app.errors import DomainError
from app.extensions import db
from app.models.staff import ROLES
from app.services import staff as staff_service

staff_cli = AppGroup("staff", help="Staff dashboard accounts.")


def register(app: Flask) -> None:
    app.cli.add_command(staff_cli)


def _read_password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    return click.prompt("密码 / password", hide_input=True, confirmation_prompt=True)


@staff_cli.command("create")
@click.argument("username")
@click.option("--role", type=click.Choice(ROLES), required=True, help="admin, analyst or tip_handler.")
@click.option("--password-stdin", is_flag=True, help="Read the password from the first line of stdin.")
def staff_create(username: str, role: str, password_stdin: bool) -> None:
    """Create a dashboard account (password prompted, or read with --password-stdin)."""
    try:
        staff = staff_service.create_staff(
            username, _read_password(password_stdin), role, now=clock.now(), actor="cli"
        )
    except DomainError as exc:
        raise click.ClickException(exc.message) from None
    db.session.commit()
    click.echo(f"created {staff.username} ({staff.role})")


@staff_cli.command("password")
@click.argument("username")
@click.option("--password-stdin", is_flag=True, help="Read the password from the first line of stdin.")
def staff_password(username: str, password_stdin: bool) -> None:
    """Set a new password (ends the account's sessions)."""
    match = [s for s in staff_service.list_staff() if s.username.lower() == username.lower()]
    if not match:
        raise click.ClickException(f"no account {username} (see `flask staff list`)")
    try:
        staff_service.set_password(match[0], _read_password(password_stdin), actor="cli", now=clock.now())
    except DomainError as exc:
        raise click.ClickException(exc.message) from None
    db.session.commit()
    click.echo(f"password changed for {match[0].username}")


@staff_cli.command("list")
def staff_list() -> None:
    """Every account with its role and state."""
    for s in staff_service.list_staff():
        click.echo(f"{s.username:<24} {s.role:<12} {'active' if s.active else 'disabled'}")
