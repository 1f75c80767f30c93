"""`flask residents ...`: staff anti-cheat commands (exclude/include from rankings, flagged papers)."""

from __future__ import annotations

import getpass

import click
from flask import Flask
from flask.cli import AppGroup

from app import clock
from app.errors import DomainError
from app.extensions import db
from app.services import moderation

residents_cli = AppGroup(
    "residents", help="Anti-cheat: exclude residents from rankings, review flagged papers."
)
actor_option = click.option(
    "--actor", default=getpass.getuser, show_default="your login", help="For the audit log."
)
reason_option = click.option("--reason", required=True, help="Why (written to the audit log).")


def register(app: Flask) -> None:
    app.cli.add_command(residents_cli)


def _run(action):  # noqa: ANN001, ANN202
    try:
        result = action()
        db.session.commit()
        return result
    except DomainError as exc:
        db.session.rollback()
        raise click.ClickException(exc.message) from None


@residents_cli.command("exclude")
@click.argument("who")
@reason_option
@actor_option
def exclude(who: str, reason: str, actor: str) -> None:
    """Keep a resident (participant id or openid) out of every ranking and their team's totals."""
    p = _run(
        lambda: moderation.exclude_participant(
            moderation.find_participant(who).id, reason, actor, now=clock.now()
        )
    )
    click.echo(f"participant {p.id} excluded from rankings")


@residents_cli.command("include")
@click.argument("who")
@reason_option
@actor_option
def include(who: str, reason: str, actor: str) -> None:
    """Return an excluded resident to the rankings."""
    p = _run(
        lambda: moderation.include_participant(
            moderation.find_participant(who).id, reason, actor, now=clock.now()
        )
    )
    click.echo(f"participant {p.id} back in rankings")


@residents_cli.command("flagged")
@click.option("--all", "show_all", is_flag=True, help="Also papers already reviewed (rejected).")
@click.option("--limit", default=200, show_default=True)
def flagged(show_all: bool, limit: int) -> None:
    """Papers flagged for review (answered faster than the campaign's minimum), newest first."""
    rows = moderation.flagged_papers(include_reviewed=show_all, limit=limit)
    for r in rows:
        when = clock.fmt_local(r.submitted_at) if r.submitted_at else "-"
        click.echo(
            f"paper {r.paper_id}  participant {r.participant_id}  {r.day}  {when}  {r.flag}  "
            f"score={r.score}  used={r.time_used_ms / 1000:.1f}s{'  EXCLUDED' if r.excluded else ''}"
        )
    click.echo(f"{len(rows)} flagged paper(s)")


@residents_cli.command("review")
@click.argument("paper_id", type=int)
@click.option("--accept/--reject", required=True, help="Accept into the rankings, or keep it out.")
@reason_option
@actor_option
def review(paper_id: int, accept: bool, reason: str, actor: str) -> None:
    """Decide on a flagged paper."""
    _run(lambda: moderation.review_paper(paper_id, accept, reason, actor, now=clock.now()))
    click.echo(f"paper {paper_id} {'accepted into' if accept else 'kept out of'} the rankings")
