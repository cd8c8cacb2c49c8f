"""The patient's private status page: what it says at each stage, what the patient can do there, and
what it refuses. Every request is the patient's: no login, the link from their mail."""
from __future__ import annotations

import io
from datetime import timedelta

import pytest
import sqlalchemy as sa
from icalendar import Calendar

from clinic.audit.models import AuditEvent
from clinic.cases.workflow import CaseStatus
from clinic.database import utcnow
from clinic.extensions import limiter
from clinic.mail.models import OutboxMessage
from clinic.outcomes.models import Decision
from clinic.patients import services as patients
from clinic.patients.models import PatientMessage, StatusLink
from clinic.records import services as records
from clinic.scheduling import services as scheduling
from clinic.scheduling.models import Appointment
from tests import factories
from tests.patients.conftest import mails_to


def text_of(client, path: str, status: int = 200) -> str:
    response = client.get(path)
    assert response.status_code == status, response.get_data(as_text=True)[:500]
    return response.get_data(as_text=True)


def _events(session, entity: str, action: str) -> list[AuditEvent]:
    return list(session.scalars(sa.select(AuditEvent).where(AuditEvent.entity == entity, AuditEvent.action == action)))


def test_the_page_is_private_uncached_and_audited(client, new_case, status_of, session):
    case = new_case()
    response = client.get(status_of(case))
    assert response.status_code == 200
    assert response.headers["Referrer-Policy"] == "no-referrer" and "no-store" in response.headers["Cache-Control"]
    page = response.get_data(as_text=True)
    assert case.diagnosis_text not in page and case.icd10_code not in page, "no condition on the page"
    assert any(e.user_id is None and e.entity_id for e in _events(session, "status_link", "view"))


@pytest.mark.parametrize("spoil", ["unknown", "revoked", "expired", "ended long ago"])
def test_a_dead_link_gets_one_neutral_page(client, new_case, status_of, session, users, spoil):
    case = new_case()
    path = status_of(case)
    if spoil == "unknown":
        path = path[:-4] + "AAAA"
    elif spoil == "revoked":
        patients.revoke_status_links(users["coordinator"], case)
    elif spoil == "expired":
        session.execute(sa.update(StatusLink).values(expires_at=utcnow() - timedelta(seconds=1)))
    else:
        case.status, case.status_changed_at = CaseStatus.WITHDRAWN, utcnow() - timedelta(days=91)
    session.flush()
    page = text_of(client, path, 404)
    assert "This link does not open" in page and case.reference not in page and case.patient.name not in page
    assert _events(session, "status_link", "denied")


def test_a_case_ended_lately_still_opens_for_the_patient(client, new_case, status_of, session):
    case = new_case()
    case.status, case.status_changed_at = CaseStatus.WITHDRAWN, utcnow() - timedelta(days=30)
    session.flush()
    assert "This request is closed" in text_of(client, status_of(case))


def test_the_page_is_rate_limited(app, client, new_case, status_of):
    path = status_of(new_case())
    was, app.config["STATUS_PAGE_LIMIT"], enabled = app.config["STATUS_PAGE_LIMIT"], "3 per minute", limiter.enabled
    limiter.enabled = True
    try:
        limiter.reset()
        assert [client.get(path).status_code for _ in range(4)] == [200, 200, 200, 429]
    finally:
        app.config["STATUS_PAGE_LIMIT"], limiter.enabled = was, enabled
        limiter.reset()


def test_records_in_plain_words_a_rejection_explained_and_a_new_copy_sent_from_the_page(
        client, new_case, status_of, session, users):
    case = new_case()
    coordinator = users["coordinator"]
    lab = case.record_items[0]
    records.request_records(coordinator, case, [lab], "patient", "upload_link")
    factories.attach(None, lab, b"%PDF-1.4 first copy", via="patient_link")
    records.reject_record(coordinator, lab, "Pages missing, the biopsy result on page 3 is cut", "incomplete")
    session.flush()
    path = status_of(case)
    page = text_of(client, path)
    total = len([i for i in case.record_items if i.required])
    assert f"We have 0 of your {total} records" in page
    assert "We could not use the file you sent. Part of it is missing." in page
    assert "biopsy" not in page, "the coordinator's own reason stays inside the clinic"

    bad = client.post(path + "/upload", data={"upload-record": str(lab.id), "upload-file": (io.BytesIO(b""), "x.pdf")},
                      content_type="multipart/form-data")
    assert bad.status_code == 422 and "empty" in bad.get_data(as_text=True).lower()
    sent = client.post(path + "/upload", data={"upload-record": str(lab.id),
                                               "upload-file": (io.BytesIO(b"%PDF-1.4 the whole record"), "lab.pdf")},
                       content_type="multipart/form-data")
    assert sent.status_code == 302
    session.refresh(lab)
    assert lab.status == "received" and lab.documents[-1].uploaded_via == "patient_link"
    page = text_of(client, path)
    assert f"We have 1 of your {total} records" in page and "Thank you. We received your file." in page


def _booked(matched_case, next_slot, users, session, **changes):
    case = matched_case(**changes)
    specialist = scheduling.accepted_assignment(case).specialist
    appointment = scheduling.book(users["coordinator"], case, next_slot(specialist, 30))
    session.flush()
    return case, appointment


def test_the_consultation_on_the_patients_clock_with_what_to_bring_and_an_ics(
        client, matched_case, next_slot, status_of, users, session):
    case, appointment = _booked(matched_case, next_slot, users, session, timezone="Europe/Madrid")
    page = text_of(client, status_of(case))
    assert "Madrid time" in page and appointment.specialist.name in page
    assert "By video" in page and "quiet, private place" in page and "photo ID" not in page
    ics = client.get(status_of(case) + "/appointment.ics")
    assert ics.status_code == 200 and ics.mimetype == "text/calendar"
    event = Calendar.from_ical(ics.data).walk("VEVENT")[0]
    assert str(event["UID"]) == appointment.ical_uid and event.decoded("DTSTART") == appointment.start
    assert case.diagnosis_text not in ics.get_data(as_text=True)
    assert _events(session, "appointment", "export")


def test_the_patient_moves_the_consultation_to_an_offered_time(
        client, matched_case, next_slot, status_of, users, session):
    case, appointment = _booked(matched_case, next_slot, users, session)
    path = status_of(case)
    offered = patients.move_offer(appointment).slots
    assert 0 < len(offered) <= patients.MOVE_CHOICES
    not_offered = client.post(path + "/move", data={"move-appointment": str(appointment.id),
                                                    "move-start": (appointment.start + timedelta(minutes=7)).isoformat()})
    assert not_offered.status_code == 422 and "no longer free" in not_offered.get_data(as_text=True)
    assert appointment.ical_sequence == 0
    before = session.scalar(sa.select(sa.func.count()).select_from(OutboxMessage).where(OutboxMessage.ics.is_not(None)))
    moved = client.post(path + "/move", data={"move-appointment": str(appointment.id),
                                              "move-start": offered[0].start.isoformat()})
    assert moved.status_code == 302
    session.refresh(appointment)
    assert appointment.start == offered[0].start and appointment.ical_sequence == 1
    after = session.scalar(sa.select(sa.func.count()).select_from(OutboxMessage).where(OutboxMessage.ics.is_not(None)))
    assert after == before + 2, "a new invite to the patient and to the specialist, as a staff reschedule"
    session.refresh(case)
    assert any("moved the consultation on the status page" in (line.note or "") for line in case.timeline)


def test_too_close_to_move_and_a_stale_form_are_refused_in_words(
        client, matched_case, next_slot, status_of, users, session):
    case, appointment = _booked(matched_case, next_slot, users, session)
    path = status_of(case)
    stale = client.post(path + "/cancel", data={"cancel-appointment": str(appointment.id + 1000)})
    assert stale.status_code == 409 and "has changed since you opened the page" in stale.get_data(as_text=True)
    appointment.start = utcnow() + timedelta(hours=3)
    appointment.end = appointment.start + timedelta(hours=1)
    session.flush()
    assert "less than 24 hours away" in text_of(client, path)


def test_the_patient_cancels_and_the_case_waits_for_a_new_booking(
        client, matched_case, next_slot, status_of, users, session):
    case, appointment = _booked(matched_case, next_slot, users, session)
    path = status_of(case)
    done = client.post(path + "/cancel", data={"cancel-appointment": str(appointment.id),
                                               "cancel-reason": "My daughter's wedding"})
    assert done.status_code == 302
    session.refresh(appointment)
    session.refresh(case)
    assert appointment.status == "cancelled" and case.status == CaseStatus.MATCHED
    assert appointment.status_reason == "Cancelled by the patient: My daughter's wedding"
    cancels = session.scalars(sa.select(OutboxMessage).where(OutboxMessage.case_id == case.id,
                                                             OutboxMessage.ics_method == "CANCEL")).all()
    assert len(cancels) == 2
    assert "Your consultation was cancelled" in text_of(client, path)


def test_a_message_reaches_the_coordinator_until_handled(client, client_as, new_case, status_of, session):
    case = new_case()
    path = status_of(case)
    assert client.post(path + "/message", data={"message-body": "   "}).status_code == 422
    assert client.post(path + "/message", data={"message-body": "x" * 2001}).status_code == 422
    assert session.scalar(sa.select(sa.func.count()).select_from(PatientMessage)) == 0
    assert client.post(path + "/message", data={"message-body": "Can my husband join the call?"}).status_code == 302
    coordinator = client_as("coordinator")
    queue = coordinator.get("/cases?flag=patient_message").get_data(as_text=True)
    assert case.reference in queue
    case_page = coordinator.get(f"/cases/{case.id}").get_data(as_text=True)
    assert "Can my husband join the call?" in case_page
    message = session.scalars(sa.select(PatientMessage)).one()
    assert coordinator.post(f"/patient-messages/{message.id}/handled").status_code == 302
    assert case.reference not in coordinator.get("/cases?flag=patient_message").get_data(as_text=True)


def test_the_report_once_released_then_the_decision_undecided_keeps_the_case_open(
        client, client_as, signed_case, status_of, session, users):
    case = signed_case()
    path = status_of(case)
    assert "We will share it with you soon" in text_of(client, path)
    assert client.get(path + "/report").status_code == 404, "not before the coordinator releases it"
    coordinator = client_as("coordinator")
    assert coordinator.post(f"/cases/{case.id}/patient/report/release").status_code == 302
    ready = [m for m in mails_to(session, case) if "report is ready" in m.subject]
    assert len(ready) == 1 and case.diagnosis_text not in ready[0].text_body + ready[0].subject
    path = status_of(case)
    page = text_of(client, path)
    assert "Read my report" in page and "What have you decided?" in page
    report = text_of(client, path + "/report")
    assert "Your second-opinion report" in report and case.reference in report
    assert "ICD-10" not in report and case.icd10_code not in report, "the patient's copy reads in words"
    assert "ICD-10" in text_of(coordinator, f"/cases/{case.id}/report"), "the clinic's copy keeps the codes"
    pdf = client.get(path + "/report.pdf")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
    assert {e.action for e in session.scalars(sa.select(AuditEvent).where(
        AuditEvent.entity == "report", AuditEvent.user_id.is_(None)))} >= {"view", "export"}

    assert client.post(path + "/decision", data={"decision-choice": "maybe"}).status_code == 422
    assert client.post(path + "/decision", data={"decision-choice": "undecided"}).status_code == 302
    decision = session.scalars(sa.select(Decision).where(Decision.case_id == case.id)).one()
    assert decision.choice == "undecided" and decision.recorded_via == "status_page"
    assert decision.follow_up_on == utcnow().date() + timedelta(days=30)
    assert case.status == CaseStatus.OPINION_RECORDED, "undecided keeps the case open"
    assert "we will ask again around" in text_of(client, path)
    assert client.post(path + "/decision", data={"decision-choice": "follow_second"}).status_code == 302
    session.refresh(decision)
    session.refresh(case)
    assert decision.choice == "follow_second" and case.status == CaseStatus.CLOSED
    assert "You told us: I will follow the second opinion." in text_of(client, path)


def test_staff_revoke_every_link_and_send_a_new_one(client, client_as, new_case, status_of, session):
    case = new_case()
    old = status_of(case)
    coordinator = client_as("coordinator")
    assert coordinator.post(f"/cases/{case.id}/patient/status-links/revoke").status_code == 302
    assert client.get(old).status_code == 404
    assert coordinator.post(f"/cases/{case.id}/patient/status-link").status_code == 302
    new = status_of(case)
    assert new != old and client.get(new).status_code == 200
    assert session.scalar(sa.select(sa.func.count()).select_from(Appointment)) == 0
