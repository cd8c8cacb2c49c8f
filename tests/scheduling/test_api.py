"""API v1 scheduling: slots, booking, moving, cancelling, marking held; JSON errors, never a 500."""
from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest

from clinic.scheduling import services
from tests import factories


@pytest.fixture
def api(app, bearer):
    headers = bearer("coordinator")
    client = app.test_client()

    def call(method, url, body=None, **kwargs):
        return client.open(url, method=method, json=body, headers=headers, **kwargs)
    return call


def test_free_slots_of_a_specialist_in_utc_and_local_time(api):
    specialist = factories.ClinicianFactory(timezone="America/New_York")
    factories.open_every_day(specialist, modality="in_person")
    monday = date(2031, 1, 6)
    response = api("GET", f"/api/v1/specialists/{specialist.npi}/slots?from={monday}&to={monday}")
    assert response.status_code == 200
    first = response.json[0]
    assert first == {"start": "2031-01-06T14:00:00+00:00", "local_start": "2031-01-06T09:00:00-05:00",
                     "end": "2031-01-06T15:00:00+00:00", "timezone": "America/New_York",
                     "modality": "in_person", "location": "https://video.example/room/1"}
    assert len(response.json) == 8


@pytest.mark.parametrize("query, field", [
    ("from=2031-02-30", "from"), ("from=yesterday", "from"), ("to=31-01-2031", "to"),
    ("from=2031-01-10&to=2031-01-01", "to"), ("from=2031-01-01&to=2032-01-01", "to"),
])
def test_bad_slot_ranges_name_the_field(api, query, field):
    specialist = factories.ClinicianFactory()
    response = api("GET", f"/api/v1/specialists/{specialist.npi}/slots?{query}")
    assert response.status_code == 422 and field in response.json["fields"]


def test_slots_of_an_unknown_npi_are_a_404(api):
    assert api("GET", "/api/v1/specialists/0000000000/slots").status_code == 404
    assert api("GET", "/api/v1/specialists/' OR 1=1 --/slots").status_code == 404


def test_booking_moving_and_cancelling_through_the_api(api, matched_case, next_slot):
    case = matched_case()
    specialist = services.accepted_assignment(case).specialist
    start = next_slot(specialist)
    response = api("POST", f"/api/v1/requests/{case.id}/appointment",
                   {"npi": specialist.npi, "start": start.isoformat().replace("+00:00", "Z")})
    assert response.status_code == 201
    booked = response.json
    assert (booked["start"], booked["sequence"], booked["status"]) == (start.isoformat(), 0, "booked")
    assert set(booked) >= {"id", "start", "end", "ical_uid", "sequence"}

    document = api("GET", f"/api/v1/requests/{case.id}").json
    assert document["status"] == "scheduled" and document["appointment"]["ical_uid"] == booked["ical_uid"]

    later = next_slot(specialist, 2)
    moved = api("PATCH", f"/api/v1/appointments/{booked['id']}", {"start": later.isoformat()})
    assert moved.status_code == 200
    assert (moved.json["start"], moved.json["sequence"], moved.json["ical_uid"]) == \
        (later.isoformat(), 1, booked["ical_uid"])

    cancelled = api("DELETE", f"/api/v1/appointments/{booked['id']}", {"reason": "Patient asked to cancel."})
    assert cancelled.status_code == 200 and cancelled.json["status"] == "cancelled"
    assert api("GET", f"/api/v1/requests/{case.id}").json["status"] == "matched"


def test_a_taken_slot_or_a_case_not_ready_is_a_409(api, matched_case, next_slot, new_case):
    first = matched_case()
    specialist = services.accepted_assignment(first).specialist
    body = {"npi": specialist.npi, "start": next_slot(specialist).isoformat()}
    assert api("POST", f"/api/v1/requests/{first.id}/appointment", body).status_code == 201
    second = matched_case(specialist)
    taken = api("POST", f"/api/v1/requests/{second.id}/appointment", body)
    assert taken.status_code == 409 and "just taken" in taken.json["error"]
    assert api("POST", f"/api/v1/requests/{first.id}/appointment",
               {"npi": specialist.npi, "start": next_slot(specialist, 3).isoformat()}).status_code == 409
    not_ready = api("POST", f"/api/v1/requests/{new_case().id}/appointment", body)
    assert not_ready.status_code == 409 and "matched" in not_ready.json["error"]


@pytest.mark.parametrize("body, field", [
    ({}, "npi"), ({"npi": "123", "start": "2031-01-06T14:00:00Z"}, "npi"),
    ({"npi": "1234567893", "start": "2031-01-06T14:00:00"}, "start"),  # no zone
    ({"npi": "1234567893", "start": "soon"}, "start"), ({"npi": "1234567893", "start": 17}, "start"),
    ({"npi": "1234567893", "start": "2031-01-06T14:00:00Z", "room": 4}, "room"),
])
def test_malformed_booking_bodies_name_the_field(api, matched_case, body, field):
    case = matched_case()
    response = api("POST", f"/api/v1/requests/{case.id}/appointment", body)
    assert response.status_code == 422 and field in response.json["fields"], response.json


def test_a_time_outside_the_open_slots_is_a_422_on_start(api, matched_case, next_slot):
    case = matched_case()
    specialist = services.accepted_assignment(case).specialist
    odd = next_slot(specialist) + timedelta(minutes=7)
    response = api("POST", f"/api/v1/requests/{case.id}/appointment", {"npi": specialist.npi, "start": odd.isoformat()})
    assert response.status_code == 422 and "start" in response.json["fields"]


def test_booking_another_specialist_than_the_accepted_one_is_refused(api, matched_case, next_slot):
    case = matched_case()
    other = factories.ClinicianFactory()
    factories.open_every_day(other)
    response = api("POST", f"/api/v1/requests/{case.id}/appointment",
                   {"npi": other.npi, "start": next_slot(other).isoformat()})
    assert response.status_code == 409 and "accepted" in response.json["error"]


def test_cancel_needs_a_reason_and_complete_needs_a_started_consultation(api, matched_case, next_slot, users,
                                                                         session):
    case = matched_case()
    appointment = services.book(users["coordinator"], case, next_slot(services.accepted_assignment(case).specialist))
    assert api("DELETE", f"/api/v1/appointments/{appointment.id}", {}).status_code == 422
    assert api("DELETE", f"/api/v1/appointments/{appointment.id}", {"reason": "  "}).status_code == 422
    assert api("POST", f"/api/v1/appointments/{appointment.id}/complete").status_code == 409
    appointment.start -= timedelta(days=10)
    appointment.end -= timedelta(days=10)
    session.flush()
    held = api("POST", f"/api/v1/appointments/{appointment.id}/complete")
    assert held.status_code == 200 and held.json["status"] == "completed"
    assert api("GET", f"/api/v1/requests/{case.id}").json["status"] == "consulted"
    assert api("PATCH", f"/api/v1/appointments/{appointment.id}",
               {"start": datetime(2031, 1, 6, 14).isoformat() + "Z"}).status_code == 409


def test_unknown_appointments_are_a_json_404(api):
    for method in ("PATCH", "DELETE"):
        response = api(method, "/api/v1/appointments/999999", {"start": "2031-01-06T14:00:00Z", "reason": "x"}
                       if method == "PATCH" else {"reason": "x"})
        assert response.status_code in (404, 422) and response.is_json
    assert api("POST", "/api/v1/appointments/999999/complete").status_code == 404


def test_a_case_without_appointment_shows_none_in_its_document(api, new_case):
    assert api("GET", f"/api/v1/requests/{new_case().id}").json["appointment"] is None
