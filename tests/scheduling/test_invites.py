"""Invites parsed back by two independent RFC 5545 parsers (`ical` and `vobject`), not by icalendar."""
from __future__ import annotations

import re
from dataclasses import replace
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
import vobject
from ical.calendar_stream import IcsCalendarStream

from clinic.cases.vocabulary import SEED_QUESTIONS
from clinic.scheduling import invites
from clinic.scheduling.vtimezone import vtimezone

UTC = timezone.utc
STAMP = datetime(2026, 2, 1, 12, 0, tzinfo=UTC)
DIAGNOSIS = "Invasive ductal carcinoma"


def make(start: str, zone: str = "America/New_York", **changes) -> invites.Invite:
    begin = datetime.fromisoformat(start)
    values = dict(
        uid="7d0c1f9e-1@second-opinion", sequence=0, start=begin, end=begin + timedelta(hours=1), timezone=zone,
        organizer="Second Opinion Clinic <scheduling@clinic.example>", organizer_name="Second Opinion Clinic",
        attendees=(invites.Person("Jane Roe", "jane@example.org"), invites.Person("Dr. Ada Park", "park@panel.test")),
        reference="SO-ABCD-EFGH", modality="video", location="https://video.example/room/7",
        specialist_name="Dr. Ada Park",
        description=invites.prep_checklist(len(SEED_QUESTIONS), "video"),
    )
    values.update(changes)
    return invites.Invite(**values)


def both(text: str):
    """(ical event, vobject event) of a calendar text."""
    return IcsCalendarStream.calendar_from_ics(text).events[0], vobject.readOne(text).vevent


@pytest.mark.parametrize("start_utc, zone, local", [
    ("2026-01-12T14:00:00+00:00", "America/New_York", "2026-01-12 09:00"),
    ("2026-07-13T13:00:00+00:00", "America/New_York", "2026-07-13 09:00"),
    ("2026-03-06T14:00:00+00:00", "America/New_York", "2026-03-06 09:00"),  # before the March change
    ("2026-03-09T13:00:00+00:00", "America/New_York", "2026-03-09 09:00"),  # after it
    ("2026-10-30T13:00:00+00:00", "America/New_York", "2026-10-30 09:00"),  # before the November change
    ("2026-11-02T14:00:00+00:00", "America/New_York", "2026-11-02 09:00"),  # after it
    ("2026-03-30T07:00:00+00:00", "Europe/Berlin", "2026-03-30 09:00"),
    ("2026-01-11T22:00:00+00:00", "Australia/Sydney", "2026-01-12 09:00"),
    ("2026-07-13T16:00:00+00:00", "America/Phoenix", "2026-07-13 09:00"),
])
@pytest.mark.parametrize("rename", [False, True])
def test_both_parsers_read_the_same_utc_instant_and_local_hour_across_daylight_saving(start_utc, zone, local, rename):
    text = invites.request(make(start_utc, zone), STAMP)
    assert f"DTSTART;TZID={zone}:" in text
    if rename:  # a TZID no parser knows: the instant must come from our VTIMEZONE alone
        text = text.replace(zone, f"Clinic time {len(zone)}{zone[::-1]}")  # unique: parsers cache by TZID
    for event in both(text):
        start = event.dtstart if isinstance(event.dtstart, datetime) else event.dtstart.value
        assert start.astimezone(UTC) == datetime.fromisoformat(start_utc)
        assert start.strftime("%Y-%m-%d %H:%M") == local


@pytest.mark.parametrize("zone", ["America/New_York", "America/Chicago", "America/Los_Angeles", "Europe/London",
                                  "Europe/Berlin", "Europe/Dublin", "Australia/Sydney", "Pacific/Auckland",
                                  "America/Sao_Paulo", "Asia/Kolkata", "Asia/Tokyo", "America/Phoenix"])
def test_the_vtimezone_gives_zoneinfos_offset_all_year_round(zone):
    """Every 61 hours through 2026 and 2027, the VTIMEZONE (read by vobject under a foreign TZID)
    and the tz database agree on the UTC offset."""
    block = vtimezone(zone, 2026).to_ical().decode().replace(zone, "Probe")
    tz = vobject.readOne(f"BEGIN:VCALENDAR\r\nVERSION:2.0\r\n{block}END:VCALENDAR\r\n").vtimezone.gettzinfo()
    moment = datetime(2026, 1, 1, tzinfo=UTC)
    while moment.year < 2028:
        assert moment.astimezone(tz).utcoffset() == moment.astimezone(ZoneInfo(zone)).utcoffset(), moment
        moment += timedelta(hours=61)


def test_the_vtimezone_is_one_standard_and_one_daylight_block_with_yearly_rules_not_an_rdate_list():
    text = invites.request(make("2026-07-13T13:00:00+00:00"), STAMP)
    block = text[text.index("BEGIN:VTIMEZONE"):text.index("END:VTIMEZONE")]
    assert block.count("BEGIN:STANDARD") == 1 and block.count("BEGIN:DAYLIGHT") == 1
    assert block.count("RRULE:FREQ=YEARLY") == 2 and "RDATE" not in block
    assert "BYDAY=2SU;BYMONTH=3" in block and "BYDAY=1SU;BYMONTH=11" in block


def test_a_request_has_the_itip_parts_calendars_need():
    text = invites.request(make("2026-07-13T13:00:00+00:00"), STAMP)
    unfolded = text.replace("\r\n ", "")
    card = vobject.readOne(text)
    event = card.vevent
    assert card.method.value == "REQUEST"
    assert event.uid.value == "7d0c1f9e-1@second-opinion" and event.sequence.value == "0"
    assert event.dtstamp.value == STAMP
    assert event.organizer.value == "mailto:scheduling@clinic.example"  # bare address, no display name
    attendees = {a.value: a.params for a in event.attendee_list}
    assert set(attendees) == {"mailto:jane@example.org", "mailto:park@panel.test"}
    assert all(p["RSVP"] == ["TRUE"] for p in attendees.values())
    assert event.location.value == "https://video.example/room/7"
    assert [alarm.trigger.value for alarm in event.valarm_list] == [-timedelta(days=1), -timedelta(hours=1)]
    assert "Open the link a few minutes early." in event.description.value  # a video call: no photo ID
    assert "The specialist has the 7 questions you sent." in event.description.value
    assert re.search(r"^DTEND;TZID=America/New_York:20260713T100000\r?$", unfolded, re.M)


def test_a_cancellation_keeps_the_uid_and_says_cancelled():
    invite = make("2026-07-13T13:00:00+00:00", sequence=2)
    text = invites.cancel(invite, STAMP)
    ical_event, vobject_event = both(text)
    assert IcsCalendarStream.calendar_from_ics(text).method == "CANCEL"
    assert str(ical_event.status).endswith("CANCELLED") and vobject_event.status.value == "CANCELLED"
    assert ical_event.uid == invite.uid and ical_event.sequence == 2
    assert "VALARM" not in text  # nothing to remind of


def test_publish_lists_events_without_attendees_to_answer():
    first, second = make("2026-07-13T13:00:00+00:00"), make("2026-07-14T13:00:00+00:00", uid="other@x")
    text = invites.publish([first, second], STAMP)
    calendar = IcsCalendarStream.calendar_from_ics(text)
    assert calendar.method == "PUBLISH" and len(calendar.events) == 2
    assert "ATTENDEE" not in text and "RSVP" not in text


@pytest.mark.parametrize("build", [invites.request, invites.cancel])
def test_nothing_in_an_invite_names_the_diagnosis(build):
    text = build(make("2026-07-13T13:00:00+00:00"), STAMP).replace("\r\n ", "")
    assert DIAGNOSIS.lower() not in text.lower()
    assert "carcinoma" not in text.lower()


@pytest.mark.parametrize("name", ['Jane "JJ" Roe', "Roe, Jane; MD", "Zoë Ünal"])
def test_awkward_names_still_give_a_calendar_both_parsers_read(name):
    invite = make("2026-07-13T13:00:00+00:00", attendees=(invites.Person(name, "jane@example.org"),))
    text = invites.request(invite, STAMP)
    ical_event, vobject_event = both(text)
    assert ical_event.uid == invite.uid
    assert vobject_event.attendee.params["CN"][0].replace("'", '"') == name


def test_prep_checklist_counts_questions_and_copes_with_none():
    assert "The specialist has the 1 question you sent." in invites.prep_checklist(1, "video")
    assert "The specialist has the 7 questions you sent." in invites.prep_checklist(7, "in_person")
    assert "Write down the questions" in invites.prep_checklist(0, "video")


def test_prep_checklist_asks_for_a_photo_id_only_from_a_patient_who_comes_in_person():
    """A video patient was told to bring a photo ID; the questions were listed by topic, in codes
    ("Your 7 questions (diagnosis 2, treatment 1, ...)")."""
    video, in_person = invites.prep_checklist(3, "video"), invites.prep_checklist(3, "in_person")
    assert "photo ID" not in video and "camera, microphone and internet" in video
    assert "Bring a photo ID and your insurance card." in in_person and "camera" not in in_person
    for text in (video, in_person):
        assert "diagnosis" not in text.lower() and "treatment" not in text.lower() and "(" not in text


def test_in_person_without_address_says_at_the_clinic():
    text = invites.request(make("2026-07-13T13:00:00+00:00", modality="in_person", location=""), STAMP)
    assert vobject.readOne(text).vevent.location.value == "At the clinic"


def test_method_of_reads_the_calendar_method():
    assert invites.method_of(invites.cancel(make("2026-07-13T13:00:00+00:00"), STAMP)) == "CANCEL"
    assert invites.method_of("BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n") is None


def test_a_rescheduled_invite_differs_only_in_time_and_sequence():
    before = make("2026-07-13T13:00:00+00:00")
    after = replace(before, sequence=1, start=before.start + timedelta(days=1), end=before.end + timedelta(days=1))
    old, new = (vobject.readOne(invites.request(i, STAMP)).vevent for i in (before, after))
    assert old.uid.value == new.uid.value
    assert (int(old.sequence.value), int(new.sequence.value)) == (0, 1)
