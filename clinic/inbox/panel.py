"""The inbox's places in earlier stages: the case page's panel (answers and proposed times), the
appointment page's answers, and the work queue's two flags (inbox's init_app adds them)."""
from __future__ import annotations

import sqlalchemy as sa

from clinic.cases.models import Case
from clinic.extensions import db
from clinic.formkit import FlaskForm
from clinic.inbox.models import Answer, AttendeeResponse, AttendeeRole, CounterProposal, CounterStatus
from clinic.scheduling import services as scheduling
from clinic.scheduling.models import ACTIVE, Appointment


class DecisionForm(FlaskForm):
    """The CSRF token of a proposal's Accept or Decline button."""


def answers(appointment: Appointment) -> list[dict]:
    """Each attendee's participation: their current answer, and whether it answers the invite as it
    stands (an answer to an earlier version says nothing of the time now booked)."""
    found = {r.role: r for r in db.session.scalars(sa.select(AttendeeResponse).where(
        AttendeeResponse.appointment_id == appointment.id, AttendeeResponse.is_current.is_(True)))}
    rows = []
    for role in AttendeeRole:
        response = found.get(role)
        rows.append({"role": role, "response": response,
                     "current": response is not None and response.sequence == appointment.ical_sequence})
    return rows


def panel_context(case: Case, actor) -> dict:
    appointment = scheduling.active_appointment(case) or scheduling.latest_appointment(case)
    if appointment is None:
        return {"appointment": None}
    counters = list(db.session.scalars(sa.select(CounterProposal).where(
        CounterProposal.appointment_id == appointment.id, CounterProposal.status == CounterStatus.PENDING)
        .order_by(CounterProposal.id.desc())))
    return {"appointment": appointment, "answers": answers(appointment), "counters": counters,
            "form": DecisionForm()}


def appointment_section(appointment: Appointment) -> dict:
    return {"appointment": appointment, "answers": answers(appointment)}


# Both flags walk their own small index (current declines; pending proposals), then the appointments
# by primary key: as many rows as open questions, whatever the clinic's history.
def invite_declined() -> sa.ColumnElement[bool]:
    return Case.id.in_(
        sa.select(Appointment.case_id).join(AttendeeResponse, AttendeeResponse.appointment_id == Appointment.id)
        .where(AttendeeResponse.partstat == Answer.DECLINED, AttendeeResponse.is_current.is_(True),
               AttendeeResponse.sequence == Appointment.ical_sequence, Appointment.status == ACTIVE))


def time_proposed() -> sa.ColumnElement[bool]:
    return Case.id.in_(
        sa.select(Appointment.case_id).join(CounterProposal, CounterProposal.appointment_id == Appointment.id)
        .where(CounterProposal.status == CounterStatus.PENDING, Appointment.status == ACTIVE))
