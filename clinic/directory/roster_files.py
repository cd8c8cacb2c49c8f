"""The directory's roster files: how each CSV row is checked and stored (shared/DESIGN.md section 9)."""
from __future__ import annotations

from types import SimpleNamespace

import sqlalchemy as sa

from clinic.directory import rules
from clinic.directory.models import (CLINICIAN_KINDS, ORGANIZATION_KINDS, RELATIONSHIP_KINDS, Affiliation, Clinician,
                                     NetworkMembership, Organization, Plan, Relationship, SpecialistSubspecialty,
                                     Subspecialty, normalize_name)
from clinic.directory.roster import INVALID, Counts, RosterFile, Row, Sheet, upsert
from clinic.extensions import db


def load_index(index: dict) -> None:
    """The directory's natural keys (NPIs, organizations, subspecialties, plans) for checking every file."""
    index["npi"] = dict(db.session.execute(sa.select(Clinician.npi, Clinician.kind)).all())
    index["org"] = dict(db.session.execute(sa.select(Organization.normalized_name, Organization.name)).all())
    index["sub"] = set(db.session.scalars(sa.select(Subspecialty.code)))
    index["plan"] = {(p.lower(), n.lower()) for p, n in db.session.execute(sa.select(Plan.payer, Plan.name))}



def _ids(key, id_column) -> dict:
    return dict(db.session.execute(sa.select(key, id_column)).all())


def _clinician_ids() -> dict[str, int]:
    return _ids(Clinician.npi, Clinician.id)


def _plan_ids() -> dict[tuple[str, str], int]:
    return {(p.lower(), n.lower()): i for p, n, i in db.session.execute(sa.select(Plan.payer, Plan.name, Plan.id))}


def _known_npi(sheet: Sheet, index: dict, row: Row, column: str, specialist: bool = False):
    value = sheet.cell(row, column, rules.npi)
    if value is INVALID:
        return INVALID
    kind = index["npi"].get(value)
    if kind is None:
        sheet.fail(row.line, column, f"unknown clinician {value}: not in clinicians.csv or the directory")
        return INVALID
    if specialist and kind != "specialist":
        sheet.fail(row.line, column, f"clinician {value} is not a specialist on the panel")
        return INVALID
    return value


def _span(sheet: Sheet, row: Row, start_required: bool = True):
    start = sheet.cell(row, "start", rules.iso_date, start_required)
    end = sheet.cell(row, "end", rules.iso_date, False)
    if start is not INVALID and end is not INVALID:
        try:
            rules.dates_in_order(start, end)
        except ValueError as error:
            sheet.fail(row.line, "end", str(error))
            return INVALID, INVALID
    return start, end


def _complete(*values) -> bool:
    return all(v is not INVALID for v in values)


# --- clinicians.csv ------------------------------------------------------------------------------
def check_clinicians(sheet: Sheet, index: dict) -> list[dict]:
    seen, records = {}, []
    for row in sheet.rows:
        record = {
            "npi": sheet.cell(row, "npi", rules.npi), "name": sheet.cell(row, "name", rules.text, 200),
            "kind": sheet.cell(row, "kind", rules.choice, CLINICIAN_KINDS),
            "specialty": sheet.cell(row, "specialty", rules.text, 120, False),
            "languages": sheet.cell(row, "languages", rules.languages),
            "academic": sheet.cell(row, "academic", rules.flag), "email": sheet.cell(row, "email", rules.email),
            "timezone": sheet.cell(row, "timezone", rules.timezone),
        }
        if record["npi"] is not INVALID and sheet.first_seen(seen, record["npi"], row, "npi") \
                and _complete(*record.values()):
            index["npi"][record["npi"]] = record["kind"]
            records.append(record)
    return records


def store_clinicians(records: list[dict], index: dict):
    columns = ("name", "kind", "specialty", "languages", "academic", "email", "timezone")
    table = Clinician.__table__
    return upsert(table, ("npi",), columns, records, db.session.execute(sa.select(table.c.id, table.c.npi,
                                                                                  *(table.c[c] for c in columns))))


# --- organizations.csv ---------------------------------------------------------------------------
def check_organizations(sheet: Sheet, index: dict) -> list[dict]:
    seen, records = {}, []
    for row in sheet.rows:
        name = sheet.cell(row, "name", rules.text, 200)
        kind = sheet.cell(row, "kind", rules.choice, ORGANIZATION_KINDS)
        if name is INVALID:
            continue
        key = normalize_name(name)
        if not key:
            sheet.fail(row.line, "name", "a name needs letters or digits")
        elif sheet.first_seen(seen, key, row, "name") and kind is not INVALID:
            index["org"][key] = name
            records.append({"normalized_name": key, "name": name, "kind": kind})
    return records


def store_organizations(records: list[dict], index: dict):
    table = Organization.__table__
    return upsert(table, ("normalized_name",), ("name", "kind"), records,
                  db.session.execute(sa.select(table.c.id, table.c.normalized_name, table.c.name, table.c.kind)))


# --- affiliations.csv ----------------------------------------------------------------------------
def check_affiliations(sheet: Sheet, index: dict) -> list[tuple]:
    seen, records = {}, []
    for row in sheet.rows:
        npi = _known_npi(sheet, index, row, "npi")
        org = sheet.cell(row, "organization", rules.text, 200)
        if org is not INVALID and normalize_name(org) not in index["org"]:
            sheet.fail(row.line, "organization", f"unknown organization “{org}”: not in organizations.csv "
                                                 "or the directory")
            org = INVALID
        start, end = _span(sheet, row)
        if _complete(npi, org, start, end):
            key = (npi, normalize_name(org), start)
            if sheet.first_seen(seen, key, row, "npi"):
                records.append((*key, end))
    return records


def store_affiliations(records: list[tuple], index: dict):
    people, orgs = _clinician_ids(), _ids(Organization.normalized_name, Organization.id)
    rows = [{"clinician_id": people[n], "organization_id": orgs[o], "start": s, "end": e} for n, o, s, e in records]
    table = Affiliation.__table__
    return upsert(table, ("clinician_id", "organization_id", "start"), ("end",), rows,
                  db.session.execute(sa.select(table)))


# --- relationships.csv ---------------------------------------------------------------------------
def check_relationships(sheet: Sheet, index: dict) -> list[tuple]:
    seen, records = {}, []
    for row in sheet.rows:
        a, b = _known_npi(sheet, index, row, "npi_a"), _known_npi(sheet, index, row, "npi_b")
        kind = sheet.cell(row, "kind", rules.choice, RELATIONSHIP_KINDS)
        start, end = _span(sheet, row, start_required=False)
        if a is not INVALID and a == b:
            sheet.fail(row.line, "npi_b", "a clinician cannot have a relationship with themself")
        elif _complete(a, b, kind, start, end):
            key = (min(a, b), max(a, b), kind, start)  # symmetric: stored once
            if sheet.first_seen(seen, key, row, "npi_a"):
                records.append((*key, end))
    return records


def store_relationships(records: list[tuple], index: dict):
    people = _clinician_ids()
    rows = [{"clinician_a_id": people[a], "clinician_b_id": people[b], "kind": k, "start": s, "end": e}
            for a, b, k, s, e in records]
    table = Relationship.__table__
    # Stored pairs may have either order (admin pages); read them in both.
    existing = [row for stored in db.session.execute(sa.select(table))
                for row in (stored, _swapped(stored))]
    return upsert(table, ("clinician_a_id", "clinician_b_id", "kind", "start"), ("end",), rows, existing)


def _swapped(row) -> SimpleNamespace:
    return SimpleNamespace(id=row.id, clinician_a_id=row.clinician_b_id, clinician_b_id=row.clinician_a_id,
                           kind=row.kind, start=row.start, end=row.end)


# --- subspecialties.csv --------------------------------------------------------------------------
def check_subspecialties(sheet: Sheet, index: dict) -> list[dict]:
    seen, records = {}, []
    for row in sheet.rows:
        record = {"code": sheet.cell(row, "code", rules.code), "name": sheet.cell(row, "name", rules.text, 200),
                  "icd10_prefixes": sheet.cell(row, "icd10_prefixes", rules.icd10_prefixes)}
        if record["code"] is not INVALID and sheet.first_seen(seen, record["code"], row, "code") \
                and _complete(*record.values()):
            index["sub"].add(record["code"])
            records.append(record)
    return records


def store_subspecialties(records: list[dict], index: dict):
    table = Subspecialty.__table__
    return upsert(table, ("code",), ("name", "icd10_prefixes"), records,
                  db.session.execute(sa.select(table.c.id, table.c.code, table.c.name, table.c.icd10_prefixes)))


# --- specialist_subspecialties.csv ---------------------------------------------------------------
def check_expertise(sheet: Sheet, index: dict) -> list[tuple]:
    seen, records = {}, []
    for row in sheet.rows:
        npi = _known_npi(sheet, index, row, "npi", specialist=True)
        code = sheet.cell(row, "subspecialty_code", rules.code)
        if code is not INVALID and code not in index["sub"]:
            sheet.fail(row.line, "subspecialty_code", f"unknown subspecialty “{code}”: not in subspecialties.csv "
                                                      "or the directory")
            code = INVALID
        volume = sheet.cell(row, "annual_volume", rules.volume)
        if _complete(npi, code, volume) and sheet.first_seen(seen, (npi, code), row, "npi"):
            records.append((npi, code, volume))
    return records


def store_expertise(records: list[tuple], index: dict):
    people, subs = _clinician_ids(), _ids(Subspecialty.code, Subspecialty.id)
    rows = [{"specialist_id": people[n], "subspecialty_id": subs[c], "annual_volume": v} for n, c, v in records]
    table = SpecialistSubspecialty.__table__
    return upsert(table, ("specialist_id", "subspecialty_id"), ("annual_volume",), rows,
                  db.session.execute(sa.select(table)))


# --- plans.csv -----------------------------------------------------------------------------------
def check_plans(sheet: Sheet, index: dict) -> list[dict]:
    seen, records = {}, []
    for row in sheet.rows:
        payer, plan = sheet.cell(row, "payer", rules.text, 120), sheet.cell(row, "plan", rules.text, 120)
        if _complete(payer, plan) and sheet.first_seen(seen, (payer.lower(), plan.lower()), row, "plan"):
            index["plan"].add((payer.lower(), plan.lower()))
            records.append({"payer": payer, "name": plan})
    return records


def store_plans(records: list[dict], index: dict):
    table = Plan.__table__
    existing = db.session.execute(sa.select(table.c.id, table.c.payer, table.c.name)).all()
    # Matched case-insensitively; a plan already listed keeps its spelling.
    known = {(row.payer.lower(), row.name.lower()) for row in existing}
    fresh = [r for r in records if (r["payer"].lower(), r["name"].lower()) not in known]
    if fresh:
        db.session.execute(sa.insert(table), fresh)
    return Counts(new=len(fresh), unchanged=len(records) - len(fresh))


# --- networks.csv --------------------------------------------------------------------------------
def check_networks(sheet: Sheet, index: dict) -> list[tuple]:
    seen, records = {}, []
    for row in sheet.rows:
        npi = _known_npi(sheet, index, row, "npi", specialist=True)
        payer, plan = sheet.cell(row, "payer", rules.text, 120), sheet.cell(row, "plan", rules.text, 120)
        if _complete(payer, plan) and (payer.lower(), plan.lower()) not in index["plan"]:
            sheet.fail(row.line, "plan", f"unknown plan “{payer} {plan}”: not in plans.csv or the directory")
            plan = INVALID
        start, end = _span(sheet, row)
        if _complete(npi, payer, plan, start, end):
            key = (npi, (payer.lower(), plan.lower()), start)
            if sheet.first_seen(seen, key, row, "npi"):
                records.append((*key, end))
    return records


def store_networks(records: list[tuple], index: dict):
    people, plans = _clinician_ids(), _plan_ids()
    rows = [{"specialist_id": people[n], "plan_id": plans[p], "start": s, "end": e} for n, p, s, e in records]
    table = NetworkMembership.__table__
    return upsert(table, ("specialist_id", "plan_id", "start"), ("end",), rows, db.session.execute(sa.select(table)))


DIRECTORY_FILES = (
    RosterFile("clinicians.csv", ("npi", "name", "kind", "specialty", "languages", "academic", "email", "timezone"),
               10, check_clinicians, store_clinicians),
    RosterFile("organizations.csv", ("name", "kind"), 20, check_organizations, store_organizations),
    RosterFile("affiliations.csv", ("npi", "organization", "start", "end"), 30, check_affiliations,
               store_affiliations),
    RosterFile("relationships.csv", ("npi_a", "npi_b", "kind", "start", "end"), 40, check_relationships,
               store_relationships),
    RosterFile("subspecialties.csv", ("code", "name", "icd10_prefixes"), 50, check_subspecialties,
               store_subspecialties),
    RosterFile("specialist_subspecialties.csv", ("npi", "subspecialty_code", "annual_volume"), 60, check_expertise,
               store_expertise),
    RosterFile("plans.csv", ("payer", "plan"), 70, check_plans, store_plans),
    RosterFile("networks.csv", ("npi", "payer", "plan", "start", "end"), 80, check_networks, store_networks),
)
