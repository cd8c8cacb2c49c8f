"""Invites hold across every clock change of every zone the product offers, for the next five years
(issue 15, item 6). In the hour repeated when clocks go back a local reading names two instants and
RFC 5545 takes the first: the second 01:30 written as local 01:30 landed an hour early, and a
30-minute slot at the first 01:30 "ended" at local 01:00, before it began (khal then dropped the
whole feed). Each event below is read back by three independent parsers (icalendar, ical, vobject),
which must all give the instants the clinic booked, the end after the start.

Zones that change their clocks at the same instants between the same offsets get the same calendar
but for the TZID's name (and the abbreviations in TZNAME): one of each such group is read back (30 groups for the 182 offered zones that
change their clocks in 2027-2031), the name of every other zone in its group checked to be the only
difference."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import icalendar
import pytest
import vobject
from ical.calendar_stream import IcsCalendarStream

from clinic.formkit import TIMEZONES
from clinic.scheduling import invites

UTC = timezone.utc
FIRST_YEAR = 2027
YEARS = 5
STAMP = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)


def clock_changes(zone: ZoneInfo) -> list[datetime]:
    """The UTC instants at which the zone's offset changes in the five years (found day by day, then
    to the minute), computed here independently of the product's own VTIMEZONE code."""
    found, moment = [], datetime(FIRST_YEAR, 1, 1, tzinfo=UTC)
    end = datetime(FIRST_YEAR + YEARS, 1, 1, tzinfo=UTC)
    while moment < end:
        later = moment + timedelta(days=1)
        if later.astimezone(zone).utcoffset() != moment.astimezone(zone).utcoffset():
            low, high = moment, later  # the offset changes in (low, high]
            while high - low > timedelta(minutes=1):
                middle = low + (high - low) / 2
                middle = middle.replace(second=0, microsecond=0)
                if middle.astimezone(zone).utcoffset() == low.astimezone(zone).utcoffset():
                    low = middle if middle > low else low + timedelta(minutes=1)
                else:
                    high = middle
            found.append(high)
        moment = later
    return found


def behaviour(name: str) -> tuple:
    """When a zone changes its clocks, and from which offset to which."""
    zone = ZoneInfo(name)
    return tuple((change, (change - timedelta(minutes=1)).astimezone(zone).utcoffset(), change.astimezone(zone).utcoffset())
                 for change in clock_changes(zone))


BEHAVIOURS: dict[tuple, list[str]] = {}
for _name in TIMEZONES:
    if (_found := behaviour(_name)):
        BEHAVIOURS.setdefault(_found, []).append(_name)
ZONES_THAT_CHANGE = [name for names in BEHAVIOURS.values() for name in names]
GROUPS = {names[0]: names for names in BEHAVIOURS.values()}  # zone read back -> the zones behaving like it


def slots_around(change: datetime) -> list[tuple[datetime, datetime]]:
    """Half-hour and hour slots starting from an hour before the change to half an hour after it."""
    return [(change + timedelta(minutes=offset), change + timedelta(minutes=offset + length))
            for offset in (-60, -30, 0, 30) for length in (30, 60)]


def invite_for(zone: str, number: int, start: datetime, end: datetime) -> invites.Invite:
    return invites.Invite(
        uid=f"slot-{number}@second-opinion", sequence=0, start=start, end=end, timezone=zone,
        organizer="scheduling@clinic.example", organizer_name="Second Opinion Clinic",
        attendees=(invites.Person("Jane Roe", "jane@example.org"),), reference=f"SO-{number:04d}",
        modality="video", location="https://video.example/room/7", specialist_name="Dr. Ada Park")


def read_back(text: str) -> dict[str, dict[str, list[datetime]]]:
    """uid -> parser -> [start, end] as each parser reads them, in UTC."""
    found: dict[str, dict[str, list[datetime]]] = {}
    for event in icalendar.Calendar.from_ical(text).walk("VEVENT"):
        found.setdefault(str(event["uid"]), {})["icalendar"] = [event.decoded("dtstart"), event.decoded("dtend")]
    for event in IcsCalendarStream.calendar_from_ics(text).events:
        found[event.uid]["ical"] = [event.dtstart, event.dtend]
    for event in vobject.readOne(text).vevent_list:
        found[event.uid.value]["vobject"] = [event.dtstart.value, event.dtend.value]
    return {uid: {parser: [moment.astimezone(UTC) for moment in pair] for parser, pair in by.items()}
            for uid, by in found.items()}


def booked_around_every_change(zone: str) -> dict[str, invites.Invite]:
    booked = {}
    for change in clock_changes(ZoneInfo(zone)):
        for start, end in slots_around(change):
            booked[f"slot-{len(booked)}@second-opinion"] = invite_for(zone, len(booked), start, end)
    return booked


def test_every_offered_zone_that_changes_its_clocks_is_covered():
    assert {"America/New_York", "Europe/London", "Australia/Lord_Howe", "America/Havana",
            "Africa/Casablanca"} <= set(ZONES_THAT_CHANGE)
    assert len(ZONES_THAT_CHANGE) > 150 and len(GROUPS) > 20
    assert sorted(ZONES_THAT_CHANGE) == sorted(name for names in GROUPS.values() for name in names)


@pytest.mark.parametrize("zone", sorted(GROUPS))
def test_zones_that_behave_alike_get_the_same_calendar_but_for_their_name(zone):
    def calendar(name: str) -> str:  # the zone's abbreviations (TZNAME: WEST, BST) aside, which no parser computes with
        text = invites.publish(list(booked_around_every_change(name).values()), STAMP).replace(name, zone)
        return "".join(line for line in text.splitlines(keepends=True) if not line.startswith("TZNAME:"))

    expected = calendar(zone)
    for other in GROUPS[zone][1:]:
        assert calendar(other) == expected, other


@pytest.mark.parametrize("zone", sorted(GROUPS))
def test_three_parsers_read_the_booked_instants_around_every_clock_change(zone):
    booked = booked_around_every_change(zone)
    text = invites.publish(list(booked.values()), STAMP)
    problems = []
    for uid, by_parser in read_back(text).items():
        invite = booked[uid]
        for parser, (start, end) in by_parser.items():
            if (start, end) != (invite.start, invite.end):
                problems.append(f"{parser}: {invite.start:%Y-%m-%d %H:%M}Z-{invite.end:%H:%M}Z read as "
                                f"{start:%Y-%m-%d %H:%M}Z-{end:%H:%M}Z")
        assert len(by_parser) == 3
    assert problems == []


def test_the_second_half_past_one_of_a_repeated_hour_is_written_in_utc_and_an_unambiguous_hour_keeps_its_zone():
    zone = ZoneInfo("America/New_York")
    change = datetime(2027, 11, 7, 6, 0, tzinfo=UTC)  # 02:00 EDT becomes 01:00 EST
    second = invite_for("America/New_York", 1, change + timedelta(minutes=30), change + timedelta(minutes=60))
    assert second.start.astimezone(zone).strftime("%H:%M") == "01:30"
    text = invites.request(second, STAMP)
    assert "DTSTART:20271107T063000Z" in text and "DTEND:20271107T070000Z" in text
    morning = invite_for("America/New_York", 2, change + timedelta(hours=8), change + timedelta(hours=9))
    text = invites.request(morning, STAMP)
    assert "DTSTART;TZID=America/New_York:20271107T090000" in text and "BEGIN:VTIMEZONE" in text


def test_a_half_hour_slot_at_the_first_half_past_one_never_ends_before_it_starts():
    change = datetime(2027, 11, 7, 6, 0, tzinfo=UTC)
    first = invite_for("America/New_York", 3, change - timedelta(minutes=30), change)  # 01:30 EDT to 01:00 EST
    event = vobject.readOne(invites.request(first, STAMP)).vevent
    assert event.dtend.value > event.dtstart.value
    assert event.dtstart.value.astimezone(UTC) == first.start


def test_a_specialists_ordinary_hour_in_the_patients_repeated_hour_is_right_on_the_patients_copy():
    """One consultation, two copies: the specialist in Berlin reads an ordinary 06:30 (Berlin changed a
    week before), the patient in Havana, whose clocks go back at 01:00, reads 00:30 twice that night:
    the patient's copy is in UTC, the specialist's keeps its zone, and both name the same instant."""
    change = clock_changes(ZoneInfo("America/Havana"))[1]
    start = change + timedelta(minutes=30)
    patient = invite_for("America/Havana", 4, start, start + timedelta(hours=1))
    specialist = invite_for("Europe/Berlin", 4, start, start + timedelta(hours=1))
    for copy in (patient, specialist):
        event = vobject.readOne(invites.request(copy, STAMP)).vevent
        assert event.dtstart.value.astimezone(UTC) == start
    assert f"DTSTART:{start:%Y%m%dT%H%M%S}Z" in invites.request(patient, STAMP)
    assert "DTSTART;TZID=Europe/Berlin:" in invites.request(specialist, STAMP)
