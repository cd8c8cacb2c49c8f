"""Calendar invites (RFC 5545 + iTIP RFC 5546) built with icalendar: pure, from plain values.

One UID per appointment for its whole life; SEQUENCE starts at 0 and grows with
every reschedule and with the cancellation, so calendar apps replace the event
instead of adding a second one. Times carry a TZID with its VTIMEZONE in the
yearly-rule form (vtimezone.py), except where the recipient's clock reads them
ambiguously (the hour repeated when clocks go back): then they are written in UTC. Calendars leave the clinic: nothing here may
name a diagnosis, a condition or a treatment; the caller passes only the case
reference, the question categories and logistics.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import datetime, timedelta, timezone
from email.utils import parseaddr
from functools import lru_cache
from zoneinfo import ZoneInfo

from flask_babel import gettext as _
from flask_babel import ngettext
from icalendar import Alarm, Calendar, Event, vCalAddress, vText
from icalendar.parser import Contentline

from clinic.scheduling.vtimezone import holds_in, vtimezone
from clinic.text import strip_control

PRODID = "-//Second Opinion Clinic//Scheduling//EN"
PLAIN_ADDRESS = re.compile(r"[^\s<>()\[\],;:\\\"@]+@[^\s<>()\[\],;:\\\"@]+\Z")
FOLD_AT = 75  # octets: a content line this long or longer is folded
REMINDERS = (timedelta(days=1), timedelta(hours=1))
FEED_REFRESH = timedelta(hours=1)


@dataclass(frozen=True)
class Person:
    name: str
    email: str


@dataclass(frozen=True)
class Invite:
    uid: str
    sequence: int
    start: datetime  # UTC
    end: datetime    # UTC
    timezone: str    # the TZID the recipient sees
    organizer: str   # the clinic's scheduling address (MAIL_FROM)
    organizer_name: str
    attendees: tuple[Person, ...]
    reference: str
    modality: str    # in_person | video
    location: str
    specialist_name: str
    description: str = ""
    cancelled: bool = False


def prep_checklist(questions: int, modality: str) -> str:
    """What the patient prepares, in plain words and for the way they meet the specialist (a video
    patient needs no photo ID; an in-person one brings it). Only the number of questions is given:
    their text, or even their topics, can name the condition."""
    if modality == "video":
        lines = [
            _("Before the video call:"),
            "- " + _("Find a quiet, private place. Check that your camera, microphone and internet work."),
            "- " + _("Open the link a few minutes early."),
            "- " + _("Keep your insurance card and any new results or reports near you."),
        ]
    else:
        lines = [
            _("Before you come:"),
            "- " + _("Bring a photo ID and your insurance card."),
            "- " + _("Bring any new results, imaging discs or reports you got after you sent us your records."),
        ]
    if questions:
        lines.append("- " + ngettext("The specialist has the %(num)s question you sent. Write down anything new you want to ask.",
                                     "The specialist has the %(num)s questions you sent. Write down anything new you "
                                     "want to ask.", questions))
    else:
        lines.append("- " + _("Write down the questions you want to ask."))
    return "\n".join(lines)


def _bare(address: str) -> str:
    if PLAIN_ADDRESS.match(address):  # the usual case: nothing for the full RFC 5322 parser to strip
        return address
    return parseaddr(address)[1] or address


def _address(email: str, name: str, **params) -> vCalAddress:
    value = vCalAddress(f"mailto:{_bare(email)}")
    value.params["CN"] = vText(strip_control(name, multi_line=False).replace('"', "'"))
    value.params.update(params)
    return value


def _where(invite: Invite) -> str:
    if invite.modality == "video":
        return invite.location or _("Video call (link to follow)")
    return invite.location or _("At the clinic")


def _unambiguous(moment: datetime, zone: ZoneInfo) -> bool:
    """True when the zone's clock reading at `moment` names that instant alone. In the hour repeated
    when clocks go back a reading names two instants, and RFC 5545 (3.3.5) takes the first, so the
    second 01:30 written as local 01:30 would land an hour early."""
    wall = moment.astimezone(zone).replace(tzinfo=None)
    return wall.replace(tzinfo=zone, fold=0).utcoffset() == wall.replace(tzinfo=zone, fold=1).utcoffset()


def on_local_clock(invite: Invite, zone_year: int) -> bool:
    """Whether the invite's times are written on the recipient's clock (TZID, with the VTIMEZONE of
    `zone_year`): only when both readings are unambiguous, the end reads later than the start and that
    VTIMEZONE holds in the appointment's year. Otherwise both are written in UTC, which every calendar
    still shows on its reader's clock."""
    zone = ZoneInfo(invite.timezone)
    start, end = invite.start.astimezone(zone), invite.end.astimezone(zone)
    return _unambiguous(invite.start, zone) and _unambiguous(invite.end, zone) and \
        end.replace(tzinfo=None) > start.replace(tzinfo=None) and \
        holds_in(invite.timezone, zone_year, start.year) and holds_in(invite.timezone, zone_year, end.year)


def _event(invite: Invite, stamp: datetime, *, with_attendees: bool, local: bool, in_feed: bool = False) -> Event:
    zone = ZoneInfo(invite.timezone) if local else timezone.utc
    if invite.end <= invite.start:
        raise ValueError("an appointment ends after it starts")
    event = Event()
    event.add("uid", invite.uid)
    event.add("sequence", invite.sequence)
    event.add("dtstamp", stamp)
    event.add("last-modified", stamp)
    event.add("dtstart", invite.start.astimezone(zone))
    event.add("dtend", invite.end.astimezone(zone))
    # RFC 5545 3.3.11: no control character but a newline in TEXT (strip_control: a strict parser
    # refuses the whole calendar for one BEL in a name, and names come from outside).
    summary = _("Second-opinion consultation with %(name)s", name=invite.specialist_name) + \
        (" " + _("(case %(reference)s)", reference=invite.reference) if in_feed else "")
    event.add("summary", strip_control(summary, multi_line=False))
    event.add("location", strip_control(_where(invite), multi_line=False))
    if invite.modality == "video" and invite.location.startswith("https://"):
        event.add("url", invite.location)
    how = _("Video call") if invite.modality == "video" else _("In person")
    about = _("Second-opinion consultation (%(how)s), case %(reference)s.", how=how, reference=invite.reference)
    event.add("description", strip_control(f"{about}\n\n{invite.description}".strip()))
    event.add("class", "PRIVATE")
    event.add("transp", "OPAQUE")
    event.add("status", "CANCELLED" if invite.cancelled else "CONFIRMED")
    if with_attendees:
        event.add("organizer", _address(invite.organizer, invite.organizer_name))
        for person in invite.attendees:
            event.add("attendee", _address(person.email, person.name, CUTYPE="INDIVIDUAL",
                                           ROLE="REQ-PARTICIPANT", PARTSTAT="NEEDS-ACTION", RSVP="TRUE"))
    if not invite.cancelled and not in_feed:  # a subscriber's own calendar settings decide a feed's alarms
        for before in REMINDERS:
            alarm = Alarm()
            alarm.add("action", "DISPLAY")
            alarm.add("description", _("Reminder: second-opinion consultation"))
            alarm.add("trigger", -before)
            event.add_component(alarm)
    return event


def _calendar(method: str | None, events: list[Event], zones: set[tuple[str, int]], name: str | None = None) -> str:
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    if method:
        calendar.add("method", method)
    if name is not None:  # a subscribed feed: its name (RFC 7986 and the older X-WR- form) and how often to refresh
        calendar.add("name", strip_control(name, multi_line=False))
        calendar.add("x-wr-calname", strip_control(name, multi_line=False))
        calendar.add("refresh-interval", FEED_REFRESH, parameters={"VALUE": "DURATION"})
        calendar.add("x-published-ttl", FEED_REFRESH)
    end = "END:VCALENDAR\r\n"
    # What calendar.to_ical() writes with the zones and events added as subcomponents, in this order.
    return serialize(calendar)[:-len(end)] + "".join(_zone_text(tzid, year) for tzid, year in sorted(zones)) + \
        "".join(serialize(event) for event in events) + end


@lru_cache(maxsize=512)
def _zone_text(tzid: str, year: int) -> str:
    """A VTIMEZONE is a pure function of the zone's rules: written once per zone and year."""
    return serialize(vtimezone(tzid, year))


def serialize(component) -> str:
    """component.to_ical(), byte for byte, in a third of the time: icalendar folds every content line
    character by character, even the ones that need no folding."""
    return "".join(fold(line) + "\r\n" for line in component.content_lines() if line)


def fold(line: str) -> str:
    """RFC 5545 section 3.1 folding exactly as icalendar's: lines of at most 74 octets stay whole;
    longer ASCII lines are cut every 74 characters, never right after a backslash or a caret
    (an escape must not straddle a fold); any other line goes through icalendar itself."""
    if len(line) < FOLD_AT and (line.isascii() or len(line.encode()) < FOLD_AT):
        return line
    if not line.isascii():
        return Contentline(line).to_ical().decode()
    parts, start = [], 0
    while len(line) - start >= FOLD_AT:
        end = start + FOLD_AT - 1
        if end - start > 1 and line[end - 1] in "\\^":
            end -= 1
        parts.append(line[start:end])
        start = end
    parts.append(line[start:])
    return "\r\n ".join(parts)


def _build(method: str, invites: list[Invite], stamp: datetime, *, with_attendees: bool,
           feed_name: str | None = None) -> str:
    """The calendar of `invites`: one VTIMEZONE per zone (its yearly rules, from the first year seen),
    each event on its recipient's clock where that is safe (on_local_clock), else in UTC."""
    years: dict[str, int] = {}
    for invite in invites:
        years.setdefault(invite.timezone, invite.start.astimezone(ZoneInfo(invite.timezone)).year)
    local = [on_local_clock(invite, years[invite.timezone]) for invite in invites]
    zones = {(invite.timezone, years[invite.timezone]) for invite, here in zip(invites, local) if here}
    events = [_event(invite, stamp, with_attendees=with_attendees, local=here, in_feed=feed_name is not None)
              for invite, here in zip(invites, local)]
    return _calendar(method, events, zones, feed_name)


def request(invite: Invite, stamp: datetime) -> str:
    """METHOD:REQUEST: a new appointment, or a moved one (same UID, higher SEQUENCE)."""
    return _build("REQUEST", [invite], stamp, with_attendees=True)


def cancel(invite: Invite, stamp: datetime) -> str:
    """METHOD:CANCEL with STATUS:CANCELLED: the calendar removes the event with that UID."""
    return _build("CANCEL", [replace(invite, cancelled=True)], stamp, with_attendees=True)


def decline_counter(invite: Invite, proposer: Person, stamp: datetime, comment: str = "") -> str:
    """METHOD:DECLINECOUNTER (RFC 5546, 3.2.8): the organizer turns down the time an attendee proposed.
    The event keeps its UID and its current SEQUENCE (a refusal changes nothing, so no version is
    added); it names the ORGANIZER and the proposer's ATTENDEE, whose calendar shows the refusal, and
    carries no time, place or summary: the booked appointment stands as the last REQUEST described it."""
    event = Event()
    event.add("uid", invite.uid)
    event.add("sequence", invite.sequence)
    event.add("dtstamp", stamp)
    event.add("organizer", _address(invite.organizer, invite.organizer_name))
    event.add("attendee", _address(proposer.email, proposer.name))
    if comment:
        event.add("comment", strip_control(comment, multi_line=False))
    return _calendar("DECLINECOUNTER", [event], set())


def publish(invites: list[Invite], stamp: datetime) -> str:
    """METHOD:PUBLISH for a download or a subscribed feed: events without attendees to answer."""
    return _build("PUBLISH", invites, stamp, with_attendees=False)


def feed(invites: list[Invite], stamp: datetime, name: str) -> str:
    """A subscribed calendar feed (METHOD:PUBLISH): named, refreshed hourly, without alarms, the case
    reference in each SUMMARY, and without cancelled appointments (subscribed calendars ignore
    STATUS:CANCELLED and would keep showing them; left out, they disappear at the next refresh)."""
    return _build("PUBLISH", [i for i in invites if not i.cancelled], stamp, with_attendees=False, feed_name=name)


def method_of(ics: str) -> str | None:
    """The METHOD of a calendar text (the MIME part's method parameter must equal it)."""
    for line in ics.splitlines():
        if line.upper().startswith("METHOD:"):
            return line.split(":", 1)[1].strip().upper()
    return None
