"""A large synthetic directory for `clinic bench`: the roster files of shared/DESIGN.md section 9
(default: 5,000 specialists, 50,000 affiliations, 200,000 network rows), which the bench imports
through the real importer."""
from __future__ import annotations

import csv
import random
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
