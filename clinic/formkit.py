"""Small pieces shared by the forms and request arguments of every stage."""
from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, timezone
from zoneinfo import available_timezones

import flask_wtf
import wtforms
from werkzeug.routing import IntegerConverter
from wtforms import PasswordField, SelectMultipleField, StringField, TextAreaField, ValidationError
from wtforms.fields.choices import SelectChoice
from wtforms.meta import DefaultMeta
from wtforms.widgets import CheckboxInput, ListWidget, TextArea

from clinic.text import MAX_ADDRESS, one_address, refuse_control

# Ids are PostgreSQL `integer` columns: a larger number was a 500 there ("out of range for type
# integer") on every route and form that looked one up. No row holds one, so it is refused as
# unknown (404 in a URL, a field error in a form) before it reaches a query, on either database.
MAX_ID = 2**31 - 1


# The IANA zones a person picks from (regions, not the Etc/ and SystemV/ aliases).
TIMEZONES = sorted(z for z in available_timezones() if "/" in z and not z.startswith(("Etc/", "SystemV/")))


def whole_number(value, digits: int = 9) -> int | None:
    """The number written in `value` with ASCII digits only (at most `digits` of them), else None.

    str.isdigit() alone also passes "²" (which int() refuses) and thousands of digits (past
    int()'s limit): both were a 500 wherever a page or an import read a number that way."""
    text = value.strip() if isinstance(value, str) else ""
    return int(text) if text.isascii() and text.isdigit() and len(text) <= digits else None


def as_id(value) -> int | None:
    """The database id written in `value` (ASCII digits, 1..MAX_ID), else None."""
    number = whole_number(str(value) if isinstance(value, int) else value, digits=10)
    return number if number is not None and 1 <= number <= MAX_ID else None


def id_choice(value) -> int:
    """`coerce` of a select or radio field whose values are ids: WTForms reports the ValueError
    as the field's own error."""
    number = as_id(value)
    if number is None:
        raise ValueError("Not a valid choice.")
    return number


def _digits_up_to(limit: int) -> str:
    """A regex matching the numbers 1..limit written without leading zeros."""
    digits = str(limit)
    width = len(digits)
    branches = [rf"[1-9]\d{{0,{width - 2}}}"] if width > 1 else []
    for i, digit in enumerate(map(int, digits)):
        low = 1 if i == 0 else 0
        if digit > low:
            rest = width - i - 1
            branches.append(f"{digits[:i]}[{low}-{digit - 1}]" + (rf"\d{{{rest}}}" if rest else ""))
    return "(?:" + "|".join([*branches, digits]) + ")"


class IdConverter(IntegerConverter):
    """`<id:case_id>` in a route: a database id, so 0, negatives and numbers past MAX_ID are an
    ordinary 404 like any made-up address. The bound is in the pattern, not only in to_python:
    Werkzeug answers 405 instead of 404 when a converter refuses a path another method shares."""

    regex = _digits_up_to(MAX_ID)

    def __init__(self, url_map, *args, **kwargs):
        super().__init__(url_map, min=1, max=MAX_ID)


# The calendar this clinic can mean. Python's own ends (year 1, year 9999) were 500s (OverflowError)
# wherever a day from outside met arithmetic: a slot search from 9999-12-31 adds two weeks, a booking
# in year 1 at +01:00 is in year 0 in UTC, an audit filter until 9999-12-31 adds a day.
FIRST_DAY, LAST_DAY = date(1900, 1, 1), date(2200, 12, 31)
DAY_MESSAGE = f"Use a date between {FIRST_DAY} and {LAST_DAY}, written YYYY-MM-DD."
INSTANT_MESSAGE = f"Use a date and time with its UTC offset between {FIRST_DAY} and {LAST_DAY}."


class OutOfCalendar(ValueError):
    """A day or instant outside FIRST_DAY..LAST_DAY, or not one at all."""


def within_calendar(day: date) -> date:
    """`day` (a date or datetime) when it lies within the clinic's calendar, else OutOfCalendar."""
    if not FIRST_DAY <= (day.date() if isinstance(day, datetime) else day) <= LAST_DAY:
        raise OutOfCalendar(DAY_MESSAGE)
    return day


def read_day(value: str | None) -> date | None:
    """The day written as YYYY-MM-DD in `value` (None when empty); OutOfCalendar when it is not a
    date within the calendar."""
    text = (value or "").strip()
    if not text:
        return None
    try:
        if len(text) != 10:
            raise ValueError
        return within_calendar(date.fromisoformat(text))
    except ValueError:
        raise OutOfCalendar(DAY_MESSAGE) from None


def read_instant(value: str | None) -> datetime:
    """An ISO 8601 date and time with its UTC offset, as UTC; OutOfCalendar otherwise."""
    try:
        moment = datetime.fromisoformat((value or "").strip())
    except ValueError:
        raise OutOfCalendar(INSTANT_MESSAGE) from None
    return utc_instant(moment)


def utc_instant(moment: datetime) -> datetime:
    """An aware datetime within the calendar, converted to UTC; OutOfCalendar otherwise."""
    if moment.tzinfo is None or not FIRST_DAY <= moment.date() <= LAST_DAY:
        raise OutOfCalendar(INSTANT_MESSAGE)
    return moment.astimezone(timezone.utc)


def calendar_day(form, field) -> None:
    """WTForms validator of every DateField: the day lies within the clinic's calendar."""
    if field.data is not None:
        try:
            within_calendar(field.data)
        except OutOfCalendar as error:
            raise ValidationError(str(error)) from None


def email_address(form, field) -> None:
    """The validator of every email field: exactly one address (clinic.text.one_address), so a list
    typed into the field never becomes several recipients."""
    if field.data and len(field.data) <= MAX_ADDRESS:  # longer: the field's Length says so, once
        try:
            field.data = one_address(field.data)
        except ValueError as error:
            raise ValidationError(str(error)) from None


def plain_text(form, field) -> None:
    """The validator of every text field of every form: no control characters; newlines and tabs
    only in a text area (passwords are never shown or sent anywhere, so they are left alone)."""
    if isinstance(field.data, str):
        try:
            refuse_control(field.data, multi_line=isinstance(field, TextAreaField) or isinstance(field.widget, TextArea))
        except ValueError as error:
            raise ValidationError(str(error)) from None


class _PlainTextMeta:
    def bind_field(self, form, unbound_field, options):
        field = super().bind_field(form, unbound_field, options)
        if isinstance(field, StringField) and not isinstance(field, PasswordField):
            field.validators = [*field.validators, plain_text]  # a new list: the unbound one is shared
        return field


def _plain_errors(form) -> None:
    """Messages as plain text once validation is done: a translated (lazy) message is read in the
    request's language here, so views may join, compare and flash them as strings."""
    for field in form:
        if isinstance(field.errors, list):
            field.errors = [e if isinstance(e, (dict, list, str)) else str(e) for e in field.errors]
        for entry in getattr(field, "entries", ()):
            if hasattr(entry, "form"):
                _plain_errors(entry.form)


class FlaskForm(flask_wtf.FlaskForm):
    """Every page form's base: flask_wtf's, with plain_text on each of its text fields."""

    class Meta(_PlainTextMeta, flask_wtf.FlaskForm.Meta):
        pass

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        _plain_errors(self)
        return valid


class Form(wtforms.Form):
    """The base of a form nested in another (FormField), with plain_text on each text field."""

    class Meta(_PlainTextMeta, DefaultMeta):
        pass


def options(pairs: Iterable) -> list[SelectChoice]:
    """Choices for a select or radio field from (value, label) pairs, a dict, or plain values."""
    items = pairs.items() if isinstance(pairs, dict) else pairs
    return [SelectChoice(*item) if isinstance(item, tuple) else SelectChoice(item) for item in items]


def translated(pairs: Iterable) -> list[SelectChoice]:
    """Choices whose labels (marked in a vocabulary with N_) are read in the reader's language."""
    from flask_babel import lazy_gettext

    items = pairs.items() if isinstance(pairs, dict) else pairs
    return [SelectChoice(value, lazy_gettext(label)) for value, label in items]


class MultiCheckboxField(SelectMultipleField):
    """A list of checkboxes (several answers allowed)."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()
