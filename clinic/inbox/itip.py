"""Replies from calendar apps, read (pure: no Flask, no database): the bytes of one RFC 822 message
to the iTIP facts it states (RFC 5546 REPLY and COUNTER, carried by mail as RFC 6047 describes), or
the plain reason it cannot be read.

Mail comes from outside the clinic, so anything may arrive: nothing here raises but `Unreadable`,
whose reason an admin reads on the page of messages kept aside. The calendar is found wherever the
client put it (Gmail: an inline text/calendar alternative plus the same calendar as invite.ics;
Outlook: a base64 text/calendar alternative and no attachment; Apple: a text/calendar part in
quoted-printable or base64); the inline part is preferred, as RFC 6047 section 2.4 intends.
"""
from __future__ import annotations

import email.errors
import email.parser
import email.policy
import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from email.message import EmailMessage
from email.utils import getaddresses

import icalendar

from clinic.text import one_address, strip_control

MAX_BYTES = 2 * 1024 * 1024   # a reply is a few kilobytes; a bigger message is kept aside unread
MAX_PARTS = 50                # MIME parts walked before giving up
MAX_ATTENDEES = 100
METHODS = ("REPLY", "COUNTER")
ANSWERS = ("ACCEPTED", "TENTATIVE", "DECLINED")
PLAUSIBLE_YEARS = range(1970, 2200)
_MAILTO = re.compile(r"\Amailto:", re.IGNORECASE)
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
# What the email package raises on a malformed header or body (besides its own defect records).
_EMAIL_ERRORS = (ValueError, TypeError, IndexError, AttributeError, LookupError, email.errors.MessageError)
# What icalendar raises on text it cannot make a calendar of.
_ICAL_ERRORS = (ValueError, TypeError, KeyError, IndexError, AttributeError, OverflowError)


class Unreadable(ValueError):
    """A message the clinic cannot act on, with the reason in plain words. `calendar` is False when
    the message holds no calendar at all (ordinary mail sent to the scheduling address)."""

    def __init__(self, reason: str, calendar: bool = True):
        super().__init__(reason)
        self.reason = reason
        self.calendar = calendar


@dataclass(frozen=True)
class Envelope:
    """The headers the clinic keeps of every message, cleaned: one line each, bounded, no control
    character ('' when missing or unreadable). `sender` is the one bare From address."""

    message_id: str
    sender: str
    subject: str


@dataclass(frozen=True)
class Attendee:
    address: str
    name: str
    partstat: str


@dataclass(frozen=True)
class Reply:
    """What a REPLY or COUNTER says. Times are UTC; `start` and `end` are the COUNTER's proposal."""

    method: str
    uid: str
    sequence: int
    attendees: tuple[Attendee, ...]
    stamp: datetime | None
    start: datetime | None = None
    end: datetime | None = None
    comment: str = ""

    @property
    def attendee(self) -> Attendee:
        return self.attendees[0]


def clean(value: object, limit: int) -> str:
    """Text from outside as one bounded line: undecodable bytes and control characters removed."""
    text = str(value or "").encode("utf-8", "replace").decode("utf-8")  # lone surrogates of raw 8-bit headers
    return strip_control(text, multi_line=False)[:limit]


def _parse(raw: bytes, headers_only: bool = False) -> EmailMessage:
    parser = email.parser.BytesParser(EmailMessage, policy=email.policy.default)
    try:
        return parser.parsebytes(raw, headersonly=headers_only)
    except _EMAIL_ERRORS:
        raise Unreadable("The message could not be read as mail (RFC 822).", calendar=False) from None


def _header(message: EmailMessage, name: str) -> str:
    try:
        return str(message.get(name, ""))
    except _EMAIL_ERRORS:
        return ""


def _bare_sender(value: str) -> str:
    addresses = [address for _, address in getaddresses([value]) if address]
    if len(addresses) != 1:
        return ""
    try:
        return one_address(addresses[0])
    except ValueError:
        return ""


def envelope(raw: bytes) -> Envelope:
    """The Message-ID, sender and subject of `raw` (its headers only: even a huge message's)."""
    try:
        message = _parse(raw[:256 * 1024], headers_only=True)
    except Unreadable:
        return Envelope("", "", "")
    return Envelope(message_id=clean(_header(message, "Message-ID"), 300),
                    sender=_bare_sender(clean(_header(message, "From"), 1000)),
                    subject=clean(_header(message, "Subject"), 300))


def read(raw: bytes) -> Reply:
    """The iTIP facts of a reply, or Unreadable with the reason."""
    if not raw or not raw.strip():
        raise Unreadable("The message is empty.", calendar=False)
    if len(raw) > MAX_BYTES:
        raise Unreadable(f"The message is too large (over {MAX_BYTES // (1024 * 1024)} MB); it was not read.")
    message = _parse(raw)
    part = _calendar_part(message)
    if part is None:
        raise Unreadable("The message holds no calendar (no text/calendar part or .ics attachment).",
                         calendar=False)
    calendar = _calendar(_calendar_text(part))
    return _reply(calendar, _part_method(part))


def _calendar_part(message: EmailMessage):
    """The inline text/calendar part, else the first calendar attachment (application/ics,
    text/calendar, or any part named *.ics)."""
    inline = attached = None
    for count, part in enumerate(message.walk()):
        if count >= MAX_PARTS:
            raise Unreadable(f"The message has more than {MAX_PARTS} parts; it was not read further.")
        if part.is_multipart():
            continue
        try:
            kind, disposition = part.get_content_type(), part.get_content_disposition()
            name = (part.get_filename() or "").lower()
        except _EMAIL_ERRORS:
            continue
        if kind == "text/calendar" and disposition != "attachment":
            inline = inline or part
        elif kind in ("text/calendar", "application/ics") or name.endswith(".ics"):
            attached = attached or part
    return inline or attached


def _calendar_text(part) -> str:
    try:
        payload = part.get_payload(decode=True) or b""
        charset = part.get_content_charset() or "utf-8"
    except _EMAIL_ERRORS:
        raise Unreadable("The calendar part could not be decoded.") from None
    try:
        text = payload.decode(charset, "replace")
    except LookupError:  # a charset Python does not know: calendars are UTF-8 (RFC 5545 3.1.4)
        text = payload.decode("utf-8", "replace")
    text = text.lstrip("\ufeff")
    if not text.strip():
        raise Unreadable("The calendar part is empty.")
    return text


def _part_method(part) -> str:
    try:
        return str(part.get_param("method") or "").strip().upper()
    except _EMAIL_ERRORS:
        return ""


def _calendar(text: str) -> icalendar.Calendar:
    try:
        calendar = icalendar.Calendar.from_ical(text)
    except _ICAL_ERRORS as error:
        raise Unreadable(f"The calendar is malformed ({clean(error, 120)}).") from None
    if not isinstance(calendar, icalendar.Calendar) or calendar.name != "VCALENDAR":
        raise Unreadable("The calendar part holds no VCALENDAR.")
    return calendar


def _reply(calendar: icalendar.Calendar, part_method: str) -> Reply:
    method = clean(calendar.get("method", ""), 40).upper() or part_method
    if part_method and method != part_method:
        raise Unreadable(f"The calendar says METHOD:{method} but its mail part says method={part_method} "
                         "(RFC 6047 requires them to agree).")
    if method not in METHODS:
        raise Unreadable(f"METHOD:{method or '(none)'} is not an answer to an invite (only REPLY and COUNTER are read).")
    events = [c for c in calendar.subcomponents if c.name == "VEVENT"]
    others = sorted({c.name for c in calendar.subcomponents if c.name not in ("VEVENT", "VTIMEZONE")})
    if others:
        raise Unreadable(f"The calendar holds {', '.join(others)}, not only an event.")
    if len(events) != 1:
        raise Unreadable("The calendar holds no event." if not events else
                         f"The calendar holds {len(events)} events; an answer to one invite holds one.")
    _check_zone_rules(calendar)
    event = events[0]
    if "RECURRENCE-ID" in event:
        raise Unreadable("The answer is for one occurrence of a repeating event (RECURRENCE-ID); "
                         "the clinic's invites never repeat.")
    uid = str(event.get("uid", "")).strip()
    if not uid:
        raise Unreadable("The event has no UID.")
    if _CONTROL.search(uid) or len(uid) > 255:
        raise Unreadable("The event's UID holds control characters or is too long.")
    attendees = _attendees(event)
    if method == "REPLY" and len(attendees) != 1:
        raise Unreadable(f"A REPLY names {len(attendees)} attendees; RFC 5546 (3.2.3) allows exactly one, "
                         "the one answering.")
    if method == "REPLY" and attendees[0].partstat not in ANSWERS:
        raise Unreadable(f"The answer PARTSTAT={attendees[0].partstat} is not accepted, tentative or declined.")
    start = end = None
    if method == "COUNTER":
        start, end = _proposed(event)
    return Reply(method=method, uid=uid, sequence=_sequence(event), attendees=attendees,
                 stamp=_stamp(event), start=start, end=end, comment=_comment(event))


def _check_zone_rules(calendar: icalendar.Calendar) -> None:
    """Time zone rules from outside are computed when a TZID time is read: a rule repeating every
    second from 1601 would keep the reader busy for hours. Real VTIMEZONEs repeat yearly."""
    for zone in (c for c in calendar.subcomponents if c.name == "VTIMEZONE"):
        for rule in zone.subcomponents:
            rrules = rule.get("rrule")
            for value in rrules if isinstance(rrules, list) else [rrules] if rrules else []:
                if [str(f).upper() for f in value.get("FREQ", [])] != ["YEARLY"]:
                    raise Unreadable(f"The time zone {clean(zone.get('tzid', ''), 60)} has a rule that does "
                                     "not repeat yearly.")
            dates = rule.get("rdate")
            if isinstance(dates, list) and len(dates) > 500:
                raise Unreadable("A time zone lists too many changes.")


def _address(value) -> str:
    """The attendee's email: the mailto: value, or Apple's EMAIL parameter beside an urn:uuid value."""
    text = str(value).strip()
    if _MAILTO.match(text):
        text = _MAILTO.sub("", text)
    elif getattr(value, "params", {}).get("EMAIL"):
        text = str(value.params["EMAIL"]).strip()
    try:
        return one_address(text)
    except ValueError:
        raise Unreadable(f"ATTENDEE {clean(text, 80)!r} is not one email address.") from None


def _attendees(event) -> tuple[Attendee, ...]:
    values = event.get("attendee")
    values = values if isinstance(values, list) else [values] if values is not None else []
    if not values:
        raise Unreadable("The event names no ATTENDEE.")
    if len(values) > MAX_ATTENDEES:
        raise Unreadable(f"The event names more than {MAX_ATTENDEES} attendees.")
    params = [getattr(value, "params", {}) for value in values]
    return tuple(Attendee(address=_address(value), name=clean(p.get("CN", ""), 200),
                          partstat=clean(p.get("PARTSTAT", "NEEDS-ACTION"), 20).upper())
                 for value, p in zip(values, params))


def _sequence(event) -> int:
    try:
        sequence = int(str(event.get("sequence", 0)).strip())
    except ValueError:
        raise Unreadable("The event's SEQUENCE is not a whole number.") from None
    if not 0 <= sequence < 1_000_000:
        raise Unreadable("The event's SEQUENCE is out of range.")
    return sequence


def _instant(event, name: str) -> datetime:
    try:
        value = event.decoded(name)
    except _ICAL_ERRORS:
        raise Unreadable(f"The event's {name.upper()} is not a date and time.") from None
    if not isinstance(value, datetime):
        raise Unreadable(f"The event's {name.upper()} is a whole day, not a time." if isinstance(value, date) else
                         f"The event's {name.upper()} is not a date and time.")
    if value.tzinfo is None or value.utcoffset() is None:
        raise Unreadable(f"The event's {name.upper()} is a floating time (no time zone, or a TZID the calendar "
                         "does not describe): the instant it means cannot be known.")
    try:
        moment = value.astimezone(timezone.utc)
    except _ICAL_ERRORS:
        raise Unreadable(f"The event's {name.upper()} is outside the calendar.") from None
    if moment.year not in PLAUSIBLE_YEARS:
        raise Unreadable(f"The event's {name.upper()} is in the year {moment.year}.")
    return moment


def _stamp(event) -> datetime | None:
    if "DTSTAMP" not in event:
        return None
    try:
        return _instant(event, "dtstamp")
    except Unreadable:
        return None  # the order of two answers of one version is then their arrival


def _proposed(event) -> tuple[datetime, datetime | None]:
    if "DTSTART" not in event:
        raise Unreadable("The proposal (COUNTER) gives no start (DTSTART).")
    start = _instant(event, "dtstart")
    end = None
    if "DTEND" in event:
        end = _instant(event, "dtend")
    elif "DURATION" in event:
        try:
            length = event.decoded("duration")
        except _ICAL_ERRORS:
            raise Unreadable("The proposal's DURATION is malformed.") from None
        end = start + length if isinstance(length, timedelta) else None
    if end is not None and end <= start:
        raise Unreadable("The proposed time ends before it starts.")
    return start, end


def _comment(event) -> str:
    values = event.get("comment")
    values = values if isinstance(values, list) else [values] if values is not None else []
    text = "\n".join(str(v) for v in values).encode("utf-8", "replace").decode("utf-8")
    return strip_control(text).strip()[:1000]
