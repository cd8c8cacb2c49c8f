"""Build the synthetic clinic: the directory through the real roster importer, availability through
the real availability import (both timed: they are figures of the benchmark), then the cases and
the rows of every stage in bulk, with one progress bar over the whole build.
"""
from __future__ import annotations

import tempfile
import time
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

import click
import sqlalchemy as sa

from clinic.auth.models import User
from clinic.bench import outcomes, patients, stages, synthetic
from clinic.bench.measure import Figure
from clinic.database import utcnow
from clinic.directory.models import Clinician
from clinic.extensions import db
from clinic.bench.roster import write_roster
from clinic.scheduling.models import DayOff


@dataclass(frozen=True)
class Sizes:
    cases: int = 100_000
    specialists: int = 5000
    affiliations: int = 50_000
    networks: int = 200_000
    appointments: int = 20_000


@dataclass
class Built:
    """What the measures need from the build: logins, ids to draw from, the import figures."""

    logins: dict[str, str]
    samples: dict[str, list[int]]
    figures: list[Figure] = field(default_factory=list)
    seconds: float = 0.0


# Later stages add their synthetic rows: (label, callable(built, plans, rng)), run after the core build.
BUILDERS: list = [("status links", patients.build_status_links)]


def build_clinic(sizes: Sizes, rng) -> Built:
    started = time.perf_counter()
    now = utcnow()
    plans = synthetic.plan_cases(sizes.cases, rng, now)
    weights = {"directory": sizes.specialists * 10 + sizes.networks // 4 + sizes.affiliations // 4,
               "cases": sizes.cases * 2, "records": sizes.cases * 6 // 2, "appointments": sizes.appointments,
               "audit": sizes.cases * 4 // 2}
    with click.progressbar(length=sum(weights.values()), label="Building the synthetic clinic",
                           item_show_func=lambda step: step or "", show_pos=False, show_eta=True) as bar:
        def step(name: str):
            bar.current_item = name
            bar.update(0)
            return lambda rows: bar.update(rows * weights[name] // max(1, _rows(name, sizes)))

        figures = import_directory(sizes)
        bar.current_item = "directory"
        bar.update(weights["directory"])
        panel = stages.load_panel()
        logins = synthetic.build_staff(panel.busy)
        panel.coordinator = db.session.scalar(sa.select(User.id).where(User.email == logins["coordinator"]))
        figures.append(import_availability(panel))
        build_days_off(panel, rng, now.date())
        referring = [tuple(r) for r in db.session.execute(
            sa.select(Clinician.id, Clinician.npi, Clinician.name).where(Clinician.kind == "external"))]
        synthetic.build_cases(plans, referring, rng, step("cases"))
        stages.build_records(plans, panel, rng, step("records"))
        stages.build_coverage(plans, panel, rng)
        stages.build_assignments(plans, panel, rng)
        appointments = stages.build_appointments(plans, panel, sizes.appointments, now, rng, step("appointments"))
        stages.build_outbox(appointments, stages.by_id(plans), _invite_text())
        outcomes.build_opinions(plans, rng)
        stages.build_audit(plans, panel, rng, step("audit"))
        built = Built(logins, stages.sample_ids(plans, appointments) | {"specialist": panel.specialists}, figures)
        for label, build in BUILDERS:
            bar.current_item = label
            build(built, plans, rng)
        db.session.commit()
        bar.current_item = "analyze"
        finish_database()
    built.seconds = time.perf_counter() - started
    return built


def _rows(name: str, sizes: Sizes) -> int:
    return {"cases": sizes.cases, "records": sizes.cases * 5, "appointments": sizes.appointments,
            "audit": sizes.cases * 4}.get(name, 1)


def import_directory(sizes: Sizes) -> list[Figure]:
    """The roster CSVs of DESIGN.md section 9 through the real importer; rows per second."""
    from clinic.directory.roster import import_roster

    with tempfile.TemporaryDirectory() as folder:
        rows = write_roster(Path(folder), sizes.specialists, sizes.affiliations, sizes.networks)
        files = {p.name: p.read_bytes() for p in Path(folder).glob("*.csv")}
    started = time.perf_counter()
    import_roster(None, files, max_rows=rows)  # a bulk load, as from the command line
    db.session.flush()
    seconds = time.perf_counter() - started
    return [Figure(f"roster import ({rows:,} rows)", unit="rows/s", value=rows / seconds, target=20_000)]


def import_availability(panel: stages.Panel) -> Figure:
    from clinic.scheduling.roster import import_availability as run_import

    npis = dict(db.session.execute(sa.select(Clinician.id, Clinician.npi).where(Clinician.kind == "specialist")).all())
    text = stages.availability_csv(panel, npis)
    started = time.perf_counter()
    counts = run_import(None, text)
    db.session.flush()
    rows = counts.new + counts.changed + counts.unchanged
    seconds = time.perf_counter() - started
    return Figure(f"availability import ({rows:,} rows)", unit="rows/s", value=rows / seconds, target=20_000)


def build_days_off(panel: stages.Panel, rng, today: date) -> None:
    """One day off in the coming weeks for every specialist (holidays, congresses)."""
    synthetic.insert(DayOff.__table__, [{"specialist_id": sid, "day": today + timedelta(days=rng.randint(1, 40)),
                                          "reason": "Congress"} for sid in panel.specialists])


def _invite_text() -> str:
    """One real invite, as the outbox holds them (its size is what matters here)."""
    from datetime import datetime, timezone

    from clinic.scheduling import invites

    start = datetime(2026, 3, 10, 14, tzinfo=timezone.utc)
    invite = invites.Invite(uid="bench@second-opinion", sequence=0, start=start, end=start + timedelta(minutes=30),
                            timezone="America/New_York", organizer="scheduling@clinic.example",
                            organizer_name="Second Opinion Clinic",
                            attendees=(invites.Person("Patient", "p@bench.example"),
                                       invites.Person("Dr. Synthetic", "d@bench.example")),
                            reference="SO-B0000001", modality="video", location="https://video.bench.example/r/1",
                            specialist_name="Dr. Synthetic", description=invites.prep_checklist(0, "video"))
    return invites.request(invite, start)


def finish_database() -> None:
    """What an operator does after a bulk load: planner statistics; on PostgreSQL also sequences past
    the ids written and the visibility map (VACUUM), without which no index-only scan skips the table."""
    if db.engine.dialect.name != "postgresql":
        db.session.execute(sa.text("ANALYZE"))
        db.session.commit()
        return
    for table in db.metadata.sorted_tables:
        if "id" in table.c and table.c.id.autoincrement is not False and table.c.id.primary_key:
            db.session.execute(sa.text(
                f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "
                f"COALESCE((SELECT MAX(id) FROM {table.name}), 0) + 1, false)"))  # nosec B608: our own table names
    db.session.commit()
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.exec_driver_sql("VACUUM ANALYZE")
