"""Replies received and acted on (clinic.inbox.services), on both databases: answers recorded and
shown, a decline flagged for rebooking (never a cancellation), untrusted or unreadable mail kept
aside and never acted on, older versions recorded as such, proposed times accepted or declined."""
from __future__ import annotations

from datetime import timedelta

import icalendar
import pytest
import sqlalchemy as sa
import vobject
from ical.calendar_stream import IcsCalendarStream

from clinic.audit import AuditEvent
from clinic.cases.models import Case, TimelineEntry
from clinic.cases.queue import flags
from clinic.errors import DomainError
from clinic.inbox import itip, services
from clinic.inbox.models import AttendeeResponse, CounterProposal, InboundMessage
from clinic.mail.models import OutboxMessage
from clinic.scheduling import services as scheduling
from tests.inbox.conftest import reply_for


def flagged(session, name: str) -> set[int]:
    return set(session.scalars(sa.select(Case.id).where(flags()[name].condition())))


def notes(session, case) -> list[str]:
    return list(session.scalars(sa.select(TimelineEntry.note).where(TimelineEntry.case_id == case.id,
                                                                    TimelineEntry.kind == "inbox")
                                .order_by(TimelineEntry.id)))


def current(session, appointment) -> dict[str, tuple[str, int]]:
    rows = session.scalars(sa.select(AttendeeResponse).where(AttendeeResponse.appointment_id == appointment.id,
                                                            AttendeeResponse.is_current.is_(True)))
    return {r.role: (r.partstat, r.sequence) for r in rows}


@pytest.mark.parametrize("shape", ["gmail", "outlook", "apple"])
def test_a_patients_acceptance_is_applied_audited_and_written_on_the_timeline(booked, session, shape):
    appointment = booked()
    message = services.receive(reply_for(appointment, shape, partstat="ACCEPTED", attendee_name="Jane"))
    assert (message.outcome, message.reason, message.appointment_id) == ("applied", "", appointment.id)
    assert current(session, appointment) == {"patient": ("ACCEPTED", 0)}
    [note] = notes(session, appointment.case)
    assert note.startswith(f"The patient accepted the invite for {services.notices.when(appointment)}.")
    assert session.scalar(sa.select(sa.func.count()).select_from(AuditEvent).where(
        AuditEvent.entity == "attendee_response", AuditEvent.action == "create")) == 1
    assert appointment.case.id not in flagged(session, "invite_declined")


@pytest.mark.parametrize("role, shape", [("patient", "gmail"), ("specialist", "outlook")])
def test_a_decline_flags_the_case_for_rebooking_and_cancels_nothing(booked, session, role, shape):
    appointment = booked()
    services.receive(reply_for(appointment, shape, role=role, partstat="DECLINED", comment="I am away that week."))
    assert appointment.case.id in flagged(session, "invite_declined")
    assert flags()["invite_declined"].label == "Invite declined — rebook"
    assert appointment.status == "booked" and appointment.case.status == "scheduled"
    note = notes(session, appointment.case)[-1]
    assert note.startswith(f"The {role} declined the invite") and "rebook" in note
    assert "I am away that week." in note or shape == "gmail"


def test_the_same_message_twice_is_recorded_and_acted_on_once(booked, session):
    appointment = booked()
    raw = reply_for(appointment, partstat="DECLINED")
    first, second = services.receive(raw), services.receive(raw)
    assert first.id == second.id
    assert session.scalar(sa.select(sa.func.count()).select_from(InboundMessage)) == 1
    assert session.scalar(sa.select(sa.func.count()).select_from(AttendeeResponse)) == 1
    assert len(notes(session, appointment.case)) == 1


def test_sender_and_attendee_are_compared_without_case(booked, session):
    appointment = booked()
    raw = reply_for(appointment, "apple", attendee=appointment.case.patient.email.upper(),
                    sender=appointment.case.patient.email.title())
    assert services.receive(raw).outcome == "applied"


@pytest.mark.parametrize("changes, words", [
    (lambda a: {"sender": "someone.else@example.org"}, "is not the attendee"),
    (lambda a: {"attendee": "stranger@example.org", "sender": "stranger@example.org"}, "not an attendee"),
    (lambda a: {"uid": "unknown@elsewhere.example"}, "No consultation has this invite's UID"),
    (lambda a: {"sequence": a.ical_sequence + 1}, "suspicious"),
], ids=["forged sender", "not an attendee", "unknown uid", "a version never sent"])
def test_untrusted_replies_are_kept_aside_and_never_acted_on(booked, session, changes, words):
    appointment = booked()
    message = services.receive(reply_for(appointment, partstat="DECLINED", **changes(appointment)))
    assert message.outcome == "kept_aside" and words in message.reason
    assert current(session, appointment) == {} and notes(session, appointment.case) == []
    assert appointment.case.id not in flagged(session, "invite_declined")


def test_a_decline_of_an_older_version_is_recorded_as_stale_and_changes_nothing(booked, session, users, next_slot):
    appointment = booked()
    old = reply_for(appointment, partstat="DECLINED")  # written for version 0
    services.receive(reply_for(appointment, "outlook", partstat="ACCEPTED"))
    scheduling.reschedule(users["coordinator"], appointment, next_slot(appointment.specialist, 3))
    services.receive(reply_for(appointment, "apple", partstat="ACCEPTED"))  # version 1
    message = services.receive(old)
    assert message.outcome == "stale" and "version 0" in message.reason
    assert current(session, appointment) == {"patient": ("ACCEPTED", 1)}
    assert appointment.case.id not in flagged(session, "invite_declined")


def test_answers_to_one_version_are_ordered_by_their_stamp_not_their_arrival(booked, session):
    appointment = booked()
    later = reply_for(appointment, partstat="DECLINED", stamp=appointment.created_at + timedelta(hours=2))
    earlier = reply_for(appointment, "outlook", partstat="ACCEPTED", stamp=appointment.created_at + timedelta(hours=1))
    services.receive(later)
    assert services.receive(earlier).outcome == "stale"
    assert current(session, appointment) == {"patient": ("DECLINED", 0)}


def test_a_decline_stops_flagging_once_accepted_again_or_the_consultation_is_moved(booked, session, users, next_slot):
    appointment = booked()
    stamp = appointment.created_at
    services.receive(reply_for(appointment, partstat="DECLINED", stamp=stamp + timedelta(hours=1)))
    services.receive(reply_for(appointment, "outlook", partstat="ACCEPTED", stamp=stamp + timedelta(hours=2)))
    assert appointment.case.id not in flagged(session, "invite_declined")
    services.receive(reply_for(appointment, "apple", partstat="DECLINED", stamp=stamp + timedelta(hours=3)))
    assert appointment.case.id in flagged(session, "invite_declined")
    scheduling.reschedule(users["coordinator"], appointment, next_slot(appointment.specialist, 2))
    assert appointment.case.id not in flagged(session, "invite_declined")


def test_a_reply_to_a_cancelled_consultation_is_stale(booked, session, users):
    appointment = booked()
    raw = reply_for(appointment, partstat="DECLINED")
    scheduling.cancel(users["coordinator"], appointment, "The patient asked by phone.")
    assert services.receive(raw).outcome == "stale"


def test_mail_without_a_calendar_and_huge_mail_are_recorded_not_acted_on(booked, session):
    plain = services.receive(b"From: jane@example.org\r\nSubject: Thank you\r\n\r\nSee you on Tuesday.")
    assert (plain.outcome, plain.sender, plain.subject) == ("not_calendar", "jane@example.org", "Thank you")
    huge = services.receive(b"From: x@example.org\r\nSubject: Scan\r\n\r\n" + b"A" * itip.MAX_BYTES)
    assert huge.outcome == "kept_aside" and "too large" in huge.reason and huge.raw is None
    assert huge.size == itip.MAX_BYTES + 38


def _counter(appointment, shift_days: int = 1, **changes) -> bytes:
    start = appointment.start + timedelta(days=shift_days)
    return reply_for(appointment, "outlook_counter", proposed_start=start, proposed_end=start + timedelta(hours=1),
                     comment="Could we do the next day?", **changes)


def test_a_proposed_time_waits_for_the_coordinator_and_a_newer_one_supersedes_it(booked, session):
    appointment = booked()
    first = services.receive(_counter(appointment, 1))
    second = services.receive(_counter(appointment, 2))
    assert (first.outcome, second.outcome) == ("applied", "applied")
    counters = session.scalars(sa.select(CounterProposal).order_by(CounterProposal.id)).all()
    assert [c.status for c in counters] == ["superseded", "pending"]
    assert counters[1].start == appointment.start + timedelta(days=2) and counters[1].role == "patient"
    assert appointment.case.id in flagged(session, "time_proposed")
    assert "proposed a new time" in notes(session, appointment.case)[-1]


def test_accepting_a_proposed_time_reschedules_with_new_invites(booked, session, users):
    appointment = booked()
    services.receive(_counter(appointment))
    counter = session.scalars(sa.select(CounterProposal)).one()
    proposed = counter.start
    services.accept_counter(users["coordinator"], counter)
    assert (appointment.start, appointment.ical_sequence, counter.status) == (proposed, 1, "accepted")
    assert counter.decided_by_id == users["coordinator"].id
    requests = session.scalars(sa.select(OutboxMessage).where(OutboxMessage.ics_method == "REQUEST")).all()
    assert len(requests) == 4  # two at booking, two for the move
    assert appointment.case.id not in flagged(session, "time_proposed")
    with pytest.raises(DomainError, match="already been decided"):
        services.accept_counter(users["coordinator"], counter)


def test_a_proposed_time_that_is_no_open_slot_is_refused_and_nothing_changes(booked, session, users):
    appointment = booked()
    start = appointment.start.replace(hour=3)  # the night: no opening
    services.receive(reply_for(appointment, "outlook_counter", proposed_start=start,
                               proposed_end=start + timedelta(hours=1)))
    counter = session.scalars(sa.select(CounterProposal)).one()
    before = (appointment.start, appointment.ical_sequence)
    with pytest.raises(scheduling.NotAnOpenSlot, match="not one of the specialist's open slots"):
        services.accept_counter(users["coordinator"], counter)
    assert (appointment.start, appointment.ical_sequence, counter.status) == (*before, "pending")


def test_declining_a_proposed_time_sends_a_declinecounter_every_parser_reads(booked, session, users):
    appointment = booked(diagnosis_text="Glioblastoma multiforme", treatment_text="Craniotomy")
    services.receive(_counter(appointment, role="specialist"))
    counter = session.scalars(sa.select(CounterProposal)).one()
    services.decline_counter(users["coordinator"], counter)
    assert counter.status == "declined" and appointment.ical_sequence == 0 and appointment.status == "booked"
    mail = session.scalars(sa.select(OutboxMessage).where(OutboxMessage.ics_method == "DECLINECOUNTER")).one()
    assert mail.recipient == appointment.specialist.email
    for text in (mail.subject, mail.text_body, mail.html_body, mail.ics):
        assert "Glioblastoma" not in text and "Craniotomy" not in text
    assert "stays booked for" in mail.text_body
    event = icalendar.Calendar.from_ical(mail.ics).walk("VEVENT")[0]
    assert (str(event["uid"]), int(event["sequence"])) == (appointment.ical_uid, 0)
    assert str(event["attendee"]) == f"mailto:{appointment.specialist.email}"
    assert "DTSTART" not in event  # RFC 5546 3.2.8: a refusal carries no time
    assert icalendar.Calendar.from_ical(mail.ics)["method"] == "DECLINECOUNTER"
    assert IcsCalendarStream.calendar_from_ics(mail.ics).events[0].uid == appointment.ical_uid
    parsed = vobject.readOne(mail.ics)
    assert (parsed.method.value, parsed.vevent.uid.value, parsed.vevent.sequence.value) == \
        ("DECLINECOUNTER", appointment.ical_uid, "0")
    assert "was declined" in notes(session, appointment.case)[-1]
    assert session.scalar(sa.select(AuditEvent.detail).where(AuditEvent.entity == "counter_proposal",
                                                             AuditEvent.action == "update")) == "declined"
