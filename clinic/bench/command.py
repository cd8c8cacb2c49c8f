"""`clinic bench`: build a synthetic clinic in a scratch database, then measure each page and core.

Each figure is the median and p95 of repeated calls, with the SQL statements per call;
page figures are also given as a multiple of a hello-world route of the same app (the
framework floor). Nothing here asserts a time: the benchmark reports.
"""
from __future__ import annotations

import json
import random
import resource
import tempfile
from pathlib import Path

import click
import sqlalchemy as sa

from clinic.bench.measure import Figure, QueryCounter, timed

# Later stages append (name, callable(context) -> list[Figure]) to measure their own pages and cores.
MEASURES: list = []
# Later stages append callables(context, progress) that add their synthetic rows after the cases.
BUILDERS: list = []


@click.command("bench")
@click.option("--cases", default=100_000, show_default=True, help="Synthetic requests to build.")
@click.option("--runs", default=60, show_default=True, help="Calls per measured page.")
@click.option("--database-url", default=None, help="An EMPTY database (default: a scratch SQLite file).")
@click.option("--json", "json_path", default=None, type=click.Path(dir_okay=False), help="Write figures as JSON.")
@click.option("--seed", default=7, show_default=True)
def bench_command(cases, runs, database_url, json_path, seed):
    """Measure the work queue, case page and cores on a clinic of realistic size."""
    from flask_migrate import upgrade

    from clinic import create_app
    from clinic.bench.synthetic import build_cases, build_staff
    from clinic.extensions import db

    scratch = tempfile.mkdtemp(prefix="clinic-bench-")
    url = database_url or f"sqlite:///{Path(scratch) / 'bench.db'}"
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "RATELIMIT_ENABLED": False, "WTF_CSRF_ENABLED": False,
                      "MAIL_DELIVER_ON_COMMIT": False, "MAIL_FOLDER": str(Path(scratch) / "mail"),
                      "UPLOAD_FOLDER": str(Path(scratch) / "uploads"), "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000"})
    with app.app_context():
        if sa.inspect(db.engine).get_table_names():
            raise click.UsageError("The benchmark database must be empty: it fills it with synthetic data.")
        upgrade()
        context = {"app": app, "cases": cases, "seed": seed, "rng": random.Random(seed), "runs": runs}
        with click.progressbar(length=cases, label=f"Building {cases:,} cases") as progress:
            context["logins"] = build_staff()
            build_cases(cases, seed, progress)
            db.session.commit()
        for build in BUILDERS:
            build(context)
            db.session.commit()
        if db.engine.dialect.name == "sqlite":
            db.session.execute(sa.text("ANALYZE"))
        else:
            db.session.execute(sa.text("ANALYZE"))
        db.session.commit()
        counter = QueryCounter(db.engine)
        context["counter"] = counter
        figures = measure_pages(context)
        for _, measure in MEASURES:
            figures.extend(measure(context))
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    report(figures, peak_mb, url if database_url else "SQLite (scratch file)", cases, json_path)


def _page(client, path: str, name: str, context, expect: int = 200) -> Figure:
    figure = Figure(name)
    client.get(path)  # warm caches once, as a working server would be
    for _ in range(context["runs"]):
        with timed(figure, context["counter"]):
            response = client.get(path)
        if response.status_code != expect:
            raise click.ClickException(f"{path} answered {response.status_code}")
    return figure


def measure_pages(context) -> list[Figure]:
    app = context["app"]
    client = app.test_client()
    email = "coordinator@bench.example"
    client.post("/login", data={"email": email, "password": context["logins"][email]})
    context["coordinator_client"] = client
    figures = [_page(client, "/healthz", "hello-world route (floor)", context)]
    figures.append(_page(client, "/cases", "work queue, first page", context))
    figures.append(_page(client, "/cases?status=records_pending&urgency=urgent&reason=invasive_treatment",
                         "work queue, filtered", context))
    figures.append(_page(client, "/cases?page=200", "work queue, page 200", context))
    case = Figure("case page")
    rng = context["rng"]
    for _ in range(context["runs"]):
        case_id = rng.randint(1, context["cases"])
        with timed(case, context["counter"]):
            response = client.get(f"/cases/{case_id}")
        assert response.status_code == 200
    figures.append(case)
    return figures


def report(figures: list[Figure], peak_mb: float, where: str, cases: int, json_path: str | None) -> None:
    floor = figures[0].median if figures and figures[0].times_ms else None
    click.echo(f"\n{cases:,} cases on {where}; peak memory {peak_mb:,.0f} MB\n")
    click.echo(f"{'measure':<48}{'median':>10}{'p95':>10}{'queries':>9}{'x floor':>9}")
    rows = []
    for figure in figures:
        row = figure.as_dict(floor)
        rows.append(row)
        if figure.value is not None:
            click.echo(f"{figure.name:<48}{figure.value:>10,.0f} {figure.unit}")
        else:
            queries = "" if row["queries"] is None else row["queries"]
            click.echo(f"{figure.name:<48}{row['median_ms']:>8.2f}ms{row['p95_ms']:>8.2f}ms{queries!s:>9}"
                       f"{row.get('x_floor', ''):>9}")
    if json_path:
        Path(json_path).write_text(json.dumps({"cases": cases, "database": where, "peak_memory_mb": round(peak_mb),
                                               "figures": rows}, indent=2))
        click.echo(f"\nFigures written to {json_path}")
