"""Small pieces shared by the forms of every stage."""
from __future__ import annotations

from collections.abc import Iterable

from wtforms import SelectMultipleField
from wtforms.fields.choices import SelectChoice
from wtforms.widgets import CheckboxInput, ListWidget


def options(pairs: Iterable) -> list[SelectChoice]:
    """Choices for a select or radio field from (value, label) pairs, a dict, or plain values."""
    items = pairs.items() if isinstance(pairs, dict) else pairs
    return [SelectChoice(*item) if isinstance(item, tuple) else SelectChoice(item) for item in items]


class MultiCheckboxField(SelectMultipleField):
    """A list of checkboxes (several answers allowed)."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()
