"""Thin command wrappers over services: config, wechat, chat simulator, jobs and scheduler."""

from __future__ import annotations

import sys

import click
from flask import Flask, current_app
from flask.cli import AppGroup

from app import runtime


def register_cli(app: Flask) -> None:
    app.cli.add_command(config_cli)
    app.cli.add_command(wechat_cli)
    app.cli.add_command(jobs_cli)
    app.cli.add_command(data_cli)
    app.cli.add_command(scheduler_cli)
    app.cli.add_command(chat)

    from app import cli_leaderboard, cli_quiz

    cli_quiz.register(app)
    cli_leaderboard.register(app)

    from app import cli_tips

    cli_tips.register(app)

    from app import cli_knowledge

    cli_knowledge.register(app)

    from app import cli_residents

    cli_residents.register(app)

    from app import cli_staff

    cli_staff.register(app)


config_cli = AppGroup("config", help="Inspect settings.")


@config_cli.command("check")
def config_check() -> None:
    """Print the effective settings, secrets masked."""
    settings = current_app.extensions["fangfei.settings"]
    width = max(len(name) for name, _, _ in settings.masked())
    for name, value, doc in settings.masked():
        click.echo(f"{name:<{width}}  {value}")
        click.echo(f"{'':<{width}}  # {doc}")


wechat_cli = AppGroup("wechat", help="WeChat account tools.")


@wechat_cli.command("menu")
def wechat_menu() -> None:
    """Create the custom menu defined in config/menu.py."""
    from config.menu import menu_definition

    result = runtime.wechat_api().menu.create(menu_definition(current_app.extensions["fangfei.settings"]))
    click.echo(f"menu created: {result}")


@wechat_cli.command("emulator")
@click.option("--port", default=5001, show_default=True)
def wechat_emulator(port: int) -> None:
    """Run the local WeChat API emulator."""
    from werkzeug.serving import run_simple

    from app.emulator.server import create_emulator

    s = current_app.extensions["fangfei.settings"]
    click.echo(f"WeChat API emulator on http://127.0.0.1:{port}/")
    # run_simple, not app.run(): Flask ignores app.run() inside a `flask` command.
    run_simple("127.0.0.1", port, create_emulator(s.WECHAT_APP_ID, s.WECHAT_APP_SECRET), threaded=True)


@click.command("chat")
@click.option("--url", default="http://127.0.0.1:5000", show_default=True, help="Where fangfei runs.")
@click.option("--openid", default="o_chat_user", show_default=True, help="The simulated resident.")
@click.option("--mode", type=click.Choice(["safe", "plaintext"]), default="safe", show_default=True)
def chat(url: str, openid: str, mode: str) -> None:
    """Talk to a running fangfei as WeChat does. Lines: text, /click KEY, /subscribe, /location LAT LNG
    LABEL, /image PATH, /voice TEXT, /quit."""
    from app.emulator.chat_client import ChatClient, http_transport
    from app.emulator.commands import run_line

    s = current_app.extensions["fangfei.settings"]
    client = ChatClient(http_transport(url), s.WECHAT_TOKEN, s.WECHAT_APP_ID, s.WECHAT_AES_KEY, mode, openid)
    interactive = sys.stdin.isatty()
    while True:
        if interactive:
            click.echo("> ", nl=False)
        line = sys.stdin.readline()
        if not line or line.strip() == "/quit":
            break
        if not line.strip():
            continue
        try:
            click.echo(run_line(client, line.strip(), s.WECHAT_API_BASE))
        except Exception as exc:  # show and keep going
            click.echo(f"[error] {type(exc).__name__}: {exc}", err=True)


data_cli = AppGroup("data", help="Personal data at rest.")


@data_cli.command("rotate-keys")
def data_rotate_keys() -> None:
    """Re-encrypt phones and tipster identities with the newest key in FANGFEI_DATA_KEY."""
    from app.extensions import db
    from app.services import registration, tip_review

    phones = registration.rotate_phone_keys()
    identities = tip_review.rotate_identity_keys()
    db.session.commit()
    click.echo(f"re-encrypted {phones} phone(s) and {identities} tipster identit(ies) with the newest key")


jobs_cli = AppGroup("jobs", help="Run periodic jobs by hand.")


@jobs_cli.command("run")
@click.argument("name")
def jobs_run(name: str) -> None:
    """Run one job now (under its lock)."""
    from app.jobs.registry import by_name
    from app.jobs.runner import run_job

    spec = by_name(name)
    ok = run_job(current_app._get_current_object(), spec.name, spec.fn)  # noqa: SLF001
    click.echo("done" if ok else "skipped: already running elsewhere")


@jobs_cli.command("list")
def jobs_list() -> None:
    from app.jobs.registry import JOBS

    for spec in JOBS:
        click.echo(f"{spec.name:<20} {spec.trigger} {spec.trigger_args}")


scheduler_cli = AppGroup("scheduler", help="The scheduler process.")


@scheduler_cli.command("run")
def scheduler_run() -> None:
    """Run the job scheduler in the foreground (one per deployment; a standby is safe)."""
    from app.jobs.scheduler import build_scheduler

    app = current_app._get_current_object()  # noqa: SLF001
    scale = app.config["SCHEDULER_INTERVAL_SCALE"]
    click.echo("scheduler started" + (f" (interval jobs x{scale:g})" if scale != 1 else ""))
    build_scheduler(app).start()
