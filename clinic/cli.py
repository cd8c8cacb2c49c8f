"""Command line: `flask --app wsgi <command>` or the `clinic` console script."""
from __future__ import annotations

import sys

import click
import sqlalchemy as sa
from flask import current_app
from flask.cli import FlaskGroup, with_appcontext
from flask_migrate import upgrade

from clinic.bench.command import bench_command
from clinic.directory.cli import directory
from clinic.extensions import db

users = click.Group("users", help="Create accounts and API tokens.")
outbox = click.Group("outbox", help="Deliver queued mail.")
availability = click.Group("availability", help="Specialists' weekly openings.")


@click.command("demo")
@with_appcontext
def demo_command():
    """Create the database if needed and load the demo clinic (safe to run twice)."""
    from clinic.demo import load_demo
    from clinic.mail.outbox import deliver_due

    upgrade()
    created = load_demo()
    db.session.commit()
    if created and not current_app.config["MAIL_SERVER"]:
        deliver_due(limit=None)  # the demo's invites as .eml files in MAIL_FOLDER
    if created:
        click.echo("Demo clinic loaded. Sign in at http://127.0.0.1:5000/login with:")
        for email, password, role in created:
            click.echo(f"  {role:<12} {email:<32} {password}")
    else:
        click.echo("The demo clinic is already loaded; nothing changed. Logins are listed in README.md.")


@users.command("create")
@click.argument("email")
@click.option("--role", required=True, type=click.Choice(["coordinator", "specialist", "admin"]))
@click.option("--name", default=None, help="Full name (defaults to the part of the email before @).")
@click.option("--npi", default=None, help="For a specialist: the NPI of their directory record.")
@click.option("--password", default=None, help="Without it a password is generated and printed.")
@with_appcontext
def create_user_command(email, role, name, npi, password):
    """Create a user account."""
    from clinic.auth.services import AccountError, create_user
    from clinic.directory.models import Clinician

    clinician = db.session.scalar(sa.select(Clinician).where(Clinician.npi == npi)) if npi else None
    if npi and clinician is None:
        raise click.UsageError(f"No clinician with NPI {npi} in the directory.")
    try:
        user, secret = create_user(None, email, name or email.split("@")[0], role, password, clinician)
    except AccountError as error:
        raise click.UsageError(f"{error.field}: {error.message}") from None
    db.session.commit()
    click.echo(f"Created {user.role} {user.email}")
    if not password:
        click.echo(f"Password: {secret}")


@users.command("token")
@click.argument("email")
@click.option("--name", default="CLI token")
@with_appcontext
def token_command(email, name):
    """Print a new API token for EMAIL, alone on stdout (stored hashed)."""
    from clinic.auth.services import AccountError, find_user, issue_token

    user = find_user(email)
    if user is None:
        raise click.UsageError(f"No user {email}.")
    try:
        secret = issue_token(None, user, name)
    except AccountError as error:
        raise click.UsageError(error.message) from None
    db.session.commit()
    click.echo(secret)


@outbox.command("send")
@click.option("--limit", default=0, help="At most this many messages (default: all that are due).")
@click.option("--all", "include_waiting", is_flag=True,
              help="Also messages waiting for their next retry (after fixing the mail server).")
@with_appcontext
def send_command(limit, include_waiting):
    """Deliver the mail that is due (SMTP, or .eml files without MAIL_SERVER)."""
    from clinic.mail.outbox import deliver_due

    sent, failed = deliver_due(limit=limit or None, include_waiting=include_waiting)
    click.echo(f"sent {sent}, failed {failed}")
    if failed:
        sys.exit(1)


@availability.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@click.option("--max-rows", type=click.IntRange(min=1), default=None,
              help="Most rows the file may hold (default: the ROSTER_MAX_ROWS setting, 100,000).")
@with_appcontext
def import_availability_command(path, max_rows):
    """Upsert weekly openings from an availability.csv (all or nothing; errors name file, line and column).
    `directory import DIR` takes the same file along with the rest of the roster."""
    from clinic.scheduling.roster import RosterError, import_availability

    try:
        with open(path, "rb") as stream:  # read as a stream, never whole into memory
            counts = import_availability(None, stream, max_rows=max_rows)
    except RosterError as error:
        db.session.rollback()
        for problem in error.problems:
            click.echo(str(problem), err=True)
        sys.exit(1)
    db.session.commit()
    click.echo(f"availability.csv: {counts}")


COMMANDS = [demo_command, users, outbox, directory, availability, bench_command]


def register_commands(app) -> None:
    for command in COMMANDS:
        app.cli.add_command(command)


def main() -> None:
    """The `clinic` console script: the same commands as `flask --app wsgi`."""
    from clinic import create_app

    FlaskGroup(create_app=lambda: create_app(), help="Second-opinion clinic.")(prog_name="clinic")
