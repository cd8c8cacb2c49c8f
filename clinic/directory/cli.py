"""`flask --app wsgi directory import DIR`: load the roster CSVs of a folder, all or nothing."""
from __future__ import annotations

import sys
import time
from contextlib import ExitStack
from pathlib import Path

import click
from flask.cli import with_appcontext

from clinic.extensions import db

directory = click.Group("directory", help="The clinician directory: roster import.")


@directory.command("import")
@click.argument("folder", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--max-rows", type=click.IntRange(min=1), default=None,
              help="Most rows one file may hold (default: the ROSTER_MAX_ROWS setting, 100,000).")
@with_appcontext
def import_command(folder: Path, max_rows: int | None):
    """Import the roster CSV files found in FOLDER (clinicians.csv, organizations.csv, ...)."""
    from clinic.directory.roster import RosterError, import_roster

    paths = sorted(folder.glob("*.csv"))
    if not paths:
        raise click.UsageError(f"No .csv files in {folder}.")
    started = time.perf_counter()
    with ExitStack() as stack:
        # Open files, read as streams: a file of millions of rows is never held in memory whole.
        files = {path.name: stack.enter_context(path.open("rb")) for path in paths}
        try:
            report = import_roster(None, files, max_rows=max_rows)
        except RosterError as error:
            db.session.rollback()
            click.echo(f"Import refused, nothing was changed. {len(error.problems)} problem(s):", err=True)
            for problem in error.problems:
                click.echo(f"  {problem}", err=True)
            sys.exit(1)
    db.session.commit()
    seconds = time.perf_counter() - started
    for line in report.lines():
        click.echo(line)
    click.echo(f"{report.rows} rows in {seconds:.2f} s ({report.rows / max(seconds, 1e-9):,.0f} rows/s).")
