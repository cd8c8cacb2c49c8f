"""The pages: the case page's answers and proposed times (Accept, Decline), the appointment page's
answers, the work queue's flags, and the admin's messages kept aside (raw text escaped)."""
from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from clinic.audit import AuditEvent
from clinic.inbox import services
from clinic.inbox.models import CounterProposal
from tests.inbox.conftest import reply_for


def _propose(appointment, days: int = 1) -> CounterProposal:
    start = appointment.start + timedelta(days=days)
    services.receive(reply_for(appointment, "outlook_counter", proposed_start=start,
                               proposed_end=start + timedelta(hours=1), comment="Thursday suits me better."))
    return services.pending_counters(appointment.id)[-1]


def test_case_and_appointment_pages_show_each_attendees_answer(booked, client_as, session):
    appointment = booked()
    services.receive(reply_for(appointment, "apple", partstat="ACCEPTED"))
    services.receive(reply_for(appointment, "outlook", role="specialist", partstat="DECLINED"))
    coordinator = client_as("coordinator")
    for path in (f"/cases/{appointment.case_id}", f"/appointments/{appointment.id}"):
        page = coordinator.get(path).get_data(as_text=True).split("Answers to the invite")[1]
        patient, specialist = page.split("<dt class=\"col-sm-4\">Patient</dt>")[1], page.split("Specialist</dt>")[-1]
        assert "Accepted" in patient.split("</dd>")[0] and "Declined" in specialist.split("</dd>")[0]


def test_the_work_queue_filters_by_the_decline_and_proposal_flags(booked, client_as, session):
    declined, proposed, quiet = booked(), booked(), booked()
    services.receive(reply_for(declined, partstat="DECLINED"))
    _propose(proposed)
    coordinator = client_as("coordinator")
    page = coordinator.get("/cases?flag=invite_declined").get_data(as_text=True)
    assert declined.case.reference in page and proposed.case.reference not in page and quiet.case.reference not in page
    assert "Invite declined — rebook" in page
    page = coordinator.get("/cases?flag=time_proposed").get_data(as_text=True)
    assert proposed.case.reference in page and declined.case.reference not in page


def test_accepting_from_the_case_page_moves_the_consultation(booked, client_as, session):
    appointment = booked()
    counter = _propose(appointment)
    coordinator = client_as("coordinator")
    page = coordinator.get(f"/cases/{appointment.case_id}").get_data(as_text=True)
    assert "Thursday suits me better." in page and f"/counters/{counter.id}/accept" in page
    response = coordinator.post(f"/counters/{counter.id}/accept", follow_redirects=True)
    assert "Consultation moved to" in response.get_data(as_text=True)
    session.expire_all()
    assert (counter.status, appointment.start, appointment.ical_sequence) == ("accepted", counter.start, 1)


def test_declining_from_the_case_page_keeps_the_time_and_a_second_click_is_refused(booked, client_as, session):
    appointment = booked()
    counter, start = _propose(appointment), appointment.start
    coordinator = client_as("coordinator")
    assert "Proposal declined" in coordinator.post(f"/counters/{counter.id}/decline",
                                                   follow_redirects=True).get_data(as_text=True)
    again = coordinator.post(f"/counters/{counter.id}/accept", follow_redirects=True).get_data(as_text=True)
    assert "already been decided" in again
    session.expire_all()
    assert (counter.status, appointment.start) == ("declined", start)


def test_a_specialist_cannot_decide_a_proposal(booked, client_as):
    counter = _propose(booked())
    assert client_as("specialist").post(f"/counters/{counter.id}/accept").status_code == 403


def test_the_admin_lists_messages_kept_aside_and_shows_the_raw_text_escaped(client_as, session):
    hostile = (b"From: mallory@example.org\r\nSubject: <script>alert(1)</script>\r\nContent-Type: text/calendar\r\n\r\n"
               b"BEGIN:VCALENDAR\r\nMETHOD:REFRESH\r\n<img src=x onerror=alert(2)>\r\nEND:VCALENDAR\r\n")
    message = services.receive(hostile)
    admin = client_as("admin")
    listing = admin.get("/admin/inbox").get_data(as_text=True)
    assert "mallory@example.org" in listing and "&lt;script&gt;" in listing and "<script>alert" not in listing
    page = admin.get(f"/admin/inbox/{message.id}").get_data(as_text=True)
    assert "&lt;img src=x onerror=alert(2)&gt;" in page and "<img src=x" not in page
    assert session.scalar(sa.select(AuditEvent.id).where(AuditEvent.entity == "inbound_message",
                                                         AuditEvent.action == "view",
                                                         AuditEvent.entity_id == str(message.id)))
    assert client_as("coordinator").get("/admin/inbox").status_code == 403
