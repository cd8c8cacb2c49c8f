"""Days and instants at the calendar's edges (year 1, year 9999) are refused beside their field, never
a 500 (issue 14): each met arithmetic somewhere (two weeks after 9999-12-31, year 1 at +01:00 is
year 0 in UTC, the day after 9999-12-31) and raised OverflowError. One reader, formkit.read_day /
read_instant / calendar_day, bounds every day from outside to 1900-01-01..2200-12-31."""
from __future__ import annotations

import pytest
import sqlalchemy as sa

from clinic.formkit import DAY_MESSAGE, INSTANT_MESSAGE, OutOfCalendar, read_day, read_instant
from clinic.scheduling.models import Appointment
from tests import factories

EDGE_DAYS = ("0001-01-01", "9999-12-31", "1899-12-31", "2201-01-01")
EDGE_INSTANTS = ("0001-01-01T00:00:00+01:00", "9999-12-31T23:30:00-05:00", "9999-12-31T23:59:59+00:00",
                 "0001-01-01T00:00:00+00:00")


@pytest.mark.parametrize("text", EDGE_DAYS + ("2024-02-30", "20240101", "²⁰²⁴-01-01"))
def test_the_day_reader_refuses_days_outside_the_clinics_calendar(text):
    with pytest.raises(OutOfCalendar, match="between 1900-01-01 and 2200-12-31"):
        read_day(text)


@pytest.mark.parametrize("text", EDGE_INSTANTS + ("2031-01-06T09:00:00",))
def test_the_instant_reader_refuses_instants_outside_the_calendar_or_without_an_offset(text):
    with pytest.raises(OutOfCalendar):
        read_instant(text)


def test_the_readers_pass_an_ordinary_day_and_instant():
    assert str(read_day("2031-01-06")) == "2031-01-06"
    assert read_instant("2031-01-06T09:00:00-05:00").isoformat() == "2031-01-06T14:00:00+00:00"


@pytest.fixture
def api(app, bearer):
    headers, client = bearer("coordinator"), app.test_client()
    return lambda method, url, body=None: client.open(url, method=method, json=body, headers=headers)


@pytest.mark.parametrize("day", EDGE_DAYS)
@pytest.mark.parametrize("name", ["from", "to"])
def test_a_slot_search_at_the_calendars_edge_is_422_naming_the_field(api, day, name):
    specialist = factories.ClinicianFactory()
    factories.open_every_day(specialist, modality="in_person")
    response = api("GET", f"/api/v1/specialists/{specialist.npi}/slots?{name}={day}")
    assert response.status_code == 422 and response.json["fields"][name] == [DAY_MESSAGE]


@pytest.mark.parametrize("start", EDGE_INSTANTS)
def test_booking_and_moving_through_the_api_at_the_calendars_edge_is_422_naming_start(api, matched_case, next_slot,
                                                                                     session, start):
    case = matched_case()
    specialist = case.assignments[-1].specialist
    booked = api("POST", f"/api/v1/requests/{case.id}/appointment", {"npi": specialist.npi, "start": start})
    assert booked.status_code == 422 and booked.json["fields"]["start"] == [INSTANT_MESSAGE]
    good = api("POST", f"/api/v1/requests/{case.id}/appointment",
               {"npi": specialist.npi, "start": next_slot(specialist).isoformat()})
    assert good.status_code == 201
    moved = api("PATCH", f"/api/v1/appointments/{good.json['id']}", {"start": start})
    assert moved.status_code == 422 and moved.json["fields"]["start"] == [INSTANT_MESSAGE]


@pytest.mark.parametrize("start", EDGE_INSTANTS)
def test_booking_and_rescheduling_in_the_browser_at_the_calendars_edge_is_a_field_error(matched_case, next_slot,
                                                                                       client_as, session, start):
    case = matched_case()
    specialist = case.assignments[-1].specialist
    browser = client_as("coordinator")
    refused = browser.post(f"/cases/{case.id}/booking", data={"start": start})
    assert refused.status_code == 422 and "Pick one of the slots." in refused.get_data(as_text=True)
    browser.post(f"/cases/{case.id}/booking", data={"start": next_slot(specialist).isoformat()})
    appointment = session.scalars(sa.select(Appointment).where(Appointment.case_id == case.id)).one()
    moved = browser.post(f"/appointments/{appointment.id}/reschedule", data={"start": start})
    assert moved.status_code == 422 and "Pick one of the slots." in moved.get_data(as_text=True)


@pytest.mark.parametrize("day", EDGE_DAYS)
def test_pages_that_read_a_day_from_the_query_string_ignore_one_outside_the_calendar(client_as, matched_case, day):
    case = matched_case()
    assert client_as("coordinator").get(f"/cases/{case.id}/booking?from={day}").status_code == 200
    admin = client_as("admin")
    for query in (f"since={day}", f"until={day}", f"since={day}&until={day}"):
        assert admin.get(f"/admin/audit/?{query}").status_code == 200, query


@pytest.mark.parametrize("day", ("0001-01-01", "9999-12-31"))
def test_date_fields_of_forms_refuse_a_day_outside_the_calendar(client_as, users, session, day):
    person = factories.ClinicianFactory(kind="specialist")
    organization = factories.OrganizationFactory()
    session.flush()
    response = client_as("admin").post(f"/directory/clinicians/{person.id}/links/affiliations",
                                       data={"organization": organization.id, "start": day})
    assert response.status_code == 422 and DAY_MESSAGE in response.get_data(as_text=True)
    own = users["specialist"].clinician.id
    day_off = client_as("specialist").post(f"/availability/{own}/days-off", data={"day": day})
    assert day_off.status_code in (200, 422) and DAY_MESSAGE in day_off.get_data(as_text=True)


@pytest.mark.parametrize("day", ("0001-01-01", "9999-12-31"))
def test_the_roster_import_refuses_a_day_outside_the_calendar(day):
    from clinic.directory import rules

    with pytest.raises(ValueError, match="outside 1900-01-01 to 2200-12-31"):
        rules.iso_date(day)
