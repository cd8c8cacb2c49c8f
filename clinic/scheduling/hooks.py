"""Scheduling's places in earlier packages: the case page panel, work-queue flags and navigation."""
from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from clinic.auth.models import ADMIN, SPECIALIST
from clinic.cases.models import Case
from clinic.cases.queue import register_flag, register_load
from clinic.matching.facts import SLOT_SOURCES, register_slot_source
from clinic.database import utcnow
from clinic.scheduling import roster as _roster  # noqa: F401  (availability.csv joins the roster import)
from clinic.scheduling import services
from clinic.scheduling.models import ACTIVE, Appointment

SOON = timedelta(hours=48)


def appointments() -> list:
    return [selectinload(Case.appointments)]


def panel_context(case: Case, actor) -> dict:
    active = services.active_appointment(case)
    assignment = services.accepted_assignment(case)
    return {
        "appointment": active or services.latest_appointment(case),
        "specialist": assignment.specialist if assignment else None,
        "can_book": case.status == "matched" and assignment is not None and active is None,
        "stale_booking": active is not None and not case.is_open,
    }


# Gathered from the booked appointments (the partial index of active bookings): there are only as
# many as the consultations in progress, whatever the clinic's history.
def _consult_soon() -> sa.ColumnElement[bool]:
    now = utcnow()
    return Case.id.in_(sa.select(Appointment.case_id).where(Appointment.status == ACTIVE,
                                                            Appointment.start.between(now, now + SOON)))


def _consult_unclosed() -> sa.ColumnElement[bool]:
    return Case.id.in_(sa.select(Appointment.case_id).where(Appointment.status == ACTIVE,
                                                            Appointment.end < utcnow()))


def earliest_slots(specialist_ids, day, window_days: int) -> dict:
    """For the matching engine's ranking: each candidate's earliest free slot inside the urgency window."""
    from clinic.scheduling.availability import earliest_free_slots

    found = earliest_free_slots(specialist_ids, day, day + timedelta(days=window_days))
    return {sid: slot.start for sid, slot in found.items() if slot is not None}


def register() -> None:
    from clinic.web import NAVIGATION

    if earliest_slots not in SLOT_SOURCES:
        register_slot_source(earliest_slots)
    register_load(lambda: selectinload(Case.appointments))
    register_flag("consult_soon", "Consultation within 48 hours", _consult_soon)
    register_flag("consult_unclosed", "Consultation over, not marked held or no-show", _consult_unclosed)
    for role, entry in ((SPECIALIST, ("availability.mine", "My availability")),
                        (ADMIN, ("availability.index", "Availability")), (ADMIN, ("mail.outbox", "Mail outbox"))):
        if entry not in NAVIGATION[role]:
            NAVIGATION[role].append(entry)
