"""Demo directory: organizations, our panel's specialists and the referring doctors."""
from __future__ import annotations

from datetime import date

from clinic.directory.models import Affiliation, Clinician, Organization, normalize_name
from clinic.directory.npi import with_check_digit
from clinic.extensions import db

ORGANIZATIONS = (
    ("Mercy General Hospital", "hospital"),
    ("Lakeside University Medical Center", "academic_center"),
    ("Riverside Oncology Associates", "practice"),
    ("Northgate Orthopedic Group", "group"),
)

SPECIALISTS = (
    # name, specialty, languages, academic, timezone, organization
    ("Dr. Priya Raman", "Breast surgical oncology", "en;ta", True, "America/New_York",
     "Lakeside University Medical Center"),
    ("Dr. Miguel Alvarez", "Urologic oncology", "en;es", False, "America/Chicago", "Mercy General Hospital"),
)

REFERRING = (
    ("Dr. Helen Carter", "Oncology", "Riverside Oncology Associates"),
    ("Dr. Samuel Okafor", "Orthopedic surgery", "Northgate Orthopedic Group"),
    ("Dr. Laura Benson", "Internal medicine", "Mercy General Hospital"),
)


def _npi(serial: int) -> str:
    return with_check_digit(f"1{serial:08d}")


def load(state: dict) -> None:
    orgs = {}
    for name, kind in ORGANIZATIONS:
        orgs[name] = Organization(name=name, normalized_name=normalize_name(name), kind=kind)
        db.session.add(orgs[name])
    specialists, referring = [], []
    for serial, (name, specialty, languages, academic, zone, org) in enumerate(SPECIALISTS, start=100):
        person = Clinician(npi=_npi(serial), name=name, kind="specialist", specialty=specialty,
                           languages=languages, academic=academic, timezone=zone,
                           email=name.split()[-1].lower() + "@panel.demo.clinic")
        db.session.add(Affiliation(clinician=person, organization=orgs[org], start=date(2015, 7, 1)))
        specialists.append(person)
    for serial, (name, specialty, org) in enumerate(REFERRING, start=500):
        person = Clinician(npi=_npi(serial), name=name, kind="external", specialty=specialty)
        db.session.add(Affiliation(clinician=person, organization=orgs[org], start=date(2012, 1, 1)))
        referring.append(person)
    db.session.add_all(specialists + referring)
    state.update(organizations=orgs, specialists=specialists, referring=referring)
