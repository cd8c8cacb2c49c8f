"""`clinic bench`: build a synthetic clinic in a scratch database, then measure each page and core.

Each figure is the median and p95 of repeated calls, with the SQL statements per call;
page figures are also given as a multiple of a hello-world route of the same app (the
framework floor). Nothing here asserts a time: the benchmark reports, against the targets.

Adding a page is one line in clinic.bench.pages.PAGES; a later stage's synthetic rows are
one entry in clinic.bench.build.BUILDERS, its own measures one entry in MEASURES here.
"""
from __future__ import annotations

import json
import os
import random
import resource
import shutil
import tempfile
from pathlib import Path

import click
import sqlalchemy as sa

from clinic.bench import patients
from clinic.bench.measure import Figure, QueryCounter

# Later stages append (name, callable(bench) -> list[Figure]) to measure their own cores.
MEASURES: list = [("reminders", patients.measure_reminders)]


@click.command("bench")
@click.option("--cases", default=100_000, show_default=True, help="Synthetic requests to build.")
@click.option("--specialists", default=5000, show_default=True)
@click.option("--affiliations", default=50_000, show_default=True)
@click.option("--networks", default=200_000, show_default=True, help="Network membership rows.")
@click.option("--appointments", default=20_000, show_default=True)
@click.option("--runs", default=60, show_default=True, help="Calls per measured page or core.")
@click.option("--database-url", default=None, help="An EMPTY database (default: a scratch SQLite file).")
@click.option("--json", "json_path", default=None, type=click.Path(dir_okay=False), help="Write figures as JSON.")
@click.option("--seed", default=7, show_default=True)
@click.option("--profile", "profile_dir", default=None, type=click.Path(file_okay=False),
              help="Write a pyinstrument profile of every figure that misses its target into this folder.")
@click.option("--keep", is_flag=True, help="Keep the scratch folder (the SQLite database) to look into afterwards.")
def bench_command(cases, specialists, affiliations, networks, appointments, runs, database_url, json_path, seed,
                  profile_dir, keep):
    """Build a clinic of realistic size and measure the pages and cores against their targets."""
    from flask_migrate import upgrade

    from clinic import config, create_app, freeze_startup_objects
    from clinic.bench.build import Sizes, build_clinic
    from clinic.bench.cores import measure_cores
    from clinic.bench.pages import Bench, measure_pages
    from clinic.extensions import db

    scratch = Path(tempfile.mkdtemp(prefix="clinic-bench-"))
    try:
        url = config.database_url(database_url, "") if database_url else f"sqlite:///{scratch / 'bench.db'}"
        app = create_app({"SQLALCHEMY_DATABASE_URI": url, "RATELIMIT_ENABLED": False, "WTF_CSRF_ENABLED": False,
                          "MAIL_DELIVER_ON_COMMIT": False, "MAIL_FOLDER": str(scratch / "mail"),
                          "UPLOAD_FOLDER": str(scratch / "uploads"), "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000"})
        sizes = Sizes(cases, specialists, affiliations, networks, appointments)
        with app.app_context():
            if sa.inspect(db.engine).get_table_names():
                raise click.UsageError("The benchmark database must be empty: it fills it with synthetic data.")
            upgrade()
            built = build_clinic(sizes, random.Random(seed))
            click.echo(f"Built in {built.seconds:.0f} s.")
            freeze_startup_objects()  # as wsgi.py does once the app is built
            bench = Bench(app, QueryCounter(db.engine), runs, random.Random(seed), built.samples, built.logins,
                          profile_dir)
            figures = measure_pages(bench) + measure_cores(bench) + built.figures
            for _, measure in MEASURES:
                figures.extend(measure(bench))
            where = db.engine.dialect.name
            db.engine.dispose()
        peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        report(figures, peak_mb, where, sizes, built.seconds, json_path)
    finally:
        if keep:
            click.echo(f"Scratch folder kept: {scratch}")
        else:
            shutil.rmtree(scratch, ignore_errors=True)

def report(figures: list[Figure], peak_mb: float, where: str, sizes, build_seconds: float,
           json_path: str | None) -> None:
    floor = figures[0].median if figures and figures[0].times_ms else None
    load = os.getloadavg()
    click.echo(f"\nLoad average {load[0]:.2f} on {os.cpu_count()} cores at the end (other work on the machine "
               "inflates wall times; the CPU column is this process's own time).")
    click.echo(f"{sizes.cases:,} cases, {sizes.specialists:,} specialists, {sizes.affiliations:,} affiliations, "
               f"{sizes.networks:,} network rows, {sizes.appointments:,} appointments on {where}; "
               f"built in {build_seconds:.0f} s; peak memory {peak_mb:,.0f} MB\n")
    click.echo(f"{'measure':<50}{'median':>10}{'p95':>10}{'cpu med':>10}{'queries':>8}{'x floor':>8}  target")
    rows = []
    for figure in figures:
        row = figure.as_dict(floor)
        rows.append(row)
        verdict = {True: "met", False: "MISSED", None: ""}[row["met"]]
        target = f"{row['target'] or ''} {verdict}".strip()
        if figure.value is not None:
            click.echo(f"{figure.name:<50}{figure.value:>14,.0f} {figure.unit:<32}  {target}")
        else:
            queries = "" if row["queries"] is None else row["queries"]
            click.echo(f"{figure.name:<50}{row['median_ms']:>8.2f}ms{row['p95_ms']:>8.2f}ms"
                       f"{row['cpu_median_ms']:>8.2f}ms{queries!s:>8}{row.get('x_floor', ''):>8}  {target}")
    if json_path:
        Path(json_path).write_text(json.dumps({
            "database": where, "sizes": vars(sizes), "build_seconds": round(build_seconds),
            "load_average": [round(x, 2) for x in os.getloadavg()], "cores": os.cpu_count(),
            "peak_memory_mb": round(peak_mb), "figures": rows}, indent=2))
        click.echo(f"\nFigures written to {json_path}")
