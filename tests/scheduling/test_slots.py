"""Slots from weekly rules: the clinic's clock rules, daylight saving included (no app, no database)."""
from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone

import pytest

from clinic.scheduling.slots import Rule, earliest_free_slot, free_slots, is_free, window

UTC = timezone.utc
LONG_AGO = datetime(2000, 1, 1, tzinfo=UTC)
NY = "America/New_York"


def z(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def starts(found) -> list[str]:
    return [s.start.strftime("%Y-%m-%dT%H:%MZ") for s in found]


@pytest.mark.parametrize("zone, day, local, expected_utc", [
    (NY, date(2026, 1, 12), time(9), "2026-01-12T14:00Z"),              # EST, UTC-5
    (NY, date(2026, 7, 13), time(9), "2026-07-13T13:00Z"),              # EDT, UTC-4
    (NY, date(2026, 3, 6), time(9), "2026-03-06T14:00Z"),               # the Friday before the change
    (NY, date(2026, 3, 9), time(9), "2026-03-09T13:00Z"),               # the Monday after
    (NY, date(2026, 11, 2), time(9), "2026-11-02T14:00Z"),              # back to EST
    ("Europe/Berlin", date(2026, 3, 30), time(9), "2026-03-30T07:00Z"),  # CEST, a week after the US
    ("Europe/Berlin", date(2026, 3, 27), time(9), "2026-03-27T08:00Z"),  # still CET
    ("Australia/Sydney", date(2026, 1, 12), time(9), "2026-01-11T22:00Z"),  # southern summer: AEDT
    ("Asia/Kolkata", date(2026, 7, 13), time(9), "2026-07-13T03:30Z"),  # half-hour offset, no DST
    ("America/Phoenix", date(2026, 7, 13), time(9), "2026-07-13T16:00Z"),  # Arizona keeps MST
])
def test_a_local_nine_oclock_slot_is_the_right_utc_instant_in_every_season(zone, day, local, expected_utc):
    rule = Rule(day.weekday(), local, time(10), 60, zone)
    assert starts(free_slots([rule], day, day, now=LONG_AGO)) == [expected_utc]


@pytest.mark.parametrize("zone, day, start, end, minutes, expected", [
    # US spring forward, Sunday 8 March 2026: 02:00-03:00 does not exist on the clock.
    (NY, date(2026, 3, 8), time(1), time(4), 30,
     ["2026-03-08T06:00Z", "2026-03-08T06:30Z", "2026-03-08T07:00Z", "2026-03-08T07:30Z"]),
    # US fall back, Sunday 1 November 2026: 01:00-02:00 happens twice; each wall time gives one slot.
    (NY, date(2026, 11, 1), time(0), time(3), 30,
     ["2026-11-01T04:00Z", "2026-11-01T04:30Z", "2026-11-01T05:00Z", "2026-11-01T05:30Z",
      "2026-11-01T07:00Z", "2026-11-01T07:30Z"]),
    # A 90-minute slot starting 01:30 EST ends at 04:00 EDT; the 03:00 slot would overlap it.
    (NY, date(2026, 3, 8), time(1, 30), time(4), 90, ["2026-03-08T06:30Z"]),
    # EU spring forward, Sunday 29 March 2026: 02:00-03:00 CET skipped.
    ("Europe/Berlin", date(2026, 3, 29), time(1), time(4), 60,
     ["2026-03-29T00:00Z", "2026-03-29T01:00Z"]),
    # EU fall back, Sunday 25 October 2026: 02:00-03:00 repeated.
    ("Europe/Berlin", date(2026, 10, 25), time(1), time(4), 60,
     ["2026-10-24T23:00Z", "2026-10-25T00:00Z", "2026-10-25T02:00Z"]),
    # Ordinary working hours on both change days are untouched.
    (NY, date(2026, 3, 8), time(9), time(11), 60, ["2026-03-08T13:00Z", "2026-03-08T14:00Z"]),
    (NY, date(2026, 11, 1), time(9), time(11), 60, ["2026-11-01T14:00Z", "2026-11-01T15:00Z"]),
])
def test_daylight_saving_days_give_no_slot_in_a_skipped_hour_and_no_duplicate_in_a_repeated_one(
        zone, day, start, end, minutes, expected):
    found = free_slots([Rule(day.weekday(), start, end, minutes, zone)], day, day, now=LONG_AGO)
    assert starts(found) == expected
    assert len({s.start for s in found}) == len(found)
    assert all(a.end <= b.start for a, b in zip(found, found[1:])), "slots never overlap"
    assert all(s.end - s.start == timedelta(minutes=minutes) for s in found)


def test_every_slot_of_a_year_keeps_its_local_hour_and_its_length():
    rule = [Rule(d, time(9), time(12), 45, NY) for d in range(7)]
    found = free_slots(rule, date(2026, 1, 1), date(2026, 12, 31), now=LONG_AGO)
    assert len(found) == 365 * 4  # 09:00, 09:45, 10:30, 11:15 every day
    assert {s.local_start.strftime("%H:%M") for s in found} == {"09:00", "09:45", "10:30", "11:15"}
    assert {s.end - s.start for s in found} == {timedelta(minutes=45)}


MONDAY = date(2026, 1, 12)
MONDAY_RULE = Rule(0, time(9), time(12), 60, NY, "video", "https://video.example/r")


@pytest.mark.parametrize("booked, expected", [
    ([], ["14:00", "15:00", "16:00"]),
    ([(z("2026-01-12T15:00Z"), z("2026-01-12T16:00Z"))], ["14:00", "16:00"]),
    # A booking of another length takes every slot it overlaps.
    ([(z("2026-01-12T14:30Z"), z("2026-01-12T15:10Z"))], ["16:00"]),
    # Touching is not overlapping.
    ([(z("2026-01-12T13:00Z"), z("2026-01-12T14:00Z"))], ["14:00", "15:00", "16:00"]),
])
def test_booked_times_of_any_length_remove_the_slots_they_overlap(booked, expected):
    found = free_slots([MONDAY_RULE], MONDAY, MONDAY, now=LONG_AGO, booked=booked)
    assert [s.start.strftime("%H:%M") for s in found] == expected


def test_a_day_off_has_no_slots_and_the_days_around_it_do():
    found = free_slots([MONDAY_RULE], MONDAY, MONDAY + timedelta(days=14), now=LONG_AGO,
                       days_off={MONDAY + timedelta(days=7)})
    assert sorted({s.local_start.date() for s in found}) == [MONDAY, MONDAY + timedelta(days=14)]


@pytest.mark.parametrize("now, expected", [
    (z("2026-01-12T14:00Z"), ["14:00", "15:00", "16:00"]),  # a slot starting now is still bookable
    (z("2026-01-12T14:01Z"), ["15:00", "16:00"]),
    (z("2026-01-12T17:00Z"), []),
])
def test_no_slot_starts_in_the_past(now, expected):
    found = free_slots([MONDAY_RULE], MONDAY, MONDAY, now=now)
    assert [s.start.strftime("%H:%M") for s in found] == expected


def test_overlapping_rules_do_not_offer_the_same_time_twice():
    rules = [MONDAY_RULE, Rule(0, time(10), time(11), 30, NY, "in_person", "Room 4")]
    found = free_slots(rules, MONDAY, MONDAY, now=LONG_AGO)
    assert all(a.end <= b.start for a, b in zip(found, found[1:]))


@pytest.mark.parametrize("first, last", [(MONDAY, MONDAY - timedelta(days=1)), (MONDAY + timedelta(days=1),
                                                                                 MONDAY + timedelta(days=6))])
def test_an_empty_or_ruleless_range_has_no_slots(first, last):
    assert free_slots([MONDAY_RULE], first, last, now=LONG_AGO) == []
    assert free_slots([], MONDAY, MONDAY, now=LONG_AGO) == []


def test_slots_carry_modality_location_and_both_clocks():
    slot = free_slots([MONDAY_RULE], MONDAY, MONDAY, now=LONG_AGO)[0]
    assert (slot.modality, slot.location, slot.timezone) == ("video", "https://video.example/r", NY)
    assert slot.local_start.isoformat() == "2026-01-12T09:00:00-05:00"


def test_the_earliest_free_slot_skips_booked_and_past_times():
    booked = [(z("2026-01-12T14:00Z"), z("2026-01-12T15:00Z"))]
    found = earliest_free_slot([MONDAY_RULE], MONDAY, MONDAY + timedelta(days=30), now=LONG_AGO, booked=booked)
    assert found.start == z("2026-01-12T15:00Z")
    assert earliest_free_slot([MONDAY_RULE], MONDAY, MONDAY, now=z("2026-01-12T18:00Z")) is None


def test_is_free_finds_only_exact_free_slot_starts():
    assert is_free(z("2026-01-12T14:00Z"), [MONDAY_RULE], now=LONG_AGO).end == z("2026-01-12T15:00Z")
    assert is_free(z("2026-01-12T14:30Z"), [MONDAY_RULE], now=LONG_AGO) is None
    assert is_free(z("2026-01-12T14:00Z"), [MONDAY_RULE], now=LONG_AGO,
                   booked=[(z("2026-01-12T13:30Z"), z("2026-01-12T14:30Z"))]) is None


@pytest.mark.parametrize("days", [7, 14, 30])
def test_the_urgency_window_runs_from_today(days):
    assert window(MONDAY, days) == (MONDAY, MONDAY + timedelta(days=days))
