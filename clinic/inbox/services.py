"""Replies acted on: a message received is matched to its appointment and applied, recorded as an
answer to an older version, or kept aside for an admin (never acted on); a proposed new time is
accepted (an ordinary reschedule) or declined (a DECLINECOUNTER to the proposer).

Matching follows RFC 5546 and RFC 6047 (section 3): the UID names the appointment; the message's
From address must be the ATTENDEE the answer speaks for (a forged From is the cheapest attack on
iMIP), and that address must be one of the appointment's attendees, the patient or the specialist.
SEQUENCE orders versions: an answer to an older version is kept as history and changes nothing; an
answer to a version the clinic never sent is suspicious and kept aside. Nothing is ever cancelled
or moved by a message alone: a decline raises a flag for the coordinator, a proposal waits for them.
"""
from __future__ import annotations

import hashlib
from datetime import datetime
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _

from clinic import audit, i18n
from clinic.cases import workflow
from clinic.database import utcnow
from clinic.errors import DomainError
from clinic.extensions import db
from clinic.inbox import itip
from clinic.inbox.models import (MAX_RAW, Answer, AttendeeResponse, AttendeeRole, CounterProposal, CounterStatus,
                                 InboundMessage, Outcome)
from clinic.mail.compose import render_mail
from clinic.mail.outbox import enqueue
from clinic.scheduling import invites, notices
from clinic.scheduling import services as scheduling
from clinic.scheduling.models import APPOINTMENT_LABELS, Appointment

ROLE_WORDS = {AttendeeRole.PATIENT: "The patient", AttendeeRole.SPECIALIST: "The specialist"}
ANSWER_WORDS = {Answer.ACCEPTED: "accepted", Answer.TENTATIVE: "tentatively accepted", Answer.DECLINED: "declined"}


class InboxError(DomainError):
    """A decision on a proposed time refused, worded for the coordinator."""


class _Settled(Exception):
    """How a matched message ends when it is not applied: its outcome and the reason in plain words."""

    def __init__(self, outcome: Outcome, reason: str):
        super().__init__(reason)
        self.outcome, self.reason = outcome, reason


def _aside(reason: str) -> _Settled:
    return _Settled(Outcome.KEPT_ASIDE, reason)


def digest(raw: bytes) -> str:
    return hashlib.sha256(raw).hexdigest()


def received(raw: bytes) -> InboundMessage | None:
    """The message with exactly these bytes, when it was received before."""
    return db.session.scalar(sa.select(InboundMessage).where(InboundMessage.sha256 == digest(raw)))


def receive(raw: bytes, actor=None) -> InboundMessage:
    """Record one message and act on it when it is a reply the clinic can trust. A message received
    before (the same bytes) is returned as it was, not acted on again. Flushes; the caller commits."""
    sha256 = digest(raw)
    known = db.session.scalar(sa.select(InboundMessage).where(InboundMessage.sha256 == sha256))
    if known is not None:
        return known
    envelope = itip.envelope(raw)
    message = InboundMessage(sha256=sha256, size=len(raw), raw=raw if len(raw) <= MAX_RAW else None,
                             message_id=envelope.message_id, sender=envelope.sender, subject=envelope.subject,
                             outcome=Outcome.KEPT_ASIDE, received_at=utcnow())
    try:  # the row first: the same message received twice at once, one of the two is refused here
        with db.session.begin_nested():
            db.session.add(message)
            db.session.flush()
    except sa.exc.IntegrityError:
        return received(raw)
    try:
        reply = itip.read(raw)
        message.method = reply.method
        _apply(actor, message, reply, envelope.sender)
        message.outcome = Outcome.APPLIED
    except itip.Unreadable as refusal:
        message.outcome = Outcome.KEPT_ASIDE if refusal.calendar else Outcome.NOT_CALENDAR
        message.reason = refusal.reason[:500]
    except _Settled as settled:
        message.outcome, message.reason = settled.outcome, settled.reason[:500]
    audit.record(actor, "create", "inbound_message", message.id, detail=f"outcome={message.outcome}")
    db.session.flush()
    return message


def _apply(actor, message: InboundMessage, reply: itip.Reply, sender: str) -> None:
    appointment = db.session.scalar(sa.select(Appointment).where(Appointment.ical_uid == reply.uid))
    if appointment is None:
        raise _aside("No consultation has this invite's UID.")
    message.appointment_id = appointment.id
    if not sender:
        raise _aside("The message has no single sender address (From).")
    speaker = next((a for a in reply.attendees if a.address.casefold() == sender.casefold()), None)
    if speaker is None or (reply.method == "REPLY" and reply.attendee is not speaker):
        raise _aside(f"The sender {sender} is not the attendee the {reply.method} speaks for "
                     f"({', '.join(a.address for a in reply.attendees[:3])}).")
    role = role_of(appointment, sender)
    if role is None:
        raise _aside(f"The sender {sender} is not an attendee of this consultation.")
    if reply.sequence > appointment.ical_sequence:
        raise _aside(f"The answer is for version {reply.sequence} of the invite, but the clinic has sent only up "
                     f"to version {appointment.ical_sequence}: kept aside as suspicious.")
    if reply.sequence < appointment.ical_sequence:
        raise _Settled(Outcome.STALE, f"The answer is for version {reply.sequence} of the invite; the consultation "
                                      f"has changed since (version {appointment.ical_sequence}).")
    if not appointment.is_active:
        raise _Settled(Outcome.STALE, f"The consultation is no longer booked "
                                      f"({APPOINTMENT_LABELS[appointment.status].lower()}).")
    if reply.method == "REPLY":
        _answer(actor, message, appointment, role, reply)
    else:
        _propose(actor, message, appointment, role, speaker, reply)


def role_of(appointment: Appointment, address: str) -> AttendeeRole | None:
    """Whose address it is on this appointment (case-insensitive, as mail addresses are in practice)."""
    address = address.casefold()
    if address == (appointment.case.patient.email or "").casefold():
        return AttendeeRole.PATIENT
    if appointment.specialist.email and address == appointment.specialist.email.casefold():
        return AttendeeRole.SPECIALIST
    return None


def current_answer(appointment_id: int, role: str) -> AttendeeResponse | None:
    return db.session.scalar(sa.select(AttendeeResponse).where(
        AttendeeResponse.appointment_id == appointment_id, AttendeeResponse.role == role,
        AttendeeResponse.is_current.is_(True)))


def _answer(actor, message: InboundMessage, appointment: Appointment, role: AttendeeRole, reply: itip.Reply) -> None:
    current = current_answer(appointment.id, role)
    if current is not None and current.sequence == reply.sequence and current.stamp and reply.stamp \
            and reply.stamp < current.stamp:
        # RFC 5546 2.1.5: answers to one version are ordered by DTSTAMP, whatever their arrival.
        raise _Settled(Outcome.STALE, "A later answer of this attendee to the same version was already received.")
    if current is not None:
        current.is_current = False
        db.session.flush()  # one current answer per attendee: the database's unique index checks it
    answer = Answer(reply.attendee.partstat)
    response = AttendeeResponse(appointment_id=appointment.id, role=role, address=reply.attendee.address,
                                partstat=answer, sequence=reply.sequence, stamp=reply.stamp,
                                received_at=message.received_at, inbound_message_id=message.id)
    db.session.add(response)
    db.session.flush()
    audit.record(actor, "create", "attendee_response", response.id,
                 detail=f"appointment={appointment.id} {role} {answer}")
    text = f"{ROLE_WORDS[role]} {ANSWER_WORDS[answer]} the invite for {notices.when(appointment)}"
    text += ": rebook the consultation (nothing was cancelled)." if answer == Answer.DECLINED else "."
    workflow.note(actor, appointment.case, "inbox", text + _their_comment(reply.comment))


def _propose(actor, message: InboundMessage, appointment: Appointment, role: AttendeeRole,
             proposer: itip.Attendee, reply: itip.Reply) -> None:
    end = reply.end or reply.start + (appointment.end - appointment.start)
    for older in pending_counters(appointment.id):
        older.status = CounterStatus.SUPERSEDED
    counter = CounterProposal(appointment_id=appointment.id, role=role, proposer=proposer.address,
                              proposer_name=proposer.name, start=reply.start, end=end, sequence=reply.sequence,
                              comment=reply.comment, received_at=message.received_at, inbound_message_id=message.id)
    db.session.add(counter)
    db.session.flush()
    audit.record(actor, "create", "counter_proposal", counter.id, detail=f"appointment={appointment.id} {role}")
    workflow.note(actor, appointment.case, "inbox",
                  f"{ROLE_WORDS[role]} proposed a new time, {when(reply.start, appointment.timezone)}, instead of "
                  f"{notices.when(appointment)}: accept or decline it on this page." + _their_comment(reply.comment))


def _their_comment(comment: str) -> str:
    return f' Their comment: "{comment[:300]}"' if comment else ""


def when(moment: datetime, zone: str) -> str:
    """"Tue 10 Mar 2026, 09:00 EDT": an instant on a named zone's clock (as notices.when)."""
    local = moment.astimezone(ZoneInfo(zone))
    return f"{local:%a %d %b %Y, %H:%M} {local.tzname()}"


def pending_counters(appointment_id: int) -> list[CounterProposal]:
    return list(db.session.scalars(sa.select(CounterProposal).where(
        CounterProposal.appointment_id == appointment_id, CounterProposal.status == CounterStatus.PENDING)
        .order_by(CounterProposal.id)))


def _pending(counter: CounterProposal) -> Appointment:
    if counter.status != CounterStatus.PENDING:
        raise InboxError("This proposal has already been decided or replaced by a newer one.")
    return counter.appointment


def _decided(actor, counter: CounterProposal, status: CounterStatus) -> None:
    counter.status, counter.decided_by_id, counter.decided_at = status, getattr(actor, "id", None), utcnow()
    audit.record(actor, "update", "counter_proposal", counter.id, detail=f"{status}")


def accept_counter(actor, counter: CounterProposal) -> Appointment:
    """Move the consultation to the proposed time: an ordinary reschedule (the time must be one of the
    specialist's open slots; SEQUENCE + 1 and a new REQUEST to everyone). Refused, nothing changes."""
    appointment = _pending(counter)
    if not appointment.is_active:
        raise InboxError("The consultation is no longer booked: book a new one from the case, or decline the proposal.")
    if counter.sequence != appointment.ical_sequence:
        raise InboxError("The consultation has changed since this time was proposed: decline the proposal, "
                         "or pick a time from the specialist's open slots.")
    scheduling.reschedule(actor, appointment, counter.start)
    _decided(actor, counter, CounterStatus.ACCEPTED)
    for other in pending_counters(appointment.id):
        if other.id != counter.id:
            other.status = CounterStatus.SUPERSEDED
    workflow.note(actor, appointment.case, "inbox", f"{ROLE_WORDS[AttendeeRole(counter.role)]}'s proposed time "
                                                    "was accepted.")
    db.session.flush()
    return appointment


def decline_counter(actor, counter: CounterProposal) -> CounterProposal:
    """Keep the booked time: the proposer gets a DECLINECOUNTER (RFC 5546 3.2.8) and a short mail."""
    appointment = _pending(counter)
    case = appointment.case
    workflow.claim(case)
    _decided(actor, counter, CounterStatus.DECLINED)
    for_patient = counter.role == AttendeeRole.PATIENT
    zone = case.patient.timezone if for_patient else (appointment.specialist.timezone or appointment.timezone)
    with i18n.patient_language(case) if for_patient else i18n.staff_language():
        invite = notices.invite_for(appointment, zone)
        ics = invites.decline_counter(invite, invites.Person(counter.proposer_name, counter.proposer), utcnow(),
                                      comment=_("The clinic keeps the consultation at the time booked."))
        context = dict(for_patient=for_patient, person=case.patient.name if for_patient else appointment.specialist.name,
                       proposed=when(counter.start, zone), booked=when(appointment.start, zone),
                       still_booked=appointment.is_active, reference=case.reference,
                       clinic_name=current_app.config["CLINIC_NAME"])
        text, html = render_mail("counter_declined", **context)
        subject = _("Your proposed time for the consultation") if for_patient else \
            _("Proposed time for consultation %(reference)s", reference=case.reference)
        enqueue(counter.proposer, subject, text, html, ics=ics, ics_method="DECLINECOUNTER", case_id=case.id)
    workflow.note(actor, case, "inbox", f"{ROLE_WORDS[AttendeeRole(counter.role)]}'s proposed time, "
                                        f"{when(counter.start, appointment.timezone)}, was declined; they were told "
                                        "the consultation stays as booked.")
    db.session.flush()
    return counter
