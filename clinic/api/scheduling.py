"""Scheduling in the API: free slots, booking, rescheduling, cancelling, marking held."""
from __future__ import annotations

from datetime import timedelta
from typing import Annotated

import sqlalchemy as sa
from flask import jsonify, request
from flask_login import current_user
from pydantic import StringConstraints

from clinic.api.blueprint import bp, parse
from clinic.api.errors import ApiError
from clinic.api.schemas import Instant, Strict
from clinic.api.serializers import appointment_document
from clinic.auth.access import COORDINATOR, deny, roles_required
from clinic.cases.models import Case
from clinic.directory.models import Clinician
from clinic.extensions import db
from clinic.formkit import DAY_MESSAGE
from clinic.scheduling import availability, services
from clinic.scheduling.models import Appointment
from clinic.scheduling.picker import parse_day

DEFAULT_DAYS = 14
Npi = Annotated[str, StringConstraints(strip_whitespace=True, pattern=r"^\d{10}$")]
Reason = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500)]


class BookingIn(Strict):
    npi: Npi
    start: Instant


class MoveIn(Strict):
    start: Instant


class CancelIn(Strict):
    multi_line = frozenset({"reason"})
    reason: Reason


def _specialist(npi: str) -> Clinician:
    found = db.session.scalar(sa.select(Clinician).where(Clinician.npi == npi, Clinician.kind == "specialist"))
    return found or deny("clinician", npi)


def _appointment(appointment_id: int) -> Appointment:
    return db.session.get(Appointment, appointment_id) or deny("appointment", appointment_id)


def _booked(appointment: Appointment, status: int = 200):
    response = jsonify(appointment_document(appointment))
    response.status_code = status
    return response


@bp.get("/specialists/<npi>/slots")
@roles_required(COORDINATOR)
def specialist_slots(npi: str):
    specialist = _specialist(npi)
    today = availability.local_today(specialist.timezone)
    first, last = parse_day(request.args.get("from")), parse_day(request.args.get("to"))
    fields = {name: [DAY_MESSAGE] for name in ("from", "to")
              if request.args.get(name) and (first if name == "from" else last) is None}
    first = first or today
    last = last or first + timedelta(days=DEFAULT_DAYS)
    if not fields and last < first:
        fields["to"] = ["Use a date on or after 'from'."]
    if not fields and (last - first).days > availability.MAX_RANGE_DAYS:
        fields["to"] = [f"Ask for at most {availability.MAX_RANGE_DAYS} days at a time."]
    if fields:
        raise ApiError(422, "Some fields are missing or invalid.", fields)
    found = availability.free_slots(specialist.id, first, last)
    return jsonify([{"start": s.start.isoformat(), "local_start": s.local_start.isoformat(),
                     "end": s.end.isoformat(), "timezone": s.timezone, "modality": s.modality,
                     "location": s.location} for s in found])


@bp.post("/requests/<id:case_id>/appointment")
@roles_required(COORDINATOR)
def book(case_id: int):
    services.write_lock()
    case = db.session.get(Case, case_id) or deny("case", case_id)
    body = parse(BookingIn)
    specialist = _specialist(body.npi)
    appointment = services.book(current_user, case, body.start, specialist.id)
    db.session.commit()
    return _booked(appointment, 201)


@bp.patch("/appointments/<id:appointment_id>")
@roles_required(COORDINATOR)
def move(appointment_id: int):
    services.write_lock()
    appointment = _appointment(appointment_id)
    body = parse(MoveIn)
    services.reschedule(current_user, appointment, body.start)
    db.session.commit()
    return _booked(appointment)


@bp.delete("/appointments/<id:appointment_id>")
@roles_required(COORDINATOR)
def cancel(appointment_id: int):
    services.write_lock()
    appointment = _appointment(appointment_id)
    body = parse(CancelIn)
    services.cancel(current_user, appointment, body.reason)
    db.session.commit()
    return _booked(appointment)


@bp.post("/appointments/<id:appointment_id>/complete")
@roles_required(COORDINATOR)
def complete(appointment_id: int):
    services.write_lock()
    appointment = _appointment(appointment_id)
    services.complete(current_user, appointment)
    db.session.commit()
    return _booked(appointment)
