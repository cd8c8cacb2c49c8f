"""Booking, rescheduling, cancelling and closing appointments; the workflow guards they satisfy.

A double booking is made impossible by the database, not only by the check
here: a unique index on (specialist, start) for active appointments on both
backends and, on PostgreSQL, an exclusion constraint on overlapping times. The
check gives the usual refusal a clear sentence; the constraint settles a race,
and the loser gets the same sentence (SlotTaken), never a 500. On SQLite the
view runs the booking in a BEGIN IMMEDIATE transaction (write_lock), so two
bookings' checks cannot interleave at all.
"""
from __future__ import annotations

import uuid
from datetime import datetime, timezone

import sqlalchemy as sa

from clinic import audit
from clinic.cases import workflow
from clinic.cases.models import Case
from clinic.cases.workflow import CaseStatus
from clinic.database import begin_write, is_loaded, utcnow
from clinic.errors import DomainError
from clinic.extensions import db
from clinic.matching.models import Assignment, AssignmentStatus
from clinic.matching.services import case_assignments
from clinic.scheduling import availability, notices
from clinic.scheduling.models import ACTIVE, Appointment, AppointmentStatus


class SchedulingError(DomainError):
    """A booking refused for a reason the user can act on."""


class NotAnOpenSlot(SchedulingError):
    """The time asked for is not one of the specialist's free slots (outside the rules, past, a day off)."""

    status = 422

    def __init__(self, message: str):
        super().__init__(message, field="start")


class SlotTaken(SchedulingError):
    """Someone else booked the slot (or an overlapping time) first."""

    def __init__(self, message: str = "That slot was just taken by another booking. Pick another time."):
        super().__init__(message)


def write_lock() -> None:
    """SQLite: run the booking in a BEGIN IMMEDIATE transaction, so the overlap check and the insert
    of two bookings cannot interleave. Call it first in a view, before the booking reads anything."""
    begin_write(db.session())


def accepted_assignment(case: Case) -> Assignment | None:
    return next((a for a in case_assignments(case) if a.status == AssignmentStatus.ACCEPTED), None)


def case_appointments(case: Case) -> list[Appointment]:
    """The case's appointments, oldest first: from memory when the page loaded them with the case
    (the work queue and the case page do), else from the database."""
    if is_loaded(case, "appointments"):
        return list(case.appointments)
    return list(db.session.scalars(sa.select(Appointment).where(Appointment.case_id == case.id)
                                   .order_by(Appointment.id)))


def active_appointment(case: Case) -> Appointment | None:
    return next((a for a in case_appointments(case) if a.status == ACTIVE), None)


def latest_appointment(case: Case) -> Appointment | None:
    return next(reversed(case_appointments(case)), None)


def booked(case: Case) -> list[str]:
    return [] if active_appointment(case) else ["The consultation to be booked with the accepted specialist"]


def held(case: Case) -> list[str]:
    held = any(a.status == AppointmentStatus.COMPLETED for a in case_appointments(case))
    return [] if held else ["The consultation to take place and be marked as held"]


def _as_utc(start: datetime) -> datetime:
    if start.tzinfo is None:
        raise SchedulingError("Give the start with its time zone (UTC, ending in Z).")
    return start.astimezone(timezone.utc)


def _slot_for(specialist_id: int, start: datetime, ignore: int | None = None):
    slot = availability.find_free_slot(specialist_id, start, ignore_appointment=ignore)
    if slot is None:
        booked = db.session.scalar(sa.select(Appointment.id).where(
            Appointment.specialist_id == specialist_id, Appointment.status == ACTIVE,
            Appointment.start <= start, Appointment.end > start, Appointment.id != (ignore or 0)))
        if booked:
            raise SlotTaken()
        raise NotAnOpenSlot("That time is not one of the specialist's open slots. Pick a slot from the list.")
    return slot


def _save(appointment: Appointment) -> None:
    """Flush inside a savepoint so a constraint refusal leaves the rest of the transaction usable."""
    try:
        with db.session.begin_nested():
            db.session.add(appointment)
            db.session.flush()
    except sa.exc.IntegrityError as error:
        if "uq_appointments_active_case" in str(error.orig) or "appointments.case_id" in str(error.orig):
            raise SchedulingError("This case already has a booked appointment; reschedule it instead.") from None
        raise SlotTaken() from None


def book(actor, case: Case, start: datetime, specialist_id: int | None = None) -> Appointment:
    """Book the case's accepted specialist at a free slot; invites go to the outbox in this transaction."""
    if case.status != CaseStatus.MATCHED:
        raise SchedulingError("Only a matched case can be booked: a specialist must accept it first."
                              if case.status in (CaseStatus.RECORDS_PENDING, CaseStatus.READY_TO_MATCH) else
                              "This case is not waiting for a booking.")
    assignment = accepted_assignment(case)
    if assignment is None:
        raise SchedulingError("The case has no accepted specialist to book.")
    if specialist_id is not None and specialist_id != assignment.specialist_id:
        raise SchedulingError("Book the specialist who accepted the case.")
    workflow.claim(case)
    if active_appointment(case):
        raise SchedulingError("This case already has a booked appointment; reschedule it instead.")
    slot = _slot_for(assignment.specialist_id, _as_utc(start))
    appointment = Appointment(case_id=case.id, specialist_id=assignment.specialist_id, start=slot.start,
                              end=slot.end, timezone=slot.timezone, modality=slot.modality,
                              location=slot.location, ical_uid=f"{uuid.uuid4()}@second-opinion",
                              booked_by_id=getattr(actor, "id", None), invited_at=utcnow())
    _save(appointment)
    db.session.expire(case, ["appointments"])  # read again with the new one by the guard below
    audit.record(actor, "create", "appointment", appointment.id, detail=f"case={case.id}")
    workflow.note(actor, case, "scheduling", f"Consultation booked for {notices.when(appointment)}.")
    workflow.advance(actor, case)
    notices.send_invites(appointment)
    db.session.flush()
    return appointment


def _require_active(appointment: Appointment) -> None:
    """Every change of a booked appointment starts here: it claims the case (workflow.claim)."""
    if not appointment.is_active:
        raise SchedulingError("This appointment is no longer booked; book a new one from the case.")
    workflow.claim(appointment.case)


def reschedule(actor, appointment: Appointment, start: datetime) -> Appointment:
    """Move the appointment to another free slot: same UID, SEQUENCE + 1, a new REQUEST to everyone."""
    _require_active(appointment)
    start = _as_utc(start)
    if start == appointment.start:
        raise SchedulingError("The appointment is already at that time. Pick another slot.")
    slot = _slot_for(appointment.specialist_id, start, ignore=appointment.id)
    before, moved_from = notices.when(appointment), appointment.start
    appointment.start, appointment.end = slot.start, slot.end
    appointment.modality, appointment.location = slot.modality, slot.location
    appointment.ical_sequence += 1
    appointment.invited_at = utcnow()
    _save(appointment)
    audit.record(actor, "update", "appointment", appointment.id, detail=f"rescheduled seq={appointment.ical_sequence}")
    workflow.note(actor, appointment.case, "scheduling",
                  f"Consultation moved from {before} to {notices.when(appointment)}.")
    notices.send_invites(appointment, moved_from=moved_from)
    db.session.flush()
    return appointment


def cancel(actor, appointment: Appointment, reason: str) -> None:
    """Cancel with a reason: a CANCEL to everyone, and the case goes back to matched for a new booking."""
    _require_active(appointment)
    reason = (reason or "").strip()
    if not reason:
        raise SchedulingError("Give a reason for cancelling the appointment.")
    _close(actor, appointment, AppointmentStatus.CANCELLED, reason)
    notices.send_invites(appointment)
    if appointment.case.status == CaseStatus.SCHEDULED:  # an ended case stays ended
        workflow.transition(actor, appointment.case, CaseStatus.MATCHED, f"Appointment cancelled: {reason}")
    db.session.flush()


def mark_no_show(actor, appointment: Appointment, note: str = "") -> None:
    """The patient did not come: the slot is released and the case waits for a new booking."""
    _require_active(appointment)
    _require_started(appointment)
    reason = (note or "").strip() or "The patient did not attend."
    _close(actor, appointment, AppointmentStatus.NO_SHOW, reason)
    if appointment.case.status == CaseStatus.SCHEDULED:
        workflow.transition(actor, appointment.case, CaseStatus.MATCHED, f"No-show: {reason}")
    db.session.flush()


def complete(actor, appointment: Appointment) -> None:
    """The consultation took place: the case moves to consulted."""
    _require_active(appointment)
    _require_started(appointment)
    _close(actor, appointment, AppointmentStatus.COMPLETED, None)
    workflow.advance(actor, appointment.case)
    db.session.flush()


def _require_started(appointment: Appointment) -> None:
    if appointment.start > utcnow():
        raise SchedulingError("The consultation has not started yet; reschedule or cancel it instead.")


def _close(actor, appointment: Appointment, status: AppointmentStatus, reason: str | None) -> None:
    appointment.status = status
    appointment.status_reason = reason[:500] if reason else None
    if status == AppointmentStatus.CANCELLED:
        appointment.ical_sequence += 1  # iTIP: the cancellation outranks every earlier version
    db.session.flush()
    audit.record(actor, "update", "appointment", appointment.id, detail=f"status {status}")
    labels = {AppointmentStatus.CANCELLED: "cancelled", AppointmentStatus.COMPLETED: "held",
              AppointmentStatus.NO_SHOW: "missed (no-show)"}
    workflow.note(actor, appointment.case, "scheduling", f"Consultation of {notices.when(appointment)} "
                                                         f"{labels[status]}.")
