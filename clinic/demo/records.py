"""Demo records and coverage: cases taken through the checklist with small generated documents.

Several cases end up ready to match; others wait with items missing, requested, overdue,
received but not yet verified, or with coverage unresolved, so the work queue has
something to show in each records state.
"""
from __future__ import annotations

import io
from datetime import timedelta

from clinic.coverage.services import CoverageFacts, record_check
from clinic.demo.files import make_pdf, make_png, make_text
from clinic.records.gate import clinic_today
from clinic.records.services import mark_not_applicable, reject_record, request_records, verify_record
from clinic.records.uploads import attach_document

SOURCES = ("patient_portal", "direct_request", "mobile_app", "referring_doctor")

# Case index (clinic/demo/requests.py order) -> what happened to its records.
READY = (0, 1, 4, 5, 8, 9, 11, 12, 13)
TO_VERIFY = (3, 15)
FACILITY_OVERDUE, PATIENT_OVERDUE, NOT_APPLICABLE_OUT_OF_NETWORK, NOT_COVERED = 2, 6, 7, 10


def _document(item, n: int) -> tuple[str, bytes]:
    stamp = f"Demo record {n}"
    if item.kind == "imaging":
        return f"imaging-{n}.png", make_png(96, 96, seed=n)
    if item.kind == "medication_list":
        return f"medications-{n}.txt", make_text("Medication list", [stamp, "As reported by the patient."])
    return f"{item.kind.replace('_', '-')}-{n}.pdf", make_pdf(item.name, [stamp, "Generated for the demo clinic."])


def _receive(coordinator, case, kinds=None, verify=True) -> None:
    for item in case.record_items:
        if kinds is not None and item.kind not in kinds:
            continue
        name, content = _document(item, case.id * 10 + item.id)
        attach_document(coordinator, item, name, io.BytesIO(content), via="coordinator",
                        source=SOURCES[item.id % len(SOURCES)])
        if verify:
            verify_record(coordinator, item)


def _insured(case, result: str = "verified_in_network", **changes) -> CoverageFacts:
    return CoverageFacts(result=result, payer=case.payer, plan_name=case.plan_name, member_id=case.member_id,
                         method="portal", **changes)


def _overdue(case, kinds, days: int) -> None:
    """The request went out a while ago (demo time travel: services refuse past due dates)."""
    for item in case.record_items:
        if item.kind in kinds:
            item.requested_at -= timedelta(days=days + 7)
            item.due_on = clinic_today() - timedelta(days=days)


def load(state: dict) -> None:
    coordinator = state["users"]["coordinator"]
    cases = state["cases"]
    imaging = ("imaging", "imaging_report")
    for i in READY:
        case = cases[i]
        _receive(coordinator, case)
        if i == 8:
            record_check(coordinator, case, _insured(case, "verified_out_of_network",
                                                     patient_agreed_out_of_network=True, notes="Agreed by phone."))
        elif not case.self_pay:
            record_check(coordinator, case, _insured(case, prior_auth_required=i == 4,
                                                     auth_number="PA-20931" if i == 4 else None))
    for i in TO_VERIFY:
        _receive(coordinator, cases[i], verify=False)

    case = cases[FACILITY_OVERDUE]
    _receive(coordinator, case, {"visit_summary", "lab_result", "medication_list"})
    request_records(coordinator, case, [item for item in case.record_items if item.kind in imaging], "facility",
                    "fax", facility="Northgate Imaging Center", source="direct_request")
    _overdue(case, imaging, days=3)
    record_check(coordinator, case, _insured(case))

    case = cases[PATIENT_OVERDUE]
    _receive(coordinator, case, {"visit_summary", "medication_list"})
    request_records(coordinator, case, [item for item in case.record_items if item.status == "missing"],
                    "patient", "upload_link", source="patient_portal")
    # The patient sent a cropped photo of the lab results: rejected, and the patient emailed a new link.
    labs = next(item for item in case.record_items if item.kind == "lab_result")
    attach_document(None, labs, "lab-results-photo.png", io.BytesIO(make_png(64, 48, seed=case.id)),
                    via="patient_link")
    reject_record(coordinator, labs, "Photo cut off at the right edge: the values column is missing.", "incomplete")
    _overdue(case, ("lab_result", "imaging_report"), days=2)

    case = cases[NOT_APPLICABLE_OUT_OF_NETWORK]
    _receive(coordinator, case, {"visit_summary", "lab_result", "medication_list"}, verify=False)
    for item in case.record_items:
        if item.kind in imaging:
            mark_not_applicable(coordinator, item, "Diagnosed on clinical grounds; no imaging was done.")
    record_check(coordinator, case, _insured(case, "verified_out_of_network"))

    case = cases[NOT_COVERED]
    _receive(coordinator, case, {"visit_summary", "lab_result"})
    request_records(coordinator, case, [item for item in case.record_items if item.status == "missing"],
                    "facility", "email", facility="Lakeside University Medical Center", source="direct_request",
                    due_on=clinic_today() + timedelta(days=5))
    record_check(coordinator, case, _insured(case, "not_covered", notes="Plan excludes out-of-state opinions."))
