"""Scheduling's places in earlier stages: the case page's panel, the work queue's flags and the
matching engine's earliest free slots (scheduling's init_app adds them); and the appointment page's
sections that later stages add (add_appointment_section)."""
from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import sqlalchemy as sa
from flask import Flask
from sqlalchemy.orm import selectinload

from clinic.cases.models import Case
from clinic.cases.workflow import CaseStatus
from clinic.database import utcnow
from clinic.scheduling import services
from clinic.scheduling.models import ACTIVE, Appointment
from clinic.wiring import wiring

SOON = timedelta(hours=48)


def appointments() -> list:
    return [selectinload(Case.appointments)]


def panel_context(case: Case, actor) -> dict:
    active = services.active_appointment(case)
    assignment = services.accepted_assignment(case)
    return {
        "appointment": active or services.latest_appointment(case),
        "specialist": assignment.specialist if assignment else None,
        "can_book": case.status == CaseStatus.MATCHED and assignment is not None and active is None,
        "stale_booking": active is not None and not case.is_open,
    }


# Gathered from the booked appointments (the partial index of active bookings): there are only as
# many as the consultations in progress, whatever the clinic's history.
def consult_soon() -> sa.ColumnElement[bool]:
    now = utcnow()
    return Case.id.in_(sa.select(Appointment.case_id).where(Appointment.status == ACTIVE,
                                                            Appointment.start.between(now, now + SOON)))


def consult_unclosed() -> sa.ColumnElement[bool]:
    return Case.id.in_(sa.select(Appointment.case_id).where(Appointment.status == ACTIVE,
                                                            Appointment.end < utcnow()))


def earliest_slots(specialist_ids, day, window_days: int) -> dict:
    """For the matching engine's ranking: each candidate's earliest free slot inside the urgency window."""
    from clinic.scheduling.availability import earliest_free_slots

    found = earliest_free_slots(specialist_ids, day, day + timedelta(days=window_days))
    return {sid: slot.start for sid, slot in found.items() if slot is not None}


def add_appointment_section(app: Flask, name: str, order: int, template: str,
                            context: Callable[[Appointment], dict]) -> None:
    """A section of the appointment page from a later stage (the attendees' answers to the invite)."""
    wiring(app).appointment_sections[name] = (order, template, context)


def appointment_sections(appointment: Appointment) -> list[tuple[str, dict]]:
    return [(template, context(appointment))
            for _, template, context in sorted(wiring().appointment_sections.values(), key=lambda s: s[0])]
