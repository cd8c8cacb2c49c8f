"""The case as the API shows it: status, what it waits for, and each stage's part."""
from __future__ import annotations

from zoneinfo import ZoneInfo

from clinic.cases import icd10, workflow
from clinic.cases.models import Case
from clinic.coverage.status import coverage_missing, latest_check
from clinic.matching.models import Assignment
from clinic.matching.services import latest_assignment
from clinic.outcomes.models import Decision
from clinic.outcomes.services import decision_of
from clinic.records.checklist import is_overdue
from clinic.records.gate import clinic_today
from clinic.records.models import Document, RecordItem
from clinic.review.models import Opinion
from clinic.review.services import signed_opinion
from clinic.scheduling import services as scheduling
from clinic.scheduling.models import Appointment


def _iso(moment) -> str | None:
    return moment.isoformat() if moment else None


def case_document(case: Case) -> dict:
    patient = case.patient
    today = clinic_today()
    opinion = signed_opinion(case)  # a draft stays the specialist's own until signed
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
                        "in_directory": c.clinician_id is not None, "resolution": c.resolution}
                       for c in case.clinicians],
        "diagnosis": {"text": case.diagnosis_text, "icd10": case.icd10_code,
                      "icd10_description": icd10.describe(case.icd10_code)},
        "proposed_treatment": {"text": case.treatment_text, "invasive": case.treatment_invasive},
        "consent_to_contact_first_doctor": case.consent_to_contact_first_doctor,
        "stated_coverage": {"self_pay": True} if case.self_pay else
        {"payer": case.payer, "plan": case.plan_name, "member_id": case.member_id},
        "questions": [{"id": q.id, "category": q.category, "text": q.text,
                       "answer": opinion.answer_to(q.id) if opinion else q.answer} for q in case.questions],
        "records": [record_document(item, today) for item in case.record_items],
        "coverage": coverage_document(case),
        "appointment": case_appointment(case),
        "timeline": [{"at": _iso(t.at), "kind": t.kind, "from": t.from_status, "to": t.to_status,
                      "note": t.note, "by": t.actor.name if t.actor else None} for t in case.timeline],
        "assignment": assignment_document(latest_assignment(case)),
        "opinion": opinion_document(opinion) if opinion else None,
        "decision": decision_document(decision_of(case)),
    }


def opinion_document(opinion: Opinion) -> dict:
    return {
        "id": opinion.id, "specialist": opinion.specialist.name, "npi": opinion.specialist.npi,
        "diagnosis": {"text": opinion.diagnosis_text, "icd10": opinion.icd10_code,
                      "icd10_description": icd10.describe(opinion.icd10_code)},
        "diagnosis_comparison": opinion.diagnosis_comparison, "treatment_comparison": opinion.treatment_comparison,
        "less_invasive_option": opinion.less_invasive_option if opinion.less_invasive else None,
        "less_invasive_stated": opinion.less_invasive is not None,
        "if_patient_waits": opinion.if_patient_waits, "recommendation": opinion.recommendation,
        "answers": {str(a.question_id): a.text for a in opinion.answers},
        "signed": opinion.is_signed, "signed_at": _iso(opinion.signed_at), "updated_at": _iso(opinion.updated_at),
        "addenda": [{"id": a.id, "text": a.text, "signed_at": _iso(a.signed_at)} for a in opinion.addenda],
    }


def decision_document(decision: Decision | None) -> dict | None:
    if decision is None:
        return None
    return {"id": decision.id, "choice": decision.choice, "label": decision.label, "note": decision.note,
            "follow_up_on": decision.follow_up_on.isoformat() if decision.follow_up_on else None,
            "recorded_via": decision.recorded_via, "recorded_at": _iso(decision.recorded_at),
            "recorded_by": decision.recorded_by.name if decision.recorded_by else None}



def file_document(document: Document) -> dict:
    return {"id": document.id, "name": document.original_name, "content_type": document.content_type,
            "size": document.size, "sha256": document.sha256, "uploaded_at": _iso(document.uploaded_at),
            "uploaded_via": document.uploaded_via, "rejected": document.is_rejected,
            "rejected_at": _iso(document.rejected_at), "rejection_reason": document.rejection_reason,
            "rejected_by": document.rejected_by.name if document.rejected_by else None}


def record_document(item: RecordItem, today) -> dict:
    return {
        "id": item.id, "kind": item.kind, "name": item.name, "required": item.required, "status": item.status,
        "source": item.source, "requested_from": item.requested_from, "request_method": item.request_method,
        "requested_at": _iso(item.requested_at), "due_on": item.due_on.isoformat() if item.due_on else None,
        "overdue": is_overdue(item.status, item.due_on, today), "follow_ups": item.follow_ups,
        "received_at": _iso(item.received_at), "verified_at": _iso(item.verified_at),
        "verified_by": item.verified_by.name if item.verified_by else None,
        "rejection_reason": item.rejection_reason, "not_applicable_reason": item.not_applicable_reason,
        "documents": [file_document(d) for d in item.documents],
    }


def coverage_document(case: Case) -> dict:
    check = latest_check(case)
    waiting = coverage_missing(case)
    latest = None if check is None else {
        "id": check.id, "result": check.result, "payer": check.payer, "plan": check.plan_name,
        "member_id": check.member_id, "prior_auth_required": check.prior_auth_required,
        "auth_number": check.auth_number, "method": check.method, "notes": check.notes,
        "patient_agreed_out_of_network": check.patient_agreed_out_of_network,
        "checked_at": _iso(check.checked_at), "checked_by": check.checked_by.name if check.checked_by else None,
    }
    return {"satisfied": not waiting, "waiting_for": waiting, "latest_check": latest}


def assignment_document(assignment: Assignment | None) -> dict | None:
    if assignment is None:
        return None
    return {"id": assignment.id, "status": assignment.status, "npi": assignment.specialist.npi,
            "specialist": assignment.specialist.name,
            "subspecialty": assignment.subspecialty.code if assignment.subspecialty else None,
            "proposed_at": _iso(assignment.proposed_at), "responded_at": _iso(assignment.responded_at),
            "decline_reason": assignment.decline_reason, "conflict_declared": assignment.conflict_declared,
            "independence_override": assignment.independence_override}


def appointment_document(appointment: Appointment | None) -> dict | None:
    """The appointment as the API shows it (also inside the case document)."""
    if appointment is None:
        return None
    return {
        "id": appointment.id, "status": appointment.status, "npi": appointment.specialist.npi,
        "specialist": appointment.specialist.name, "start": appointment.start.isoformat(),
        "end": appointment.end.isoformat(), "local_start": appointment.start.astimezone(
            ZoneInfo(appointment.timezone)).isoformat(), "timezone": appointment.timezone,
        "modality": appointment.modality, "location": appointment.location,
        "ical_uid": appointment.ical_uid, "sequence": appointment.ical_sequence,
        "reason": appointment.status_reason,
    }


def case_appointment(case: Case) -> dict | None:
    """The case's booked appointment, or else its latest one."""
    return appointment_document(scheduling.active_appointment(case) or scheduling.latest_appointment(case))
