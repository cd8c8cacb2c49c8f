"""The fast serializer of invites writes exactly what icalendar's own to_ical() writes."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone
from email.utils import parseaddr

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from icalendar import Calendar
from icalendar.parser import Contentline

from clinic.scheduling import invites
from clinic.scheduling.vtimezone import vtimezone

START = datetime(2026, 3, 8, 14, tzinfo=timezone.utc)  # a daylight-saving change in New York


def _invite(name: str, zone: str) -> invites.Invite:
    return invites.Invite(
        uid="bench@second-opinion", sequence=2, start=START, end=START + timedelta(minutes=45), timezone=zone,
        organizer="Clinic <scheduling@clinic.example>", organizer_name="Second Opinion Clinic",
        attendees=(invites.Person(name, "patient@example.org"), invites.Person("Dr. Ada Eligible", "ada@example.org")),
        reference="SO-ABCD-2345", modality="video", location="https://video.example/room/1",
        specialist_name="Dr. Ada Eligible", description=invites.prep_checklist(7, "video"))


def _reference(method, events, zones) -> str:
    """The calendar as icalendar writes it, zones and events added as components."""
    calendar = Calendar()
    for key, value in (("prodid", invites.PRODID), ("version", "2.0"), ("calscale", "GREGORIAN")):
        calendar.add(key, value)
    if method:
        calendar.add("method", method)
    for tzid, year in sorted(zones):
        calendar.add_component(vtimezone(tzid, year))
    for event in events:
        calendar.add_component(event)
    return calendar.to_ical().decode()


@pytest.mark.parametrize("zone", ["America/New_York", "Europe/Paris", "Asia/Kolkata", "UTC"])
@pytest.mark.parametrize("name", ["Jane Roe", "Zoë Ærøskøbing-Ünïcødé; \\ with \"quotes\", commas and a very long name ✓"])
def test_invites_are_byte_for_byte_what_icalendar_writes(zone, name):
    invite = _invite(name, zone)
    zones = {(zone, invite.start.year)}
    for method, with_attendees in (("REQUEST", True), ("CANCEL", True), ("PUBLISH", False)):
        events = [invites._event(invite, START, with_attendees=with_attendees, local=True)]
        assert invites._calendar(method, events, zones) == _reference(method, events, zones)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from("ab ;:,\\^\"é✓\t"), max_size=400))
def test_folding_is_icalendars_for_any_line(line):
    assert invites.fold(line) == Contentline(line).to_ical().decode()


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from("ab.@-_+'%!#<>()[],;:\\\" é"), max_size=30))
def test_plain_addresses_skip_the_parser_with_the_same_answer(address):
    assert invites._bare(address) == (parseaddr(address)[1] or address)
