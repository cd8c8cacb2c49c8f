"""Replies as calendar apps send them, built from the templates in fixtures/ (README.md there says
where each shape comes from). A template holds placeholders ($uid, $sequence, $attendee...) that a
test fills; the calendar is then put into the mail the way that client encodes it (7bit, base64,
quoted-printable), with CRLF line ends as a mailbox hands them over."""
from __future__ import annotations

import base64
import quopri
import uuid
from datetime import datetime, timedelta, timezone
from email.utils import formataddr
from pathlib import Path
from string import Template
from zoneinfo import ZoneInfo

FIXTURES = Path(__file__).parent / "fixtures"
EASTERN = ZoneInfo("America/New_York")  # the zone of the fixtures' VTIMEZONEs (Outlook's and Apple's)
SHAPES = {  # shape -> (mail template, calendar template)
    "gmail": ("gmail_reply.eml", "gmail_reply.ics"),
    "outlook": ("outlook.eml", "outlook_reply.ics"),
    "outlook_counter": ("outlook.eml", "outlook_counter.ics"),
    "apple": ("apple_reply.eml", "apple_reply.ics"),
}
WORDS = {"ACCEPTED": ("Accepted", "accepted"), "TENTATIVE": ("Tentatively Accepted", "tentatively accepted"),
         "DECLINED": ("Declined", "declined")}
STAMP = datetime(2026, 3, 2, 14, 51, 44, tzinfo=timezone.utc)


def _utc(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).strftime("%Y%m%dT%H%M%SZ")


def _local(moment: datetime) -> str:
    return moment.astimezone(EASTERN).strftime("%Y%m%dT%H%M%S")


def calendar_text(shape: str, **values) -> str:
    """The calendar of `shape` with its placeholders filled (LF line ends)."""
    text = Template((FIXTURES / SHAPES[shape][1]).read_text()).substitute(values)
    return text.rstrip("\n") + "\n"


def _base64(text: str) -> str:
    return base64.encodebytes(text.replace("\n", "\r\n").encode()).decode().rstrip("\n")


def build(shape: str, *, uid: str, sequence: int, attendee: str, start: datetime, end: datetime,
          attendee_name: str = "Jane Roe", sender: str | None = None, partstat: str = "ACCEPTED",
          proposed_start: datetime | None = None, proposed_end: datetime | None = None,
          organizer: str = "scheduling@clinic.example", organizer_name: str = "Second Opinion Clinic",
          specialist_name: str = "Dr. Ada Park", reference: str = "SO-0001", comment: str = "",
          stamp: datetime = STAMP, apple_encoding: str = "quoted-printable", attachment: str | None = None,
          line_end: str = "\r\n", message_id: str | None = None) -> bytes:
    """One reply message of `shape`, as bytes a mailbox would hand over."""
    word, phrase = WORDS.get(partstat, (partstat.title(), partstat.lower()))
    if shape == "outlook_counter":
        word = "New Time Proposed"
    values = dict(uid=uid, sequence=sequence, attendee=attendee, attendee_name=attendee_name, partstat=partstat,
                  organizer=organizer, organizer_name=organizer_name, specialist_name=specialist_name,
                  reference=reference, answer_word=word, comment=comment or "Sent from my phone", stamp=_utc(stamp),
                  start_utc=_utc(start), end_utc=_utc(end), start_local=_local(start), end_local=_local(end),
                  proposed_start_local=_local(proposed_start or start), proposed_end_local=_local(proposed_end or end),
                  vtimezone=(FIXTURES / "outlook_vtimezone.ics").read_text().rstrip("\n"))
    ics = calendar_text(shape, **values)
    if apple_encoding == "base64":
        apple = _base64(ics)
    else:
        apple = quopri.encodestring(ics.encode()).decode()
    mail = Template((FIXTURES / SHAPES[shape][0]).read_text()).substitute(
        values, from_header=formataddr((attendee_name, sender or attendee)), answer_phrase=phrase,
        subject_when=start.astimezone(EASTERN).strftime("%a %b %-d, %Y %-I%p - ") + end.astimezone(EASTERN).strftime("%-I%p (%Z)"),
        message_id=message_id or f"{uuid.uuid4().hex}@mail.example", method="COUNTER" if "counter" in shape else "REPLY",
        ics_7bit=ics.rstrip("\n"), ics_base64=_base64(ics), attachment_base64=_base64(attachment or ics),
        ics_apple=apple.rstrip("\n"), apple_encoding=apple_encoding)
    return mail.replace("\n", line_end).encode("utf-8")


def slot(days: int = 10, hour: int = 9) -> tuple[datetime, datetime]:
    """An hour on the fixtures' clock (Eastern), `days` from now."""
    day = (datetime.now(EASTERN) + timedelta(days=days)).date()
    start = datetime(day.year, day.month, day.day, hour, tzinfo=EASTERN).astimezone(timezone.utc)
    return start, start + timedelta(hours=1)
