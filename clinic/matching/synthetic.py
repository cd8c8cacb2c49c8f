"""A large synthetic directory for benchmarks (and `clinic bench` later): roster CSVs, import, one match.

    python -m clinic.matching.synthetic --database sqlite:////tmp/bench.db

writes the roster files of shared/DESIGN.md section 9 (default: 5,000 specialists,
50,000 affiliations, 200,000 network rows), imports them through the real
importer, then times matching one case against the whole panel.
"""
from __future__ import annotations

import argparse
import csv
import random
import statistics
import tempfile
import time
from datetime import date
from pathlib import Path

from clinic.directory.npi import with_check_digit

SUBSPECIALTIES = (
    ("breast_oncology", "Breast oncology", "C50;D05"), ("breast_surgery", "Breast surgical oncology", "C50;C509"),
    ("urologic_oncology", "Urologic oncology", "C61;C67;C64"), ("spine", "Spine surgery", "M51;M48;M54"),
    ("interventional_cardiology", "Interventional cardiology", "I25;I21"), ("electrophysiology",
                                                                             "Cardiac electrophysiology", "I48;I47"),
    ("thyroid", "Endocrine surgery", "C73;E04;E05"), ("rheumatology", "Rheumatology", "M05;M06;M32"),
    ("neuroimmunology", "Neuroimmunology", "G35;G36;G37"), ("ibd", "Inflammatory bowel disease", "K50;K51"),
    ("lymphoma", "Lymphoma", "C81;C82;C83;C84;C85"), ("hepatobiliary", "Hepatobiliary surgery", "C22;C24;C25"),
)
PLANS = [("Acme Health", "Gold PPO"), ("BlueRiver", "Select HMO")] + \
    [(f"Payer {i}", f"Plan {i}") for i in range(3, 11)]
PERIODS = ((date(2014, 1, 1), date(2016, 12, 31)), (date(2017, 1, 1), date(2019, 12, 31)),
           (date(2020, 1, 1), date(2022, 12, 31)), (date(2023, 1, 1), None))


def npi(serial: int) -> str:
    return with_check_digit(f"3{serial:08d}")


def write_roster(folder: Path, specialists: int = 5000, affiliations: int = 50_000, networks: int = 200_000,
                 organizations: int = 500, referring: int = 500, seed: int = 7) -> int:
    """Write the eight roster CSVs into `folder`; returns the number of data rows written."""
    rng = random.Random(seed)
    people = [npi(i) for i in range(specialists + referring)]
    orgs = [f"Synthetic Hospital {i}" for i in range(organizations)]
    sheets = {
        "clinicians.csv": (("npi", "name", "kind", "specialty", "languages", "academic", "email", "timezone"),
                           [(n, f"Dr. Synthetic {i:05d}", "specialist" if i < specialists else "external",
                             "Oncology", rng.choice(("en", "en;es", "en;fr", "en;zh")), "yes" if i % 4 == 0 else "no",
                             "", rng.choice(("America/New_York", "America/Chicago", "America/Los_Angeles")))
                            for i, n in enumerate(people)]),
        "organizations.csv": (("name", "kind"), [(o, "hospital") for o in orgs]),
        "subspecialties.csv": (("code", "name", "icd10_prefixes"), list(SUBSPECIALTIES)),
        "plans.csv": (("payer", "plan"), PLANS),
    }
    stints, per_person = [], max(1, -(-affiliations // len(people)))
    for i, person in enumerate(people):
        for k in range(per_person):
            start = date(2000 + (k * 3) % 24, 1 + i % 12, 1)
            end = None if k == per_person - 1 else date(start.year + 2, start.month, 28)
            stints.append((person, orgs[(i * 7 + k * 13) % organizations], start.isoformat(), end and end.isoformat()))
    sheets["affiliations.csv"] = (("npi", "organization", "start", "end"), stints[:affiliations])
    sheets["relationships.csv"] = (("npi_a", "npi_b", "kind", "start", "end"),
                                   [(people[specialists + i % referring], people[i * 3 % specialists], "co_author",
                                     "2019-01-01", "") for i in range(min(2000, specialists))])
    sheets["specialist_subspecialties.csv"] = (("npi", "subspecialty_code", "annual_volume"),
                                               [(people[i], code, rng.randint(5, 400)) for i in range(specialists)
                                                for code in {SUBSPECIALTIES[i % 12][0], SUBSPECIALTIES[i * 5 % 12][0]}])
    memberships = []
    for i in range(specialists):
        for payer, plan in PLANS:
            for start, end in PERIODS:
                memberships.append((people[i], payer, plan, start.isoformat(), end and end.isoformat()))
    sheets["networks.csv"] = (("npi", "payer", "plan", "start", "end"), memberships[:networks])
    total = 0
    for name, (header, rows) in sheets.items():
        with open(folder / name, "w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            writer.writerow(header)
            writer.writerows(["" if v is None else v for v in row] for row in rows)
        total += len(rows)
    return total


def bench(database_url: str, specialists: int, affiliations: int, networks: int, repeat: int = 5) -> dict:
    """Build the synthetic directory in `database_url`, import it, and time one match."""
    from flask_migrate import upgrade
    from sqlalchemy import event

    from clinic import config, create_app
    from clinic.cases.intake import Intake, NamedClinician
    from clinic.cases.services import submit_request
    from clinic.directory import roster_files  # noqa: F401
    from clinic.directory.roster import import_roster
    from clinic.extensions import db
    from clinic.matching import services

    app = create_app({"SQLALCHEMY_DATABASE_URI": config.database_url(database_url, "")})
    figures = {}
    with app.app_context(), app.test_request_context():
        upgrade()
        with tempfile.TemporaryDirectory() as folder:
            rows = write_roster(Path(folder), specialists, affiliations, networks)
            files = {p.name: p.read_bytes() for p in Path(folder).glob("*.csv")}
        started = time.perf_counter()
        import_roster(None, files, max_rows=rows)  # a bulk load, as from the command line
        db.session.commit()
        seconds = time.perf_counter() - started
        figures |= {"roster rows": rows, "import seconds": round(seconds, 2), "rows per second": int(rows / seconds)}
        case = submit_request(None, Intake(
            channel="staff", patient_name="Bench Patient", birth_date=date(1970, 1, 1), email="bench@example.org",
            diagnosis_text="Breast carcinoma", icd10_code="C50.911", urgency="soon", reasons=["rare_condition"],
            referring=NamedClinician("Dr. Synthetic 05001", npi(specialists + 1), None),
            payer="Acme Health", plan_name="Gold PPO", member_id="B1"))
        db.session.flush()
        queries = []
        listener = lambda *args: queries.append(1)  # noqa: E731
        event.listen(db.engine, "before_cursor_execute", listener)
        timings = []
        for _ in range(repeat):
            queries.clear()
            started = time.perf_counter()
            result = services.shortlist(case)
            timings.append(time.perf_counter() - started)
        event.remove(db.engine, "before_cursor_execute", listener)
        figures |= {"match median ms": round(statistics.median(timings) * 1000),
                    "match max ms": round(max(timings) * 1000), "queries per match": len(queries),
                    "candidates": len(result.candidates), "excluded": len(result.excluded)}
        db.session.rollback()
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", required=True, help="an empty scratch database URL")
    parser.add_argument("--specialists", type=int, default=5000)
    parser.add_argument("--affiliations", type=int, default=50_000)
    parser.add_argument("--networks", type=int, default=200_000)
    args = parser.parse_args()
    for name, value in bench(args.database, args.specialists, args.affiliations, args.networks).items():
        print(f"{name:>20}: {value:,}" if isinstance(value, int) else f"{name:>20}: {value}")


if __name__ == "__main__":
    main()
