"""Operations on a case's records: checklist, requests, follow-ups, verification.

Each takes the actor, changes the items, writes the timeline and the audit log,
settles the records gate, flushes and never commits.
"""
from __future__ import annotations

from datetime import date, timedelta

from clinic import audit
from clinic.cases import workflow
from clinic.cases.models import Case
from clinic.database import utcnow
from clinic.directory.models import normalize_name
from clinic.extensions import db
from clinic.records import links
from clinic.records.checklist import required_kinds, short_date
from clinic.records.errors import RecordError
from clinic.records.gate import clinic_today, settle
from clinic.records.models import RecordItem
from clinic.records.vocabulary import (DEFAULT_DUE_DAYS, OUTSTANDING, PATIENT_SOURCES, RECORD_KINDS, RECORD_SOURCES,
                                       REJECTION_PROBLEMS, REQUESTABLE, REQUEST_METHODS, REQUEST_TARGETS,
                                       RecordStatus)



def create_checklist(actor, case: Case) -> None:
    """Every new case starts with its required records, all missing."""
    kinds = required_kinds(case.icd10_code)
    for kind in kinds:
        db.session.add(RecordItem(case=case, kind=kind, required=True))
    workflow.note(actor, case, "records", f"Checklist created: {len(kinds)} records required.")
    db.session.flush()


def _open(case: Case) -> None:
    if not case.is_open:
        raise RecordError(f"Case {case.reference} has ended; its records can no longer change.", status=409)
    workflow.claim(case)


def _reason(text: str | None, field: str = "reason") -> str:
    text = (text or "").strip()
    if not text:
        raise RecordError("Give the reason.", field=field)
    if len(text) > 500:
        raise RecordError("Keep the reason under 500 characters.", field=field)
    return text


def add_item(actor, case: Case, kind: str, label: str | None = None, required: bool = True) -> RecordItem:
    _open(case)
    if kind not in RECORD_KINDS:
        raise RecordError(f"Choose a kind of record: {', '.join(RECORD_KINDS.values())}.", field="kind")
    label = (label or "").strip() or None
    if label and len(label) > 120:
        raise RecordError("Keep the name under 120 characters.", field="label")
    item = RecordItem(case=case, kind=kind, label=label, required=required)
    db.session.add(item)
    db.session.flush()
    audit.record(actor, "create", "record_item", item.id, detail=f"kind={kind} required={required}")
    workflow.note(actor, case, "records",
                  f"{item.name} added to the checklist" + (" (required)." if required else " (optional)."))
    settle(actor, case, f"{item.name} added to the checklist.")
    db.session.flush()
    return item


def first_doctor_names(case: Case) -> list[str]:
    """The first doctor (the first-opinion clinician, else the referring one) and their organization."""
    named = case.first_doctor
    return [n for n in (named.name, named.organization) if n] if named else []


def _check_consent(case: Case, facility: str) -> None:
    """A patient may seek a second opinion without the first doctor knowing (the seed's FAQ)."""
    if case.consent_to_contact_first_doctor:
        return
    asked = normalize_name(facility)
    for name in first_doctor_names(case):
        key = normalize_name(name)
        if key and (key in asked or asked in key):
            raise RecordError(f"The patient has not consented to contacting {name}. "
                              "Ask the patient for this record instead.", field="facility")


def request_records(actor, case: Case, items: list[RecordItem], target: str, method: str,
                    facility: str | None = None, source: str | None = None, due_on: date | None = None) -> None:
    """Ask the patient or a facility for one or more items; a patient asked by upload link gets an email."""
    _open(case)
    if not items:
        raise RecordError("Choose at least one record to request.", field="items")
    for item in items:
        if item.case_id != case.id:
            raise RecordError("Choose records of this case.", field="items")
        if item.status not in REQUESTABLE:
            raise RecordError(f"{item.name} is already {item.status.replace('_', ' ')}; it cannot be requested.",
                              field="items")
    if target not in REQUEST_TARGETS:
        raise RecordError("Choose whom to ask: the patient or a facility.", field="target")
    if method not in REQUEST_METHODS:
        raise RecordError("Choose how the request is sent.", field="method")
    if source is not None and source not in RECORD_SOURCES:
        raise RecordError("Choose where the records come from.", field="source")
    today = clinic_today()
    due_on = due_on or today + timedelta(days=DEFAULT_DUE_DAYS)
    if due_on < today:
        raise RecordError("The due date is in the past; choose today or later.", field="due_on")
    if target == "facility":
        facility = (facility or "").strip()
        if not facility:
            raise RecordError("Name the clinic, hospital or lab to ask.", field="facility")
        if method == "upload_link":
            raise RecordError("Upload links go to the patient; choose fax, email, phone, portal or post.",
                              field="method")
        _check_consent(case, facility)
        whom = facility[:200]
    else:
        whom = "the patient"
    now = utcnow()
    for item in items:
        item.status, item.requested_from_kind, item.requested_from = RecordStatus.REQUESTED, target, whom
        item.request_method, item.requested_at, item.due_on = method, now, due_on
        item.source = source or ("patient_upload" if target == "patient" else "direct_request")
        item.follow_ups, item.rejection_reason, item.not_applicable_reason = 0, None, None
        audit.record(actor, "update", "record_item", item.id, detail=f"requested target={target} method={method}")
    if target == "patient" and method == "upload_link":
        links.email_link(actor, case, items)
    names = ", ".join(item.name for item in items)
    workflow.note(actor, case, "records", f"Requested from {whom} ({REQUEST_METHODS[method].split(' (')[0].lower()}), "
                                          f"due {short_date(due_on, today)}: {names}.")
    settle(actor, case, f"{names} requested.")
    db.session.flush()


def follow_up(actor, item: RecordItem, note: str | None = None, due_on: date | None = None,
              resend_link: bool = False) -> None:
    """A chase of an outstanding request, logged on the timeline; optionally a new due date or link."""
    case = item.case
    _open(case)
    if item.status not in OUTSTANDING:
        raise RecordError(f"{item.name} is not awaited; there is nothing to follow up.", field="note")
    today = clinic_today()
    if due_on is not None:
        if due_on < today:
            raise RecordError("The new due date is in the past; choose today or later.", field="due_on")
        item.due_on = due_on
    if resend_link:
        if item.requested_from_kind != "patient":
            raise RecordError("Only a request to the patient has an upload link to resend.", field="resend_link")
        links.email_link(actor, case, links.items_for_patient(case))
    item.follow_ups += 1
    item.last_follow_up_at = utcnow()
    note = (note or "").strip()[:500]
    text = f"{item.name}: followed up with {item.requested_from or 'the sender'}"
    text += f", now due {short_date(item.due_on, today)}" if item.due_on else ""
    text += " (new upload link emailed)" if resend_link else ""
    workflow.note(actor, case, "records", text + (f". {note}" if note else "."))
    audit.record(actor, "update", "record_item", item.id, detail=f"follow-up {item.follow_ups}")
    db.session.flush()


def mark_not_applicable(actor, item: RecordItem, reason: str) -> None:
    _open(item.case)
    if item.status == RecordStatus.NOT_APPLICABLE:
        raise RecordError(f"{item.name} is already marked not applicable.", status=409)
    item.not_applicable_reason = _reason(reason)
    item.status = RecordStatus.NOT_APPLICABLE
    audit.record(actor, "update", "record_item", item.id, detail="not applicable")
    workflow.note(actor, item.case, "records", f"{item.name}: not applicable ({item.not_applicable_reason.rstrip('.')}).")
    settle(actor, item.case, f"{item.name} marked not applicable.")
    db.session.flush()


def verify_record(actor, item: RecordItem) -> None:
    """The coordinator has read the documents: the item is complete and legible."""
    _open(item.case)
    if item.status != RecordStatus.RECEIVED or not item.live_documents:
        raise RecordError(f"{item.name} has no document awaiting verification; upload it first.", status=409)
    item.status, item.verified_by_id, item.verified_at = RecordStatus.VERIFIED, getattr(actor, "id", None), utcnow()
    item.rejection_reason = None
    audit.record(actor, "update", "record_item", item.id, detail="verified")
    workflow.note(actor, item.case, "records", f"{item.name}: verified (complete and legible).")
    settle(actor, item.case, f"{item.name} verified.")
    db.session.flush()


def from_patient(item: RecordItem) -> bool:
    """Whether the patient sent this record (asked of them, from their own portal or app, or through their link)."""
    return item.requested_from_kind == "patient" or item.source in PATIENT_SOURCES \
        or any(document.uploaded_via == "patient_link" for document in item.documents)


def reject_record(actor, item: RecordItem, reason: str, problem: str = "other") -> None:
    """Incomplete or illegible: every file in hand is rejected (kept, never shown to a specialist) and
    the request reopens with a new due date. A record the patient sent is asked of the patient again:
    they get a new upload link (the earlier one stops working) and the problem in plain words."""
    _open(item.case)
    if item.status not in (RecordStatus.RECEIVED, RecordStatus.VERIFIED) or not item.live_documents:
        raise RecordError(f"{item.name} has no document to reject.", status=409)
    if problem not in REJECTION_PROBLEMS:
        raise RecordError("Choose what the patient is told: " +
                          ", ".join(label for label, _ in REJECTION_PROBLEMS.values()) + ".", field="problem")
    item.rejection_reason, item.rejection_problem = _reason(reason), problem
    now = utcnow()
    for document in item.live_documents:
        document.rejected_at, document.rejected_by_id = now, getattr(actor, "id", None)
        document.rejection_reason = item.rejection_reason
        audit.record(actor, "update", "document", document.id, detail=f"rejected record_item={item.id}")
    item.status, item.verified_by_id, item.verified_at = RecordStatus.REJECTED, None, None
    today = clinic_today()
    item.due_on = max(item.due_on or today, today + timedelta(days=DEFAULT_DUE_DAYS))
    audit.record(actor, "update", "record_item", item.id, detail="rejected")
    told = ""
    if from_patient(item):
        item.requested_from_kind, item.requested_from, item.request_method = "patient", "the patient", "upload_link"
        item.requested_at = now
        links.email_rejection(actor, item.case, item, problem)
        told = f" (new upload link emailed: \"{REJECTION_PROBLEMS[problem][0].lower()}\")"
    whom = f"; asked again from {item.requested_from}{told}" if item.requested_from else ""
    workflow.note(actor, item.case, "records", f"{item.name}: rejected ({item.rejection_reason.rstrip('.')}){whom}, "
                                               f"due {short_date(item.due_on, today)}.")
    settle(actor, item.case, f"{item.name} rejected: {item.rejection_reason.rstrip('.')}.")
    db.session.flush()
