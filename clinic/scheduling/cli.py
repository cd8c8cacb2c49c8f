"""`clinic availability import FILE`: specialists' weekly openings from an availability.csv."""
from __future__ import annotations

import sys

import click
from flask.cli import with_appcontext

from clinic.extensions import db

availability = click.Group("availability", help="Specialists' weekly openings.")


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
