"""Languages (shared/DESIGN.md section 12): Flask-Babel, the catalogs in clinic/translations, and
the patient's language for everything a patient reads.

Which language a page speaks: a page about one patient's case says so (`speak_for(case)`: the status
page, the upload page); staff read STAFF_LANGUAGE; anyone else (the public request form) chooses
with `?lang=` (remembered in their session), else their browser's Accept-Language, else English.
Mails, invites and the PDF are written inside `patient_language(case)`, whatever the request."""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from babel import Locale
from flask import Flask, g, has_request_context, request, session
from flask_babel import Babel, force_locale, get_locale
from flask_login import current_user

from clinic.i18n.commands import i18n_cli

TRANSLATIONS = Path(__file__).resolve().parent.parent / "translations"
LANGUAGES = {"en": "English", "es": "Español"}  # code -> the language's own name (the switch shows these)
babel = Babel()


def init_app(app: Flask) -> None:
    app.config.setdefault("BABEL_TRANSLATION_DIRECTORIES", str(TRANSLATIONS))
    app.config.setdefault("BABEL_DEFAULT_LOCALE", "en")
    babel.init_app(app, locale_selector=select_locale)
    app.cli.add_command(i18n_cli)
    app.jinja_env.globals.update(current_language=language, patient_languages=lambda: supported(app),
                                 long_date=long_date)


def supported(app: Flask | None = None) -> dict[str, str]:
    """The languages patients may choose: LANGUAGES, plus any the clinic added (PATIENT_LANGUAGES)."""
    from flask import current_app

    extra = (app or current_app).config.get("PATIENT_LANGUAGES", {})
    return LANGUAGES | dict(extra)


def select_locale() -> str:
    if g.get("speak"):
        return g.speak
    if not has_request_context():
        return "en"
    if current_user and current_user.is_authenticated:
        from flask import current_app

        return current_app.config.get("STAFF_LANGUAGE", "en")
    chosen = request.args.get("lang", "")
    if chosen in supported():
        session["lang"] = chosen
        return chosen
    if session.get("lang") in supported():
        return session["lang"]
    return request.accept_languages.best_match(list(supported())) or "en"


def language() -> str:
    """The code of the language this page or message is in ("en", "es")."""
    locale = get_locale()
    return locale.language if locale is not None else "en"


def language_name(code: str, in_language: str | None = None) -> str:
    """"Spanish" (or "español", read in Spanish): a language's name as the reader says it."""
    try:
        return Locale.parse(code).get_display_name(in_language or language()) or code
    except (ValueError, TypeError):
        return code


def speak_for(case) -> None:
    """This request's page is the patient's: it speaks their language."""
    g.speak = patient_code(case)
    from flask_babel import refresh

    refresh()


def patient_code(case) -> str:
    code = getattr(case.patient, "language", None) or "en"
    return code if code in supported() else "en"


@contextmanager
def patient_language(case) -> Iterator[None]:
    """Write a mail, an invite or a PDF for `case`'s patient in their language."""
    with force_locale(patient_code(case)):
        yield


@contextmanager
def staff_language() -> Iterator[None]:
    """Write for staff (a specialist's invite), whatever language the request speaks."""
    from flask import current_app

    with force_locale(current_app.config.get("STAFF_LANGUAGE", "en")):
        yield


def N_(text: str) -> str:
    """Marks a string for the catalog where it is defined (a vocabulary); it is translated where shown."""
    return text


def long_date(day) -> str:
    """"Thursday 12 March 2026" ("jueves 12 de marzo de 2026"): a date read without guessing the order."""
    from flask_babel import format_date, gettext

    # Translators: a Babel date pattern (EEEE weekday, d day, MMMM month, y year; words in quotes).
    return format_date(day, gettext("EEEE d MMMM y"))


def day_and_month(day) -> str:
    """"12 March" ("12 de marzo")."""
    from flask_babel import format_date, gettext

    # Translators: a Babel date pattern (d day, MMMM month; words in quotes).
    return format_date(day, gettext("d MMMM"))


def local_moment(moment, zone: str, pattern: str) -> str:
    """`moment` on `zone`'s clock in a Babel pattern, in the language being written."""
    from zoneinfo import ZoneInfo

    from babel.dates import format_datetime

    return format_datetime(moment.astimezone(ZoneInfo(zone)), pattern, locale=get_locale() or "en")
