"""The checklist, record requests and verification, and the gate they open."""
from __future__ import annotations

from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from clinic.audit import AuditEvent
from clinic.cases import workflow
from clinic.cases.queue import QueueFilter, flag_counts, queue_page
from clinic.cases.intake import NamedClinician
from clinic.coverage.services import CoverageFacts, record_check
from clinic.mail.models import OutboxMessage
from clinic.records import services
from clinic.records.errors import RecordError
from clinic.records.gate import clinic_today
from clinic.records.models import UploadLink
from tests import factories


def kinds(case):
    return [item.kind for item in case.record_items]


def item_of(case, kind):
    return next(item for item in case.record_items if item.kind == kind)


def test_a_new_case_gets_the_required_checklist_all_missing(case):
    assert kinds(case) == ["visit_summary", "lab_result", "medication_list", "imaging", "imaging_report", "pathology"]
    assert {item.status for item in case.record_items} == {"missing"}
    assert all(item.required for item in case.record_items)


def test_a_case_without_a_neoplasm_code_needs_no_pathology(new_case):
    assert "pathology" not in kinds(new_case(icd10_code="M51.26"))
    assert "pathology" not in kinds(new_case(icd10_code=None))


def test_a_waiting_case_names_every_missing_item(case):
    waiting = workflow.waiting_for(case)
    assert "Imaging report: missing, not requested yet" in waiting
    assert "Pathology report: missing, not requested yet" in waiting
    assert waiting[-1] == "Coverage: not verified"


def test_verifying_every_record_and_coverage_moves_the_case_to_ready_to_match(case, coordinator, settle_records):
    settle_records(case, keep=("imaging_report",))
    assert case.status == "records_pending"
    assert workflow.waiting_for(case) == ["Imaging report: missing, not requested yet", "Coverage: not verified"]
    record_check(coordinator, case, CoverageFacts(result="verified_in_network", payer="Acme Health",
                                                  plan_name="Gold PPO", member_id="M123"))
    assert case.status == "records_pending"
    item = item_of(case, "imaging_report")
    factories.attach(coordinator, item)
    services.verify_record(coordinator, item)
    assert case.status == "ready_to_match"
    assert case.timeline[-1].to_status == "ready_to_match"


def test_not_applicable_with_a_reason_counts_for_the_gate(new_case, coordinator, settle_records):
    case = new_case(coordinator, self_pay=True, payer=None, plan_name=None, member_id=None)
    settle_records(case, keep=("imaging",))
    with pytest.raises(RecordError, match="reason"):
        services.mark_not_applicable(coordinator, item_of(case, "imaging"), "   ")
    services.mark_not_applicable(coordinator, item_of(case, "imaging"), "No imaging was done")
    assert case.status == "ready_to_match"


def test_a_record_rejected_while_ready_to_match_sends_the_case_back(new_case, coordinator, settle_records):
    case = new_case(coordinator, self_pay=True, payer=None, plan_name=None, member_id=None)
    settle_records(case)
    assert case.status == "ready_to_match"
    report = item_of(case, "imaging_report")
    services.reject_record(coordinator, report, "Pages 2 and 3 are missing")
    assert case.status == "records_pending"
    back = case.timeline[-1]
    assert (back.from_status, back.to_status) == ("ready_to_match", "records_pending")
    assert "Pages 2 and 3 are missing" in back.note
    assert report.status == "rejected" and report.due_on >= clinic_today() + timedelta(days=7)


def test_only_a_received_record_can_be_verified(case, coordinator):
    with pytest.raises(RecordError, match="upload it first"):
        services.verify_record(coordinator, item_of(case, "lab_result"))


def test_verification_records_who_and_when(case, coordinator):
    item = item_of(case, "lab_result")
    factories.attach(coordinator, item)
    services.verify_record(coordinator, item)
    assert item.verified_by_id == coordinator.id and item.verified_at is not None
    assert case.timeline[-1].actor_id == coordinator.id and "Lab results: verified" in case.timeline[-1].note


def test_a_request_to_a_facility_says_whom_and_when(case, coordinator):
    due = clinic_today() + timedelta(days=3)
    services.request_records(coordinator, case, [item_of(case, "imaging_report")], "facility", "fax",
                             facility="Lakeside Imaging", due_on=due)
    item = item_of(case, "imaging_report")
    assert (item.status, item.requested_from, item.due_on, item.source) == \
        ("requested", "Lakeside Imaging", due, "direct_request")
    assert f"Imaging report: requested from Lakeside Imaging, due {due.day} {due:%b}" in workflow.waiting_for(case)[0:6]


def test_without_consent_the_first_doctor_cannot_be_asked(new_case, coordinator):
    case = new_case(coordinator, consent_to_contact_first_doctor=False,
                    referring=NamedClinician("Dr. Ann Lee", None, "Mercy General Hospital"))
    for facility in ("Mercy General Hospital", "mercy general", "Dr. Ann Lee's office"):
        with pytest.raises(RecordError, match="not consented") as refused:
            services.request_records(coordinator, case, [item_of(case, "imaging")], "facility", "fax",
                                     facility=facility)
        assert refused.value.field == "facility"
    services.request_records(coordinator, case, [item_of(case, "imaging")], "facility", "fax",
                             facility="Lakeside Imaging Center")


def test_a_request_to_the_patient_emails_a_private_link_without_the_diagnosis(case, coordinator, session):
    services.request_records(coordinator, case, [item_of(case, "imaging"), item_of(case, "pathology")],
                             "patient", "upload_link")
    mail = session.scalars(sa.select(OutboxMessage).where(OutboxMessage.case_id == case.id,
                                                          factories.besides_acknowledgement())).one()
    assert mail.recipient == case.patient.email
    assert "carcinoma" not in mail.subject.lower() and "breast" not in mail.subject.lower()
    assert "carcinoma" not in mail.text_body.lower()
    assert "/upload/" in mail.text_body and "Pathology report" in mail.text_body
    link = session.scalars(sa.select(UploadLink).where(UploadLink.case_id == case.id)).one()
    token = mail.text_body.split("/upload/")[1].split()[0]
    assert token not in link.token_hash and len(link.token_hash) == 64  # only the hash is kept


@pytest.mark.parametrize("target, method, facility, due, field", [
    ("facility", "fax", "  ", None, "facility"),
    ("facility", "upload_link", "Lakeside", None, "method"),
    ("patient", "upload_link", None, date(2000, 1, 1), "due_on"),
    ("someone", "fax", None, None, "target"),
    ("patient", "pigeon", None, None, "method"),
])
def test_bad_requests_are_refused_naming_the_field(case, coordinator, target, method, facility, due, field):
    with pytest.raises(RecordError) as refused:
        services.request_records(coordinator, case, [item_of(case, "imaging")], target, method,
                                 facility=facility, due_on=due)
    assert refused.value.field == field
    assert item_of(case, "imaging").status == "missing"


def test_overdue_requests_surface_in_the_work_queue(case, new_case, coordinator, session):
    other = new_case(coordinator)
    services.request_records(coordinator, case, [item_of(case, "imaging")], "facility", "fax", facility="Lakeside")
    services.request_records(coordinator, other, [item_of(other, "imaging")], "facility", "fax", facility="Lakeside")
    item_of(case, "imaging").due_on = clinic_today() - timedelta(days=2)
    session.flush()
    assert flag_counts()["records_overdue"] == 1
    page = queue_page(QueueFilter(flag="records_overdue"), 25)
    assert [c.id for c in page.cases] == [case.id]
    assert any("(overdue)" in line for line in workflow.waiting_for(case))


def test_a_follow_up_is_logged_on_the_timeline_and_can_move_the_due_date(case, coordinator):
    item = item_of(case, "imaging")
    services.request_records(coordinator, case, [item], "facility", "phone", facility="Lakeside")
    new_due = clinic_today() + timedelta(days=10)
    services.follow_up(coordinator, item, "Called the records desk", new_due)
    assert item.follow_ups == 1 and item.due_on == new_due
    assert "followed up with Lakeside" in case.timeline[-1].note and "Called the records desk" in case.timeline[-1].note


def test_an_added_required_item_closes_the_gate_again(new_case, coordinator, settle_records):
    case = new_case(coordinator, self_pay=True, payer=None, plan_name=None, member_id=None)
    settle_records(case)
    assert case.status == "ready_to_match"
    services.add_item(coordinator, case, "operative_note", "Operative note, 2024", required=True)
    assert case.status == "records_pending"
    assert "Operative note, 2024: missing, not requested yet" in workflow.waiting_for(case)


def test_every_change_is_audited_without_phi(case, coordinator, session):
    item = item_of(case, "imaging")
    services.request_records(coordinator, case, [item], "patient", "upload_link")
    services.mark_not_applicable(coordinator, item_of(case, "pathology"), "Biopsy not done yet, patient says")
    details = session.scalars(sa.select(AuditEvent.detail).where(AuditEvent.entity == "record_item")).all()
    assert details and not any("Biopsy" in (d or "") for d in details)


def test_an_ended_case_keeps_its_records_as_they_are(case, coordinator):
    from clinic.cases.services import end_case

    end_case(coordinator, case, "withdrawn", "The patient changed their mind")
    with pytest.raises(RecordError, match="has ended"):
        services.mark_not_applicable(coordinator, item_of(case, "imaging"), "n/a")


def test_a_case_without_any_checklist_is_not_waved_through(case, session):
    for item in list(case.record_items):
        session.delete(item)
    session.flush()
    session.expire(case, ["record_items"])
    assert workflow.waiting_for(case)[0].startswith("Records: no checklist yet")
