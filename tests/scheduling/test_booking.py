"""Booking, moving, cancelling and closing appointments: the workflow, the invites and the database's guard."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest
import sqlalchemy as sa
import vobject

from clinic.audit.models import AuditEvent
from clinic.cases import workflow
from clinic.mail.models import OutboxMessage
from clinic.scheduling import availability, services
from clinic.scheduling.models import Appointment
from tests import factories


def invites_of(session, case) -> list[OutboxMessage]:
    return list(session.scalars(sa.select(OutboxMessage).where(OutboxMessage.case_id == case.id,
                                                              OutboxMessage.ics.is_not(None))
                                .order_by(OutboxMessage.id)))


def event_of(message: OutboxMessage):
    return vobject.readOne(message.ics).vevent


def test_a_matched_case_waits_for_its_booking(matched_case):
    case = matched_case()
    assert workflow.waiting_for(case) == ["The consultation to be booked with the accepted specialist"]


def test_booking_schedules_the_case_and_queues_one_invite_per_attendee(matched_case, next_slot, users, session):
    case = matched_case()
    specialist = services.accepted_assignment(case).specialist
    appointment = services.book(users["coordinator"], case, next_slot(specialist))
    assert case.status == "scheduled"
    assert (appointment.status, appointment.ical_sequence, appointment.end - appointment.start) == \
        ("booked", 0, timedelta(hours=1))
    messages = invites_of(session, case)
    assert {m.recipient for m in messages} == {case.patient.email, specialist.email}
    assert {m.ics_method for m in messages} == {"REQUEST"}
    assert {event_of(m).uid.value for m in messages} == {appointment.ical_uid}
    assert all(case.diagnosis_text.lower() not in (m.subject + m.ics + m.text_body + m.html_body).lower()
               for m in messages)
    assert case.timeline[-1].to_status == "scheduled"
    assert session.scalar(sa.select(AuditEvent.id).where(AuditEvent.entity == "appointment",
                                                         AuditEvent.entity_id == str(appointment.id)))


def test_each_attendee_sees_the_invite_in_their_own_time_zone(matched_case, next_slot, users):
    specialist = factories.ClinicianFactory(timezone="America/Chicago")
    factories.open_every_day(specialist)
    case = matched_case(specialist, timezone="Europe/Berlin")
    appointment = services.book(users["coordinator"], case, next_slot(specialist))
    by_recipient = {m.recipient: m.ics for m in invites_of(availability.db.session, case)}
    patient, doctor = by_recipient[case.patient.email], by_recipient[specialist.email]
    assert "DTSTART;TZID=Europe/Berlin:" in patient and "DTSTART;TZID=America/Chicago:" in doctor
    assert vobject.readOne(patient).vevent.dtstart.value == vobject.readOne(doctor).vevent.dtstart.value \
        == appointment.start


@pytest.mark.parametrize("status", ["records_pending", "ready_to_match", "scheduled", "closed"])
def test_only_a_matched_case_can_be_booked(matched_case, next_slot, users, status):
    case = matched_case()
    case.status = status
    with pytest.raises(services.SchedulingError):
        services.book(users["coordinator"], case, next_slot(services.accepted_assignment(case).specialist))


def test_a_case_without_an_accepted_specialist_cannot_be_booked(new_case, users):
    from datetime import datetime, timezone

    case = new_case()
    case.status = "matched"
    with pytest.raises(services.SchedulingError, match="no accepted specialist"):
        services.book(users["coordinator"], case, datetime(2030, 1, 7, 14, tzinfo=timezone.utc))


@pytest.mark.parametrize("shift", [timedelta(minutes=30), timedelta(days=-30), timedelta(hours=12)])
def test_a_time_that_is_not_an_open_slot_is_refused(matched_case, next_slot, users, shift):
    case = matched_case()
    start = next_slot(services.accepted_assignment(case).specialist) + shift
    with pytest.raises(services.NotAnOpenSlot):
        services.book(users["coordinator"], case, start)
    assert case.status == "matched"


def test_a_naive_start_is_refused(matched_case, next_slot, users):
    case = matched_case()
    start = next_slot(services.accepted_assignment(case).specialist).replace(tzinfo=None)
    with pytest.raises(services.SchedulingError, match="time zone"):
        services.book(users["coordinator"], case, start)


def test_a_taken_slot_is_refused_with_slot_taken(matched_case, next_slot, users):
    first = matched_case()
    specialist = services.accepted_assignment(first).specialist
    start = next_slot(specialist)
    services.book(users["coordinator"], first, start)
    second = matched_case(specialist)
    with pytest.raises(services.SlotTaken, match="just taken"):
        services.book(users["coordinator"], second, start)
    assert second.status == "matched"


def test_the_database_refuses_two_active_appointments_at_one_start(matched_case, next_slot, users, session):
    first = matched_case()
    specialist = services.accepted_assignment(first).specialist
    booked = services.book(users["coordinator"], first, next_slot(specialist))
    second = matched_case(specialist)
    with pytest.raises(sa.exc.IntegrityError), session.begin_nested():
        session.add(Appointment(case_id=second.id, specialist_id=specialist.id, start=booked.start, end=booked.end,
                                timezone=booked.timezone, modality="video", ical_uid="dup@test"))
        session.flush()


def test_postgresql_refuses_overlapping_appointments_of_any_length(matched_case, next_slot, users, session, backend):
    if backend != "postgresql":
        pytest.skip("the exclusion constraint exists on PostgreSQL only")
    first = matched_case()
    specialist = services.accepted_assignment(first).specialist
    booked = services.book(users["coordinator"], first, next_slot(specialist))
    second = matched_case(specialist)
    with pytest.raises(sa.exc.IntegrityError, match="ex_appointments_no_overlap"), session.begin_nested():
        session.add(Appointment(case_id=second.id, specialist_id=specialist.id, start=booked.start + timedelta(minutes=20),
                                end=booked.end + timedelta(hours=2), timezone=booked.timezone, modality="video",
                                ical_uid="overlap@test"))
        session.flush()


def test_a_constraint_refusal_becomes_slot_taken_and_leaves_the_transaction_usable(matched_case, next_slot, users,
                                                                                    session, monkeypatch):
    """The race the check cannot see: another booking committed between the check and the insert."""
    first = matched_case()
    specialist = services.accepted_assignment(first).specialist
    start = next_slot(specialist)
    services.book(users["coordinator"], first, start)
    second = matched_case(specialist)
    real = availability.find_free_slot
    monkeypatch.setattr(availability, "find_free_slot",
                        lambda sid, s, ignore_appointment=None: real(sid, s, ignore_appointment=first_appointment_id))
    first_appointment_id = services.active_appointment(first).id
    with pytest.raises(services.SlotTaken):
        services.book(users["coordinator"], second, start)
    assert session.scalar(sa.select(sa.func.count()).select_from(Appointment)) == 1


def test_rescheduling_keeps_the_uid_raises_the_sequence_and_frees_the_old_slot(matched_case, next_slot, users, session):
    case = matched_case()
    specialist = services.accepted_assignment(case).specialist
    appointment = services.book(users["coordinator"], case, next_slot(specialist))
    old_start, new_start = appointment.start, next_slot(specialist, 3)
    services.reschedule(users["coordinator"], appointment, new_start)
    assert (appointment.start, appointment.ical_sequence, case.status) == (new_start, 1, "scheduled")
    latest = invites_of(session, case)[-2:]
    assert {(event_of(m).uid.value, event_of(m).sequence.value, m.ics_method) for m in latest} == \
        {(appointment.ical_uid, "1", "REQUEST")}
    assert latest[0].subject.startswith("Moved:")
    assert old_start in {s.start for s in availability.free_slots(specialist.id, old_start.date() - timedelta(days=1),
                                                                   old_start.date() + timedelta(days=1))}
    services.reschedule(users["coordinator"], appointment, old_start)
    assert appointment.ical_sequence == 2


def test_rescheduling_to_the_same_time_or_a_taken_time_is_refused(matched_case, next_slot, users):
    case = matched_case()
    specialist = services.accepted_assignment(case).specialist
    appointment = services.book(users["coordinator"], case, next_slot(specialist))
    other = services.book(users["coordinator"], matched_case(specialist), next_slot(specialist, 1))
    with pytest.raises(services.SchedulingError, match="already at that time"):
        services.reschedule(users["coordinator"], appointment, appointment.start)
    with pytest.raises(services.SlotTaken):
        services.reschedule(users["coordinator"], appointment, other.start)
    assert appointment.ical_sequence == 0


def test_cancelling_sends_a_cancel_and_returns_the_case_to_matched_with_the_reason(matched_case, next_slot, users,
                                                                                  session):
    case = matched_case()
    specialist = services.accepted_assignment(case).specialist
    appointment = services.book(users["coordinator"], case, next_slot(specialist))
    services.cancel(users["coordinator"], appointment, "The patient is in hospital this week.")
    assert (appointment.status, appointment.ical_sequence, case.status) == ("cancelled", 1, "matched")
    assert case.timeline[-1].note == "Appointment cancelled: The patient is in hospital this week."
    cancels = invites_of(session, case)[-2:]
    assert {m.ics_method for m in cancels} == {"CANCEL"}
    assert {event_of(m).status.value for m in cancels} == {"CANCELLED"}
    again = services.book(users["coordinator"], case, appointment.start)  # the slot is free again
    assert again.ical_uid != appointment.ical_uid and case.status == "scheduled"


@pytest.mark.parametrize("reason", ["", "   ", None])
def test_cancelling_needs_a_reason(matched_case, next_slot, users, reason):
    case = matched_case()
    appointment = services.book(users["coordinator"], case, next_slot(services.accepted_assignment(case).specialist))
    with pytest.raises(services.SchedulingError, match="reason"):
        services.cancel(users["coordinator"], appointment, reason)
    assert appointment.status == "booked"


def _started(appointment):
    appointment.start -= timedelta(days=30)
    appointment.end -= timedelta(days=30)


def test_a_held_consultation_moves_the_case_to_consulted(matched_case, next_slot, users):
    case = matched_case()
    appointment = services.book(users["coordinator"], case, next_slot(services.accepted_assignment(case).specialist))
    with pytest.raises(services.SchedulingError, match="not started"):
        services.complete(users["coordinator"], appointment)
    _started(appointment)
    services.complete(users["coordinator"], appointment)
    assert (appointment.status, case.status) == ("completed", "consulted")
    with pytest.raises(services.SchedulingError, match="no longer booked"):
        services.cancel(users["coordinator"], appointment, "late")


def test_a_no_show_releases_the_slot_and_returns_the_case_to_matched(matched_case, next_slot, users):
    case = matched_case()
    appointment = services.book(users["coordinator"], case, next_slot(services.accepted_assignment(case).specialist))
    _started(appointment)
    services.mark_no_show(users["coordinator"], appointment, "")
    assert (appointment.status, case.status) == ("no_show", "matched")
    assert "No-show: The patient did not attend." in case.timeline[-1].note


def test_cancelling_the_booking_of_an_ended_case_leaves_the_case_ended(matched_case, next_slot, users):
    case = matched_case()
    appointment = services.book(users["coordinator"], case, next_slot(services.accepted_assignment(case).specialist))
    workflow.transition(users["coordinator"], case, "withdrawn", "The patient changed their mind.")
    services.cancel(users["coordinator"], appointment, "Case withdrawn.")
    assert (appointment.status, case.status) == ("cancelled", "withdrawn")


def test_days_off_and_rules_change_what_can_be_booked(matched_case, next_slot, users):
    case = matched_case()
    specialist = services.accepted_assignment(case).specialist
    start = next_slot(specialist)
    availability.add_day_off(users["admin"], specialist, start.astimezone(availability.ZoneInfo(specialist.timezone)).date())
    with pytest.raises(services.NotAnOpenSlot):
        services.book(users["coordinator"], case, start)


def test_earliest_free_slots_answers_for_many_specialists_in_three_queries(app, session, users):
    from datetime import date

    people = [factories.ClinicianFactory() for _ in range(12)]
    for person in people[:10]:
        factories.open_every_day(person)
    statements = []
    listener = lambda *args: statements.append(args[2])  # noqa: E731
    sa.event.listen(session.get_bind(), "before_cursor_execute", listener)
    try:
        today = date.today()
        found = availability.earliest_free_slots([p.id for p in people], today, today + timedelta(days=30))
    finally:
        sa.event.remove(session.get_bind(), "before_cursor_execute", listener)
    assert len(statements) == 3
    assert all(found[p.id] is not None for p in people[:10]) and found[people[10].id] is None


def test_the_patients_invite_mail_says_what_to_prepare_for_their_kind_of_visit_as_a_list(
        matched_case, next_slot, users, session):
    """The checklist was a <pre> block (980 px wide on a phone) telling a video patient to bring a photo ID."""
    case = matched_case()
    specialist = services.accepted_assignment(case).specialist
    appointment = services.book(users["coordinator"], case, next_slot(specialist))
    patient = next(m for m in invites_of(session, case) if m.recipient == case.patient.email)
    assert "<pre>" not in patient.html_body
    listed = [item.strip() for item in re.findall(r"<li[^>]*>(.*?)</li>", patient.html_body, re.S)]
    if appointment.modality == "video":
        assert "Open the link a few minutes early." in listed
        assert "photo ID" not in patient.html_body + patient.text_body
    else:
        assert "Bring a photo ID and your insurance card." in listed
    assert f"The specialist has the {len(case.questions)} questions you sent." in patient.text_body
