"""Text from outside: control characters refused at the door and never emitted, and an email
field holding exactly one address (pure: no Flask).

BEL, ESC, vertical tab and the other C0/C1 controls have no place in a name or a note. Stored,
they reached invites, where RFC 5545 (section 3.3.11) forbids them in TEXT and a strict parser then
rejects the whole calendar, and plain-text mail, where ESC sequences drive the reader's terminal.
Ordinary newlines and tabs are kept only where a field is multi-line."""
from __future__ import annotations

import re

from email_validator import EmailNotValidError, validate_email

# C0 controls, DEL and C1 controls. NUL is refused earlier, at the door (clinic/security.py).
_ANY_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
_CONTROL_BUT_LINES = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
CONTROL_MESSAGE = "Remove the control characters (such as escape or bell): use plain text."
ONE_LINE_MESSAGE = "Write this on one line, without control characters."
MAX_ADDRESS = 254  # RFC 5321: a path of 256 octets, its angle brackets included
EMAIL_MESSAGE = "Enter one email address, such as name@example.org."


def refuse_control(value: str, multi_line: bool = False) -> str:
    """`value` unchanged, or ValueError when it holds a control character (a newline, carriage
    return or tab passes only in a multi-line field)."""
    if multi_line:
        if _CONTROL_BUT_LINES.search(value):
            raise ValueError(CONTROL_MESSAGE)
    elif _ANY_CONTROL.search(value):
        raise ValueError(ONE_LINE_MESSAGE if re.search(r"[\t\n\r]", value) and not
                         _CONTROL_BUT_LINES.search(value) else CONTROL_MESSAGE)
    return value


def strip_control(value: str, multi_line: bool = True) -> str:
    """`value` with its control characters removed (newlines and tabs kept when multi-line;
    a carriage return is dropped, CRLF becoming LF): the last guard before text leaves the clinic."""
    if multi_line:
        return _CONTROL_BUT_LINES.sub("", value).replace("\r\n", "\n").replace("\r", "\n")
    return " ".join(_ANY_CONTROL.sub(" ", value).split())


def one_address(value: str) -> str:
    """`value` (stripped) when it is exactly one email address, else ValueError(EMAIL_MESSAGE).

    "a@x.org,b@y.org" or "A <a@x.org>, b@y.org" in one field became two SMTP recipients: the
    email-validator package accepts one bare address only (no list, display name or quoted local
    part). The .test domains of examples pass; no address is looked up in DNS."""
    text = (value or "").strip()
    if len(text) > MAX_ADDRESS:  # refused before the parser, which takes about a second on a megabyte
        raise ValueError(EMAIL_MESSAGE)
    try:
        validate_email(text, check_deliverability=False, test_environment=True)
    except EmailNotValidError:
        raise ValueError(EMAIL_MESSAGE) from None
    return text
