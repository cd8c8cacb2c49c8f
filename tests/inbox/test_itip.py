"""The reply reader (clinic.inbox.itip), pure: real clients' shapes read to the same facts, and
anything else refused with a reason in plain words, never another exception."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from clinic.inbox import itip
from tests.inbox.replies import build, calendar_text

UTC = timezone.utc
SUMMER = (datetime(2026, 7, 15, 13, 0, tzinfo=UTC), datetime(2026, 7, 15, 14, 0, tzinfo=UTC))    # 09:00 EDT
WINTER = (datetime(2026, 12, 10, 14, 0, tzinfo=UTC), datetime(2026, 12, 10, 15, 0, tzinfo=UTC))  # 09:00 EST
UID = "3f1c9a4e-0b7d-4c55-9f61-2d8e7a1b6c30@second-opinion"


def reply(shape: str, when=SUMMER, **changes) -> bytes:
    values = dict(uid=UID, sequence=2, attendee="jane.roe@example.org", start=when[0], end=when[1],
                  partstat="DECLINED") | changes
    return build(shape, **values)


@pytest.mark.parametrize("shape", ["gmail", "outlook", "apple"])
@pytest.mark.parametrize("partstat", ["ACCEPTED", "TENTATIVE", "DECLINED"])
def test_each_clients_reply_reads_to_the_same_facts(shape, partstat):
    facts = itip.read(reply(shape, partstat=partstat))
    assert (facts.method, facts.uid, facts.sequence) == ("REPLY", UID, 2)
    assert [(a.address, a.partstat) for a in facts.attendees] == [("jane.roe@example.org", partstat)]
    assert facts.stamp == datetime(2026, 3, 2, 14, 51, 44, tzinfo=UTC)


@pytest.mark.parametrize("encoding", ["quoted-printable", "base64"])
def test_apple_reply_keeps_its_own_name_for_the_attendee_and_decodes_either_transfer_encoding(encoding):
    facts = itip.read(reply("apple", attendee_name="José Núñez", partstat="ACCEPTED", apple_encoding=encoding))
    assert facts.attendee.name == "José Núñez" and facts.attendee.partstat == "ACCEPTED"


def test_gmail_inline_calendar_wins_over_its_invite_ics_attachment():
    other = calendar_text("gmail", uid="another@elsewhere", sequence=9, attendee="x@example.org", attendee_name="X",
                          partstat="ACCEPTED", organizer="o@example.org", organizer_name="O", stamp="20260101T000000Z",
                          start_utc="20260101T000000Z", end_utc="20260101T010000Z", reference="R",
                          specialist_name="S")
    facts = itip.read(reply("gmail", attachment=other))
    assert (facts.uid, facts.attendee.partstat) == (UID, "DECLINED")


def test_a_calendar_sent_only_as_an_attachment_is_found():
    raw = (b"From: jane.roe@example.org\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n"
           b"--b\r\nContent-Type: text/plain\r\n\r\nSee attached.\r\n--b\r\n"
           b"Content-Type: application/octet-stream; name=\"reply.ics\"\r\nContent-Disposition: attachment; "
           b"filename=\"reply.ics\"\r\n\r\n" + _ics(_event()).encode() + b"\r\n--b--\r\n")
    assert itip.read(raw).attendee.partstat == "ACCEPTED"


@pytest.mark.parametrize("when, local", [(SUMMER, "09:00 EDT"), (WINTER, "09:00 EST")])
def test_outlook_counter_proposes_a_time_on_its_windows_zone_read_as_utc(when, local):
    start, end = when[0] + timedelta(days=1, hours=2), when[1] + timedelta(days=1, hours=2)
    facts = itip.read(reply("outlook_counter", when=when, proposed_start=start, proposed_end=end,
                            comment="Could we do Thursday afternoon?"))
    assert facts.method == "COUNTER" and (facts.start, facts.end) == (start, end)
    assert facts.start.tzinfo == UTC and facts.comment == "Could we do Thursday afternoon?"


def test_lf_line_ends_of_a_mail_server_pipe_read_the_same():
    assert itip.read(reply("outlook", line_end="\n")) == itip.read(reply("outlook"))


def test_envelope_takes_one_sender_and_cleans_hostile_headers():
    raw = (b"From: Jane <jane@example.org>\r\nSubject: =?utf-8?q?Hi=1B=5B31m_there?=\r\n\tand more\xff\xfe\r\n"
           b"Message-ID: <" + b"a" * 5000 + b"@x>\r\n\r\nbody")
    envelope = itip.envelope(raw)
    assert envelope.sender == "jane@example.org"
    assert "\x1b" not in envelope.subject and "\r" not in envelope.subject and "\udcff" not in envelope.subject
    assert len(envelope.message_id) == 300
    assert itip.envelope(b"From: a@example.org, b@example.org\r\n\r\nx").sender == ""
    assert itip.envelope(b"From: <not an address>\r\n\r\nx").sender == ""
    assert itip.envelope(b"\x00\xff garbage").sender == ""


def _event(**lines) -> str:
    fields = {"UID": UID, "SEQUENCE": "0", "DTSTAMP": "20260302T145144Z",
              "ATTENDEE;PARTSTAT=ACCEPTED": "mailto:jane.roe@example.org"} | lines
    return "BEGIN:VEVENT\r\n" + "".join(f"{k}:{v}\r\n" for k, v in fields.items() if v is not None) + "END:VEVENT\r\n"


def _ics(*components: str, method: str = "REPLY") -> str:
    return f"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//t//EN\r\nMETHOD:{method}\r\n" + "".join(components) + \
        "END:VCALENDAR\r\n"


def _mail(ics: str, part_method: str | None = "REPLY") -> bytes:
    method = f"; method={part_method}" if part_method else ""
    return (f"From: jane.roe@example.org\r\nMIME-Version: 1.0\r\nContent-Type: text/calendar; charset=utf-8{method}\r\n"
            f"\r\n{ics}").encode()


COUNTER_TIMES = {"DTSTART": "20260716T150000Z", "DTEND": "20260716T160000Z"}
ZONE = ("BEGIN:VTIMEZONE\r\nTZID:Fast\r\nBEGIN:STANDARD\r\nDTSTART:16010101T000000\r\nTZOFFSETFROM:+0000\r\n"
        "TZOFFSETTO:+0100\r\nRRULE:FREQ=SECONDLY\r\nEND:STANDARD\r\nEND:VTIMEZONE\r\n")
# message -> words the reason must hold; each is kept aside (or, without a calendar, not_calendar).
UGLY = {
    "empty": (b"", "empty"),
    "blank": (b"\r\n\r\n  ", "empty"),
    "too large": (b"x" * (itip.MAX_BYTES + 1), "too large"),
    "no calendar": (b"From: a@example.org\r\nSubject: Thanks!\r\n\r\nSee you then.", "no calendar"),
    "binary garbage": (bytes(range(256)) * 4, "no calendar"),
    "malformed calendar": (_mail("BEGIN:VCALENDAR\r\nthis is not a content line\r\nEND:VCALENDAR\r\n"), "malformed"),
    "not a vcalendar": (_mail("BEGIN:VCARD\r\nFN:Jane\r\nEND:VCARD\r\n"), "VCALENDAR"),
    "refresh": (_mail(_ics(_event(), method="REFRESH"), "REFRESH"), "METHOD:REFRESH"),
    "our own request sent back": (_mail(_ics(_event(), method="REQUEST"), "REQUEST"), "METHOD:REQUEST"),
    "methods disagree": (_mail(_ics(_event(), method="REPLY"), "COUNTER"), "agree"),
    "no event": (_mail(_ics()), "no event"),
    "two events": (_mail(_ics(_event(), _event())), "2 events"),
    "a to-do": (_mail(_ics(_event(), "BEGIN:VTODO\r\nUID:x\r\nEND:VTODO\r\n")), "VTODO"),
    "two attendees in a reply": (_mail(_ics(_event(**{"ATTENDEE;PARTSTAT=DECLINED": "mailto:b@example.org"}))),
                                 "exactly one"),
    "no attendee": (_mail(_ics(_event(**{"ATTENDEE;PARTSTAT=ACCEPTED": None}))), "no ATTENDEE"),
    "attendee not an address": (_mail(_ics(_event(**{"ATTENDEE;PARTSTAT=ACCEPTED": "mailto:jane at home"}))),
                                "not one email address"),
    "needs-action is no answer": (_mail(_ics(_event(**{"ATTENDEE;PARTSTAT=ACCEPTED": None,
                                                        "ATTENDEE;PARTSTAT=NEEDS-ACTION": "mailto:j@example.org"}))),
                                  "NEEDS-ACTION"),
    "recurrence id": (_mail(_ics(_event(**{"RECURRENCE-ID": "20260715T130000Z"}))), "RECURRENCE-ID"),
    "no uid": (_mail(_ics(_event(UID=None))), "no UID"),
    "control characters in uid": (_mail(_ics(_event(UID="abc\x1b[2Jdef"))), "control characters"),
    "sequence not a number": (_mail(_ics(_event(SEQUENCE="two"))), "SEQUENCE"),
    "negative sequence": (_mail(_ics(_event(SEQUENCE="-1"))), "SEQUENCE"),
    "counter without a start": (_mail(_ics(_event(), method="COUNTER"), "COUNTER"), "no start"),
    "floating time": (_mail(_ics(_event(DTSTART="20260716T150000", DTEND="20260716T160000"), method="COUNTER"),
                            "COUNTER"), "floating"),
    "a zone the calendar does not describe": (_mail(_ics(_event(**{"DTSTART;TZID=Mars/Olympus": "20260716T150000"}),
                                                         method="COUNTER"), "COUNTER"), "floating"),
    "a whole day": (_mail(_ics(_event(**{"DTSTART;VALUE=DATE": "20260716"}), method="COUNTER"), "COUNTER"),
                    "whole day"),
    "ends before it starts": (_mail(_ics(_event(DTSTART="20260716T150000Z", DTEND="20260716T140000Z"),
                                         method="COUNTER"), "COUNTER"), "ends before"),
    "year 9999": (_mail(_ics(_event(DTSTART="99990716T150000Z"), method="COUNTER"), "COUNTER"), "9999"),
    "a zone rule repeating every second": (_mail(_ics(ZONE, _event(**{"DTSTART;TZID=Fast": "20260716T150000"}),
                                                      method="COUNTER"), "COUNTER"), "yearly"),
    "too many parts": (b"From: a@example.org\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n" +
                       b"".join(b"--b\r\nContent-Type: text/plain\r\n\r\nx\r\n" for _ in range(60)) + b"--b--\r\n",
                       "more than 50 parts"),
}


@pytest.mark.parametrize("name", sorted(UGLY))
def test_ugly_input_is_refused_with_a_reason_never_an_exception(name):
    raw, words = UGLY[name]
    with pytest.raises(itip.Unreadable) as refused:
        itip.read(raw)
    assert words.lower() in refused.value.reason.lower()
    assert refused.value.calendar == (name not in ("empty", "blank", "no calendar", "binary garbage"))


def test_an_unknown_charset_is_read_as_utf8_and_a_bom_ignored():
    ics = "\ufeff" + _ics(_event(**{"ATTENDEE;PARTSTAT=ACCEPTED": None,
                                      "ATTENDEE;PARTSTAT=ACCEPTED;CN=Zoë": "mailto:jane.roe@example.org"}))
    raw = _mail(ics).replace(b"charset=utf-8", b"charset=x-klingon")
    assert itip.read(raw).attendee.name == "Zoë"


def test_a_counter_may_give_its_length_as_a_duration():
    facts = itip.read(_mail(_ics(_event(DTSTART="20260716T150000Z", DURATION="PT45M"), method="COUNTER"), "COUNTER"))
    assert facts.end - facts.start == timedelta(minutes=45)


def test_apple_attendee_known_by_its_email_parameter_beside_a_urn():
    facts = itip.read(_mail(_ics(_event(**{"ATTENDEE;PARTSTAT=ACCEPTED": None,
                                           'ATTENDEE;EMAIL="Jane.Roe@Example.org";PARTSTAT=DECLINED':
                                               "urn:uuid:7a1c2f3e-1111-2222-3333-444455556666"}))))
    assert facts.attendee.address == "Jane.Roe@Example.org"


@settings(max_examples=150, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(cut=st.integers(min_value=0, max_value=4000), junk=st.binary(max_size=40))
def test_a_real_reply_cut_or_spliced_anywhere_is_read_or_refused(cut, junk):
    raw = reply("outlook_counter")
    damaged = raw[:cut] + junk + raw[cut + len(junk):]
    try:
        itip.read(damaged)
    except itip.Unreadable as refused:
        assert refused.reason
    itip.envelope(damaged)
