"""A booked consultation and replies to its invite, as each client would send them."""
from __future__ import annotations

import pytest

from clinic.scheduling import services as scheduling
from tests.inbox.replies import build


@pytest.fixture
def booked(app, users, matched_case, next_slot):
    """booked(**intake_changes): a consultation booked by the coordinator (invites sent, SEQUENCE 0)."""
    def make(**changes):
        case = matched_case(**changes)
        specialist = scheduling.accepted_assignment(case).specialist
        return scheduling.book(users["coordinator"], case, next_slot(specialist))
    return make


def reply_for(appointment, shape: str = "gmail", role: str = "patient", **changes) -> bytes:
    """A reply to `appointment`'s current invite from its patient or specialist (`changes` override)."""
    person = appointment.case.patient if role == "patient" else appointment.specialist
    values = dict(uid=appointment.ical_uid, sequence=appointment.ical_sequence, attendee=person.email,
                  attendee_name=person.name, start=appointment.start, end=appointment.end,
                  specialist_name=appointment.specialist.name, reference=appointment.case.reference)
    return build(shape, **(values | changes))


@pytest.fixture
def reply():
    return reply_for
