"""What a coordinator, a specialist and an admin do in the browser: book, move, cancel, edit availability, feeds."""
from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa
import vobject

from clinic.scheduling import feeds, services
from clinic.scheduling.models import Appointment, AvailabilityRule, DayOff
from tests import factories


def _specialist(case):
    return services.accepted_assignment(case).specialist


def test_the_case_page_offers_booking_once_matched(matched_case, client_as):
    case = matched_case()
    page = client_as("coordinator").get(f"/cases/{case.id}").get_data(as_text=True)
    assert "Book the consultation" in page and _specialist(case).name in page


def test_the_slot_picker_shows_the_patients_time_beside_the_specialists_when_they_differ(matched_case, client_as):
    specialist = factories.ClinicianFactory(timezone="America/Chicago")
    factories.open_every_day(specialist)
    case = matched_case(specialist, timezone="America/New_York")
    page = client_as("coordinator").get(f"/cases/{case.id}/booking").get_data(as_text=True)
    assert "09:00–10:00 C" in page and "patient 10:00–11:00 E" in page
    same = matched_case(timezone="America/New_York")
    assert "patient " not in client_as("coordinator").get(f"/cases/{same.id}/booking").get_data(as_text=True)


def test_a_coordinator_books_reschedules_and_cancels_in_the_browser(matched_case, next_slot, client_as, session):
    case = matched_case()
    specialist = _specialist(case)
    browser = client_as("coordinator")
    response = browser.post(f"/cases/{case.id}/booking", data={"start": next_slot(specialist).isoformat()})
    appointment = session.scalars(sa.select(Appointment).where(Appointment.case_id == case.id)).one()
    assert response.headers["Location"].endswith(f"/appointments/{appointment.id}")
    page = browser.get(response.headers["Location"]).get_data(as_text=True)
    assert "Booked for" in page and "Reschedule" in page and "Download .ics" in page

    new_start = next_slot(specialist, 2)
    response = browser.post(f"/appointments/{appointment.id}/reschedule", data={"start": new_start.isoformat()})
    assert response.status_code == 302
    session.refresh(appointment)
    assert (appointment.start, appointment.ical_sequence) == (new_start, 1)

    response = browser.post(f"/appointments/{appointment.id}/cancel", data={"reason": "Patient unwell."})
    session.refresh(appointment)
    session.refresh(case)
    assert (appointment.status, case.status) == ("cancelled", "matched")
    assert "back to matched" in browser.get(response.headers["Location"]).get_data(as_text=True)


def test_the_loser_of_a_race_for_a_slot_gets_a_clear_message_not_an_error(matched_case, next_slot, client_as):
    first = matched_case()
    specialist = _specialist(first)
    start = next_slot(specialist).isoformat()
    second = matched_case(specialist)
    browser = client_as("coordinator")
    assert browser.post(f"/cases/{first.id}/booking", data={"start": start}).status_code == 302
    response = browser.post(f"/cases/{second.id}/booking", data={"start": start})
    assert response.status_code == 409
    assert "That slot was just taken by another booking. Pick another time." in response.get_data(as_text=True)


def test_garbage_in_the_booking_form_is_a_message_beside_the_field(matched_case, client_as):
    case = matched_case()
    browser = client_as("coordinator")
    for value in ("", "tomorrow", "2026-13-45T99:00", "2030-01-07T14:00:00", "x" * 5000, "<script>"):
        response = browser.post(f"/cases/{case.id}/booking", data={"start": value})
        assert response.status_code in (409, 422), value
        assert "Pick one of the slots" in response.get_data(as_text=True) or \
            "not one of the specialist" in response.get_data(as_text=True)
    assert case.status == "matched"


def test_booking_a_case_that_is_not_matched_says_why(new_case, client_as):
    case = new_case()
    page = client_as("coordinator").get(f"/cases/{case.id}/booking").get_data(as_text=True)
    assert "no accepted specialist" in page


def test_absurd_dates_in_the_picker_address_are_ignored(matched_case, client_as):
    case = matched_case()
    for value in ("9999-12-31", "0001-01-01", "nonsense", "2026-02-30"):
        assert client_as("coordinator").get(f"/cases/{case.id}/booking?from={value}").status_code == 200


def test_held_and_no_show_are_offered_once_the_consultation_started(matched_case, next_slot, client_as, users,
                                                                   session):
    case = matched_case()
    appointment = services.book(users["coordinator"], case, next_slot(_specialist(case)))
    browser = client_as("coordinator")
    assert "Mark as held" not in browser.get(f"/appointments/{appointment.id}").get_data(as_text=True)
    appointment.start -= timedelta(days=20)
    appointment.end -= timedelta(days=20)
    session.flush()
    assert "Mark as held" in browser.get(f"/appointments/{appointment.id}").get_data(as_text=True)
    browser.post(f"/appointments/{appointment.id}/complete")
    session.refresh(case)
    assert case.status == "consulted"


def test_the_ics_download_is_a_publish_calendar_without_the_diagnosis(matched_case, next_slot, client_as, users):
    case = matched_case()
    appointment = services.book(users["coordinator"], case, next_slot(_specialist(case)))
    response = client_as("coordinator").get(f"/appointments/{appointment.id}/invite.ics")
    assert response.mimetype == "text/calendar" and "attachment" in response.headers["Content-Disposition"]
    text = response.get_data(as_text=True)
    assert vobject.readOne(text).vevent.uid.value == appointment.ical_uid
    assert case.diagnosis_text.lower() not in text.lower()


def test_an_admin_edits_a_specialists_openings_and_days_off(client_as, session):
    specialist = factories.ClinicianFactory()
    admin = client_as("admin")
    response = admin.post(f"/availability/{specialist.id}/rules", data={
        "weekday": "1", "start": "09:00", "end": "12:00", "slot_minutes": "45", "timezone": "America/Denver",
        "modality": "in_person", "location": "Clinic B, room 4"})
    assert response.status_code == 302
    rule = session.scalars(sa.select(AvailabilityRule).where(AvailabilityRule.specialist_id == specialist.id)).one()
    assert (rule.weekday, rule.slot_minutes, rule.timezone) == (1, 45, "America/Denver")
    clash = admin.post(f"/availability/{specialist.id}/rules", data={
        "weekday": "1", "start": "11:00", "end": "13:00", "slot_minutes": "60", "timezone": "America/Denver",
        "modality": "in_person"})
    assert clash.status_code == 422 and "overlaps" in clash.get_data(as_text=True)
    assert admin.post(f"/availability/{specialist.id}/days-off", data={"day": "2031-07-04"}).status_code == 302
    entry = session.scalars(sa.select(DayOff).where(DayOff.specialist_id == specialist.id)).one()
    admin.post(f"/availability/{specialist.id}/days-off/{entry.id}/delete")
    admin.post(f"/availability/{specialist.id}/rules/{rule.id}/delete")
    assert session.scalar(sa.select(sa.func.count()).select_from(AvailabilityRule)
                          .where(AvailabilityRule.specialist_id == specialist.id)) == 0


def test_bad_rule_input_is_shown_beside_the_field(client_as):
    specialist = factories.ClinicianFactory()
    admin = client_as("admin")
    for data, message in [
        ({"start": "12:00", "end": "09:00"}, "The end must be later than the start."),
        ({"slot_minutes": "5"}, "Number must be between 10 and 480."),
        ({"modality": "video", "location": "http://insecure.example"}, "A video link must start with https://."),
        ({"slot_minutes": "240"}, "The slot is longer than the opening"),
        ({"timezone": "Mars/Olympus"}, "Not a valid choice."),
    ]:
        form = {"weekday": "0", "start": "09:00", "end": "12:00", "slot_minutes": "60",
                "timezone": "America/New_York", "modality": "in_person"} | data
        response = admin.post(f"/availability/{specialist.id}/rules", data=form)
        assert response.status_code == 422 and message in response.get_data(as_text=True), data


def test_a_specialist_edits_only_their_own_availability(client_as, users):
    own = users["specialist"].clinician
    other = factories.ClinicianFactory()
    browser = client_as("specialist")
    assert browser.get("/availability/mine").headers["Location"].endswith(f"/availability/{own.id}")
    assert browser.get(f"/availability/{own.id}").status_code == 200
    assert browser.get(f"/availability/{other.id}").status_code == 404
    assert browser.post(f"/availability/{other.id}/days-off", data={"day": "2031-01-01"}).status_code == 404


def test_a_feed_url_is_shown_once_works_until_revoked_and_a_new_one_replaces_it(matched_case, next_slot, client_as,
                                                                               users, session, app):
    specialist = users["specialist"].clinician
    factories.open_every_day(specialist)
    case = matched_case(specialist)
    services.book(users["coordinator"], case, next_slot(specialist))
    browser = client_as("specialist")
    page = browser.post(f"/availability/{specialist.id}/feed").get_data(as_text=True)
    url = next(word for word in page.split() if "/calendar/" in word).split("<")[0].split(">")[-1]
    path = url[url.index("/calendar/"):]
    feed = client_as("anonymous").get(path)
    assert feed.status_code == 200 and feed.mimetype == "text/calendar"
    text = feed.get_data(as_text=True)
    assert case.reference in text and case.diagnosis_text.lower() not in text.lower()
    assert case.patient.name not in text  # times and references only: the feed leaves the clinic
    assert "/calendar/" not in browser.get(f"/availability/{specialist.id}").get_data(as_text=True)
    browser.post(f"/availability/{specialist.id}/feed")  # a new link revokes the old one
    assert client_as("anonymous").get(path).status_code == 404
    stored = feeds.active_feed(specialist.id)
    assert path.split("/")[-1].removesuffix(".ics") not in stored.token_hash
    browser.post(f"/availability/{specialist.id}/feed/revoke")
    assert feeds.active_feed(specialist.id) is None


def test_a_wrong_feed_token_gets_the_same_neutral_404(client_as):
    anonymous = client_as("anonymous")
    for token in ("x", "a" * 43, "a" * 500, "%00", "..%2F..%2Fetc"):
        response = anonymous.get(f"/calendar/{token}.ics")
        assert response.status_code == 404 and "text/calendar" not in response.content_type


def test_the_work_queue_flags_consultations_soon_and_unclosed(matched_case, next_slot, client_as, users, session):
    case = matched_case()
    appointment = services.book(users["coordinator"], case, next_slot(_specialist(case)))
    browser = client_as("coordinator")
    page = browser.get("/cases?flag=consult_soon").get_data(as_text=True)
    assert "Consultation within 48 hours" in page
    appointment.start -= timedelta(days=20)
    appointment.end -= timedelta(days=20)
    session.flush()
    assert case.reference in browser.get("/cases?flag=consult_unclosed").get_data(as_text=True)


def test_a_subscribed_feed_is_named_refreshes_hourly_has_no_alarms_and_leaves_cancelled_consultations_out(
        matched_case, next_slot, users, session, client_as):
    """Subscribed calendars ignore STATUS:CANCELLED (a cancelled consultation stayed on the specialist's
    calendar) and would ring the feed's alarms on top of their own; the feed had no name either."""
    from ical.calendar_stream import IcsCalendarStream

    specialist = users["specialist"].clinician
    factories.open_every_day(specialist)
    kept, dropped = matched_case(specialist), matched_case(specialist)
    services.book(users["coordinator"], kept, next_slot(specialist))
    services.cancel(users["coordinator"], services.book(users["coordinator"], dropped, next_slot(specialist, 1)),
                    "The patient asked")
    token = feeds.issue_feed(None, specialist)
    text = client_as("anonymous").get(f"/calendar/{token}.ics").get_data(as_text=True)
    calendar = vobject.readOne(text)
    assert calendar.x_wr_calname.value == "Second Opinion Clinic: consultations"
    assert "NAME:Second Opinion Clinic: consultations" in text
    assert "REFRESH-INTERVAL;VALUE=DURATION:PT1H" in text
    events = calendar.vevent_list
    assert [e.summary.value for e in events] == [f"Second-opinion consultation with {specialist.name} (case {kept.reference})"]
    assert "BEGIN:VALARM" not in text
    assert len(IcsCalendarStream.calendar_from_ics(text).events) == 1
