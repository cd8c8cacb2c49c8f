"""Small pieces shared by the forms and request arguments of every stage."""
from __future__ import annotations

from collections.abc import Iterable
from zoneinfo import available_timezones

from wtforms import SelectMultipleField
from wtforms.fields.choices import SelectChoice
from wtforms.widgets import CheckboxInput, ListWidget


# The IANA zones a person picks from (regions, not the Etc/ and SystemV/ aliases).
TIMEZONES = sorted(z for z in available_timezones() if "/" in z and not z.startswith(("Etc/", "SystemV/")))


def whole_number(value, digits: int = 9) -> int | None:
    """The number written in `value` with ASCII digits only (at most `digits` of them), else None.

    str.isdigit() alone also passes "²" (which int() refuses) and thousands of digits (past
    int()'s limit): both were a 500 wherever a page or an import read a number that way."""
    text = value.strip() if isinstance(value, str) else ""
    return int(text) if text.isascii() and text.isdigit() and len(text) <= digits else None


def options(pairs: Iterable) -> list[SelectChoice]:
    """Choices for a select or radio field from (value, label) pairs, a dict, or plain values."""
    items = pairs.items() if isinstance(pairs, dict) else pairs
    return [SelectChoice(*item) if isinstance(item, tuple) else SelectChoice(item) for item in items]


class MultiCheckboxField(SelectMultipleField):
    """A list of checkboxes (several answers allowed)."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()
