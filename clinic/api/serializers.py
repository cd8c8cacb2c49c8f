"""The case as the API shows it: status, what it waits for, and each stage's part."""
from __future__ import annotations

from clinic.cases import icd10, workflow
from clinic.cases.models import Case
from clinic.scheduling.hooks import case_appointment


def _iso(moment) -> str | None:
    return moment.isoformat() if moment else None


def case_document(case: Case) -> dict:
    patient = case.patient
    return {
        "id": case.id,
        "reference": case.reference,
        "status": case.status,
        "waiting_for": workflow.waiting_for(case),
        "channel": case.channel,
        "urgency": case.urgency,
        "reasons": case.reason_codes,
        "created_at": _iso(case.created_at),
        "status_changed_at": _iso(case.status_changed_at),
        "patient": {"name": patient.name, "birth_date": patient.birth_date.isoformat(), "email": patient.email,
                    "phone": patient.phone, "timezone": patient.timezone, "language": patient.language},
        "clinicians": [{"role": c.role, "name": c.name, "npi": c.npi, "organization": c.organization,
                        "in_directory": c.clinician_id is not None} for c in case.clinicians],
        "diagnosis": {"text": case.diagnosis_text, "icd10": case.icd10_code,
                      "icd10_description": icd10.describe(case.icd10_code)},
        "proposed_treatment": {"text": case.treatment_text, "invasive": case.treatment_invasive},
        "consent_to_contact_first_doctor": case.consent_to_contact_first_doctor,
        "stated_coverage": {"self_pay": True} if case.self_pay else
        {"payer": case.payer, "plan": case.plan_name, "member_id": case.member_id},
        "questions": [{"id": q.id, "category": q.category, "text": q.text, "answer": q.answer}
                      for q in case.questions],
        "appointment": case_appointment(case),
        "timeline": [{"at": _iso(t.at), "kind": t.kind, "from": t.from_status, "to": t.to_status,
                      "note": t.note, "by": t.actor.name if t.actor else None} for t in case.timeline],
    }
