"""Every mail's two parts, written from one pair of templates: templates/mail/{name}.txt and .html.

Both extend the mail layout (_layout.txt, _layout.html), which adds the clinic's name, postal
address and phone from settings. The templates are rendered with the app's Jinja environment but
without the page context processors: mail is written outside any request too (the outbox, the
command line, a reminder run by cron).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from flask import current_app

from clinic import i18n

_BLANK_LINES = re.compile(r"\n{3,}")


@dataclass(frozen=True)
class ClinicContact:
    """Who the mail is from, as the reader can reach them (`url`: PUBLIC_URL, the base of every link)."""

    name: str
    address: str
    phone: str
    url: str


def clinic_contact() -> ClinicContact:
    config = current_app.config
    return ClinicContact(name=config["CLINIC_NAME"], address=config["CLINIC_ADDRESS"], phone=config["CLINIC_PHONE"],
                         url=config["PUBLIC_URL"].rstrip("/"))


def render_mail(name: str, /, **context) -> tuple[str, str]:
    """(text, html) of the mail `name`, with `clinic` (ClinicContact) added to the context.

    `name` is positional only, so a template may have a `name` of its own in the context."""
    environment = current_app.jinja_env
    values = {"clinic": clinic_contact(), **context}
    text = environment.get_template(f"mail/{name}.txt").render(values)
    html = environment.get_template(f"mail/{name}.html").render(values)
    return _tidy(text), html


def long_date(day: date) -> str:
    """"Thursday 12 March 2026": a date a patient reads without guessing the order of day and month,
    in the language being written (i18n.long_date)."""
    return i18n.long_date(day)


def _tidy(text: str) -> str:
    """Template whitespace out of the plain part: no trailing spaces, at most one blank line in a row."""
    lines = "\n".join(line.rstrip() for line in text.strip().splitlines())
    return _BLANK_LINES.sub("\n\n", lines) + "\n"
