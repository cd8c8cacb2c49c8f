"""`flask --app wsgi directory import DIR`: load the roster CSVs of a folder, all or nothing."""
from __future__ import annotations

import sys
import time
from pathlib import Path

import click
from flask.cli import with_appcontext

from clinic.extensions import db

directory = click.Group("directory", help="The clinician directory: roster import.")


@directory.command("import")
@click.argument("folder", type=click.Path(exists=True, file_okay=False, path_type=Path))
@with_appcontext
def import_command(folder: Path):
    """Import the roster CSV files found in FOLDER (clinicians.csv, organizations.csv, ...)."""
    from clinic.directory.roster import RosterError, import_roster

    files = {path.name: path.read_bytes() for path in sorted(folder.glob("*.csv"))}
    if not files:
        raise click.UsageError(f"No .csv files in {folder}.")
    started = time.perf_counter()
    try:
        report = import_roster(None, files)
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
