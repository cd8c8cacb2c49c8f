"""Load what the engine needs for one case, in a fixed number of set queries (never one per specialist).

Only rows that can matter are read: the doctors' affiliations and the
specialists' stints at those same organizations, relationships touching the
doctors, and network rows of the case's plan alone.
"""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime

import sqlalchemy as sa
from flask import Flask, current_app

from clinic.cases.models import Case
from clinic.coverage.status import latest_check
from clinic.cases.vocabulary import urgency_window_days
from clinic.cases.workflow import open_condition
from clinic.directory.models import (Affiliation, Clinician, NetworkMembership, Organization, Plan, Relationship,
                                     SpecialistSubspecialty, Subspecialty, normalize_name)
from clinic.database import is_loaded
from clinic.extensions import db
from clinic.matching import engine
from clinic.matching.intervals import Span
from clinic.matching.models import LIVE_STATUSES, Assignment, AssignmentStatus
from clinic.wiring import wiring

# The scheduling stage tells each candidate's earliest free slot: (specialist ids, day, window days) -> slots.
SlotSource = Callable[[Sequence[int], date, int], Mapping[int, datetime]]


def add_slot_source(app: Flask, source: SlotSource) -> None:
    wiring(app).slot_sources.append(source)


def slot_sources() -> list[SlotSource]:
    return wiring().slot_sources


@dataclass(frozen=True)
class StatedPlan:
    self_pay: bool
    payer: str | None
    plan: str | None
    out_of_network_agreed: bool = False


def case_plan(case: Case) -> StatedPlan:
    """The plan to match on: the latest coverage check when there is one (what the payer
    confirmed), else the coverage the request states."""
    check = latest_check(case)
    if check is None:
        return StatedPlan(case.self_pay, case.payer, case.plan_name)
    agreed = check.result == "verified_out_of_network" and check.patient_agreed_out_of_network
    return StatedPlan(check.result == "self_pay", check.payer, check.plan_name, out_of_network_agreed=agreed)


def case_facts(case: Case, on: date, subspecialty: str | None = None) -> tuple[engine.CaseFacts, int | None]:
    """The case as the engine sees it, and the id of its plan in the directory (None if unknown)."""
    stated = case_plan(case)
    plan = _find_plan(stated) if not stated.self_pay else None
    label = f"{stated.payer} {stated.plan}" if stated.payer and stated.plan else None
    coverage = engine.Coverage(self_pay=stated.self_pay, plan_label=label, plan_known=plan is not None,
                               out_of_network_agreed=stated.out_of_network_agreed)
    earlier = case_assignments(case)
    facts = engine.CaseFacts(
        case_id=case.id, on=on, coverage=coverage, icd10=case.icd10_code,
        chosen_subspecialty=None if case.icd10_code else subspecialty,
        doctors=_doctors(case, on), lookback_years=current_app.config["INDEPENDENCE_LOOKBACK_YEARS"],
        window_days=urgency_window_days(case.urgency), language=case.patient.language,
        conflicts=frozenset(a.specialist_id for a in earlier if a.conflict_declared),
        declined={a.specialist_id: a.decline_reason or "no reason given"
                  for a in earlier if a.status == AssignmentStatus.DECLINED and not a.conflict_declared},
    )
    return facts, plan.id if plan else None


def case_assignments(case: Case) -> list[Assignment]:
    """Every proposal of the case, newest first: from memory when the page loaded them with the case
    (the work queue and the case page do, so their guards cost no query per case), else from the database."""
    if is_loaded(case, "assignments"):
        found = list(case.assignments)
    else:
        found = list(db.session.scalars(sa.select(Assignment).where(Assignment.case_id == case.id)))
    return sorted(found, key=lambda a: (a.proposed_at, a.id), reverse=True)


def _find_plan(stated: StatedPlan) -> Plan | None:
    if not stated.payer or not stated.plan:
        return None
    return db.session.scalar(sa.select(Plan).where(
        sa.func.lower(Plan.payer) == stated.payer.strip().lower(),
        sa.func.lower(Plan.name) == stated.plan.strip().lower()))


def _doctors(case: Case, on: date) -> tuple[engine.Doctor, ...]:
    named = list(case.clinicians)
    known_ids = [c.clinician_id for c in named if c.clinician_id]
    stints = defaultdict(list)
    if known_ids:
        for row in db.session.execute(_stints_query().where(Affiliation.clinician_id.in_(known_ids))):
            stints[row.clinician_id].append(_stint(row))
    keys = {normalize_name(c.organization) for c in named if c.organization}
    orgs = {}
    if keys:
        orgs = {o.normalized_name: o for o in db.session.scalars(
            sa.select(Organization).where(Organization.normalized_name.in_(keys)))}
    doctors = []
    for person in named:
        found = list(stints.get(person.clinician_id, [])) if person.clinician_id else []
        org = orgs.get(normalize_name(person.organization)) if person.organization else None
        # A doctor outside the directory is tied to everyone currently at the organization the
        # request names (section 5); for a listed doctor it only adds what the directory lacks.
        if org is not None and all(s.organization_id != org.id for s in found):
            found.append(engine.Stint(org.id, org.name, Span(on, on), stated=True))
        doctors.append(engine.Doctor(person.role, person.name, person.clinician_id, person.npi, tuple(found),
                                     resolved=person.is_resolved))
    return tuple(doctors)


def _stints_query():
    return (sa.select(Affiliation.clinician_id, Affiliation.organization_id, Organization.name,
                      Affiliation.start, Affiliation.end)
            .join(Organization, Organization.id == Affiliation.organization_id))


def _stint(row) -> engine.Stint:
    return engine.Stint(row.organization_id, row.name, Span(row.start, row.end))


def specialists(facts: engine.CaseFacts, plan_id: int | None) -> tuple[list[engine.Specialist], list[engine.Specialist]]:
    """The panel for this case: (those whose subspecialty covers it, with every fact that bears on
    it; the rest, from the light columns alone: the panel and subspecialty rules decide them).

    About one specialist in twelve covers a given diagnosis, so the ties, networks and caseload
    are read for those only. Before a subspecialty is chosen for a case without a diagnosis code
    nobody is outside it: everyone gets every fact, as the other rules still speak."""
    covering = _covering_subspecialties(facts)
    if covering is None:
        scope = sa.select(Clinician.id).where(Clinician.kind == "specialist")
    else:
        scope = sa.select(SpecialistSubspecialty.specialist_id).where(
            SpecialistSubspecialty.subspecialty_id.in_(list(covering)))
    expertise = _expertise(covering or {})
    details = {id_: (academic, languages) for id_, academic, languages in _rows(
        sa.select(Clinician.id, Clinician.academic, Clinician.languages).where(Clinician.id.in_(scope)))}
    doctor_ids = [d.clinician_id for d in facts.doctors if d.clinician_id]
    org_ids = {s.organization_id for d in facts.doctors for s in d.stints}
    stints = defaultdict(list)
    if org_ids and details:
        for row in db.session.execute(_stints_query().where(Affiliation.organization_id.in_(org_ids),
                                                            Affiliation.clinician_id.in_(scope))):
            stints[row.clinician_id].append(_stint(row))
    declared = _declared(doctor_ids)
    in_network, members = (), set()
    if plan_id is not None and details:
        # The insurance rule asks one thing of a membership: is it in force on the day? The database
        # answers it, so only the ids come back (no dates to parse for every specialist).
        in_network = (Span(facts.on, facts.on),)
        members = set(_rows(sa.select(NetworkMembership.specialist_id).where(
            NetworkMembership.plan_id == plan_id, NetworkMembership.specialist_id.in_(scope),
            NetworkMembership.start <= facts.on,
            sa.or_(NetworkMembership.end.is_(None), NetworkMembership.end >= facts.on))).scalars().all())
    caseload = _caseload(facts.case_id)
    inside, outside = [], []
    rows = _rows(sa.select(Clinician.id, Clinician.npi, Clinician.name, Clinician.active)
                 .where(Clinician.kind == "specialist")).all()
    for id_, npi, name, active in rows:
        if id_ not in details:
            outside.append(engine.Specialist(id=id_, npi=npi, name=name, active=active))
            continue
        academic, languages = details[id_]
        inside.append(engine.Specialist(
            id=id_, npi=npi, name=name, active=active, academic=academic,
            languages=tuple(filter(None, languages.split(";"))),
            expertise=tuple(expertise.get(id_, ())), stints=tuple(stints.get(id_, ())),
            declared=tuple(declared.get(id_, ())), networks=in_network if id_ in members else (),
            caseload=caseload.get(id_, 0)))
    return inside, outside


def _rows(statement):
    """Plain rows through the session's connection: thousands of them, no ORM work per row
    (flushed first, as the session's own queries are, so pending changes are seen)."""
    db.session.flush()
    return db.session.connection().execute(statement)


def _covering_subspecialties(facts: engine.CaseFacts) -> dict[int, Subspecialty] | None:
    """The active subspecialties that can cover this case, by the engine's prefix rule or the
    coordinator's choice (a small table, decided here); None while there is nothing to match on."""
    code = (facts.icd10 or "").replace(".", "").upper()
    if not code and not facts.chosen_subspecialty:
        return None
    found = {}
    for sub in db.session.scalars(sa.select(Subspecialty).where(Subspecialty.active.is_(True))):
        if (code and any(code.startswith(p) for p in sub.prefixes)) or (not code and sub.code == facts.chosen_subspecialty):
            found[sub.id] = sub
    return found


def _expertise(covering: dict[int, Subspecialty]) -> dict[int, list[engine.Expertise]]:
    """Specialists' subspecialties that can cover this case (the others decide nothing)."""
    found = defaultdict(list)
    if not covering:
        return found
    rows = _rows(sa.select(SpecialistSubspecialty.specialist_id, SpecialistSubspecialty.subspecialty_id,
                           SpecialistSubspecialty.annual_volume).where(SpecialistSubspecialty.subspecialty_id.in_(list(covering))))
    for row in rows:
        sub = covering[row.subspecialty_id]
        found[row.specialist_id].append(engine.Expertise(sub.id, sub.code, sub.name, tuple(sub.prefixes),
                                                         row.annual_volume))
    return found


def _declared(doctor_ids: list[int]) -> dict[int, list[engine.Declared]]:
    found = defaultdict(list)
    if not doctor_ids:
        return found
    rows = db.session.execute(sa.select(Relationship).where(sa.or_(
        Relationship.clinician_a_id.in_(doctor_ids), Relationship.clinician_b_id.in_(doctor_ids))))
    for (tie,) in rows:
        span = Span(tie.start, tie.end)
        # Symmetric: stored once, read from both sides.
        found[tie.clinician_a_id].append(engine.Declared(tie.clinician_b_id, tie.kind, span))
        found[tie.clinician_b_id].append(engine.Declared(tie.clinician_a_id, tie.kind, span))
    return found


def _caseload(this_case: int | None) -> dict[int, int]:
    """Live assignments per specialist on open cases, other than the case being matched (read from the
    open cases, a few percent of all: narrowing it to the specialists covering the case reads more)."""
    rows = db.session.execute(
        sa.select(Assignment.specialist_id, sa.func.count())
        .join(Case, Case.id == Assignment.case_id)
        .where(Assignment.status.in_(LIVE_STATUSES), open_condition(),
               Assignment.case_id != this_case)
        .group_by(Assignment.specialist_id))
    return dict(rows.all())
