"""What a directory value must look like, whichever door it came through (admin form or roster CSV).

Each check returns the clean value or raises ValueError with a sentence for the user.
"""
from __future__ import annotations

import re
from datetime import date
from functools import lru_cache
from zoneinfo import available_timezones

from clinic.directory.npi import NPI_MESSAGE, is_valid_npi
from clinic.formkit import FIRST_DAY, LAST_DAY, OutOfCalendar, whole_number, within_calendar
from clinic.text import one_address, refuse_control

# OWASP CSV injection: a cell starting with one of these runs as a formula when the roster is
# opened in a spreadsheet again. Names never start so; refuse rather than guess.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_PREFIX = re.compile(r"^[A-Z][0-9][0-9A-Z]{0,5}$")
_CODE = re.compile(r"^[a-z0-9][a-z0-9_-]{0,39}$")
_LANGUAGE = re.compile(r"^[a-z]{2,3}$")
TRUE_WORDS, FALSE_WORDS = {"yes", "true", "1", "y"}, {"no", "false", "0", "n", ""}


@lru_cache(maxsize=1)
def timezones() -> frozenset[str]:
    return frozenset(available_timezones())


def text(value: str, limit: int, required: bool = True) -> str | None:
    """Plain text kept inert: no control characters, no spreadsheet formula, within the length."""
    value = (value or "").strip()
    if not value:
        if required:
            raise ValueError("A value is required.")
        return None
    if len(value) > limit:
        raise ValueError(f"Use at most {limit} characters (this has {len(value)}).")
    refuse_control(value)
    if value.startswith(FORMULA_STARTS):
        raise ValueError(f"Starts with “{value[0]}”: spreadsheet formulas are not accepted.")
    return value


def npi(value: str) -> str:
    value = (value or "").strip()
    if not is_valid_npi(value):
        raise ValueError(NPI_MESSAGE)
    return value


def iso_date(value: str, required: bool = True) -> date | None:
    value = (value or "").strip()
    if not value:
        if required:
            raise ValueError("A date is required (YYYY-MM-DD).")
        return None
    try:
        if len(value) != 10:
            raise ValueError
        day = date.fromisoformat(value)
    except ValueError:
        raise ValueError(f"“{value[:20]}” is not a date; use YYYY-MM-DD.") from None
    try:
        return within_calendar(day)
    except OutOfCalendar:
        raise ValueError(f"“{value}” is outside {FIRST_DAY} to {LAST_DAY}; use a date within them.") from None


def dates_in_order(start: date | None, end: date | None) -> None:
    if start and end and end < start:
        raise ValueError(f"The end ({end}) is before the start ({start}).")


def timezone(value: str) -> str:
    value = (value or "").strip()
    if value not in timezones():
        raise ValueError(f"“{value[:40]}” is not a time zone; use an IANA name such as America/New_York.")
    return value


def choice(value: str, allowed) -> str:
    value = (value or "").strip().lower()
    if value not in allowed:
        raise ValueError(f"Use one of: {', '.join(allowed)}.")
    return value


def flag(value: str) -> bool:
    value = (value or "").strip().lower()
    if value in TRUE_WORDS:
        return True
    if value in FALSE_WORDS:
        return False
    raise ValueError("Use yes or no.")


def languages(value: str) -> str:
    """ISO 639 codes separated by ';' or ',' -> 'en;es' (English when empty)."""
    codes = [c.strip().lower() for c in re.split(r"[;,]", value or "") if c.strip()]
    bad = [c for c in codes if not _LANGUAGE.match(c)]
    if bad:
        raise ValueError(f"“{bad[0][:20]}” is not a language code; use ISO 639-1 codes such as en;es.")
    return ";".join(dict.fromkeys(codes)) or "en"


def email(value: str) -> str | None:
    value = (value or "").strip()
    if not value:
        return None
    return one_address(value).lower()


def code(value: str) -> str:
    value = (value or "").strip().lower()
    if not _CODE.match(value):
        raise ValueError("Use lower-case letters, digits, - and _ (at most 40), e.g. breast_oncology.")
    return value


def icd10_prefixes(value: str) -> str:
    """'C50; c50.9' -> 'C50;C509' (dotless, upper case, as matching compares them)."""
    found = []
    for part in (value or "").split(";"):
        prefix = part.strip().upper().replace(".", "")
        if not prefix:
            continue
        if not _PREFIX.match(prefix):
            raise ValueError(f"“{part.strip()[:20]}” is not an ICD-10 prefix (a letter, a digit, then up to 5 more).")
        found.append(prefix)
    if not found:
        raise ValueError("Give at least one ICD-10 prefix, e.g. C50.")
    return ";".join(dict.fromkeys(found))


def volume(value: str) -> int:
    number = whole_number(value, digits=6)
    if number is None:
        raise ValueError("Use a whole number of cases a year (0 to 999999).")
    return number
