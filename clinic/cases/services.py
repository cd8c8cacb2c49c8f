"""Operations on requests: intake, viewing, ending a case. They flush and audit, never commit."""
from __future__ import annotations

import secrets

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from clinic import audit
from clinic.cases import icd10, milestones, workflow
from clinic.cases.intake import Intake, NamedClinician
from clinic.cases.models import Case, CaseClinician, CaseQuestion, CaseReason, Patient, TimelineEntry
from clinic.cases.workflow import CaseStatus
from clinic.database import utcnow
from clinic.directory.models import Clinician
from clinic.extensions import db
from clinic.wiring import wiring

# What the case page shows of the request itself, loaded with it (one query per relation).
PAGE_LOADS = (selectinload(Case.reasons), selectinload(Case.clinicians), selectinload(Case.questions),
              selectinload(Case.timeline))
REFERENCE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"  # no 0/O, 1/I/L: read aloud over the phone


def new_reference() -> str:
    while True:
        body = "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(8))
        reference = f"SO-{body[:4]}-{body[4:]}"
        if db.session.scalar(sa.select(Case.id).where(Case.reference == reference)) is None:
            return reference


def submit_request(actor, intake: Intake) -> Case:
    """Record a validated request as a new case in `records_pending`, with its questions."""
    patient = Patient(name=intake.patient_name.strip(), birth_date=intake.birth_date,
                      email=intake.email.strip().lower(), phone=(intake.phone or "").strip() or None,
                      timezone=intake.timezone, language=intake.language)
    code = icd10.normalize(intake.icd10_code) if intake.icd10_code else None
    case = Case(
        reference=new_reference(), patient=patient, channel=intake.channel, status=CaseStatus.RECORDS_PENDING,
        diagnosis_text=intake.diagnosis_text.strip(), icd10_code=code,
        treatment_text=(intake.treatment_text or "").strip(), treatment_invasive=intake.treatment_invasive,
        urgency=intake.urgency, consent_to_contact_first_doctor=intake.consent_to_contact_first_doctor,
        self_pay=intake.self_pay,
        payer=None if intake.self_pay else _clean(intake.payer),
        plan_name=None if intake.self_pay else _clean(intake.plan_name),
        member_id=None if intake.self_pay else _clean(intake.member_id),
        created_by_id=getattr(actor, "id", None),
    )
    case.reasons = [CaseReason(reason=r) for r in dict.fromkeys(intake.reasons)]
    case.questions = [CaseQuestion(position=i, category=category, text=text.strip())
                      for i, (category, text) in enumerate(intake.questions, start=1) if text.strip()]
    case.clinicians = [_named(role, person) for role, person in
                       (("referring", intake.referring), ("first_opinion", intake.first_opinion)) if person]
    db.session.add(case)
    received = TimelineEntry(case=case, at=utcnow(), actor_id=getattr(actor, "id", None), kind="status",
                             to_status=case.status, note=f"Request received ({intake.channel}).")
    db.session.add(received)
    db.session.flush()
    milestones.reached(case.id, case.status, received.at)
    audit.record(actor, "create", "case", case.id, detail=f"channel={intake.channel}")
    for add_what_it_needs in wiring().case_created:  # records adds its checklist, in this transaction
        add_what_it_needs(actor, case)
    workflow.advance(actor, case)
    db.session.flush()
    return case


def _clean(value: str | None) -> str | None:
    value = (value or "").strip()
    return value or None


def _named(role: str, person: NamedClinician) -> CaseClinician:
    npi = _clean(person.npi)
    linked = db.session.scalar(sa.select(Clinician.id).where(Clinician.npi == npi)) if npi else None
    # Named without an NPI, who the doctor is stays open until a coordinator says (section 12).
    return CaseClinician(role=role, name=person.name.strip(), npi=npi,
                         organization=_clean(person.organization), clinician_id=linked,
                         resolution="by_npi" if npi else "unresolved")


def open_case(actor, case_id: int, options=()) -> Case | None:
    """The case for display, with the view written to the audit log; `options` load what the page shows."""
    case = db.session.get(Case, case_id, options=[*PAGE_LOADS, *options])
    if case is not None:
        audit.record(actor, "view", "case", case.id)
    return case


def end_case(actor, case: Case, target: str, reason: str) -> None:
    """Withdraw (the patient's choice) or cancel (the clinic's) an open case, with a reason."""
    if target not in (CaseStatus.WITHDRAWN, CaseStatus.CANCELLED):
        raise workflow.WorkflowError("A case can only be withdrawn or cancelled here.")
    workflow.claim(case)
    workflow.transition(actor, case, target, reason)


def add_note(actor, case: Case, text: str) -> None:
    workflow.claim(case)
    workflow.note(actor, case, "note", text.strip())
    audit.record(actor, "update", "case", case.id, detail="note added")
