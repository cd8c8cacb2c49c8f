"""`clinic i18n`: Babel's catalog commands with this project's paths (shared/DESIGN.md section 12).

    clinic i18n extract         every string marked for translation -> clinic/translations/messages.pot
    clinic i18n update          the catalogs (.po) brought up to date with the template
    clinic i18n init fr         a catalog for a new language
    clinic i18n compile         the .mo files the app reads (committed, so an install serves them)
"""
from __future__ import annotations

from pathlib import Path

import click
from babel.messages.frontend import CommandLineInterface

ROOT = Path(__file__).resolve().parents[2]
CONFIG = Path(__file__).resolve().parent / "babel.cfg"
KEYWORDS = ("_l", "lazy_gettext", "lazy_ngettext:1,2")


def _translations() -> Path:
    return Path(__file__).resolve().parent.parent / "translations"


def pybabel(*args: str) -> None:
    CommandLineInterface().run(["pybabel", "-q", *args])


@click.group("i18n", help="Translations: extract the strings, update, add a language, compile.")
def i18n_cli():
    pass


@i18n_cli.command("extract", help="Collect every marked string into messages.pot.")
def extract_command():
    keywords = [part for keyword in KEYWORDS for part in ("-k", keyword)]
    pybabel("extract", "-F", str(CONFIG), *keywords, "--no-wrap", "--sort-by-file", "--project", "clinic",
            "-o", str(_translations() / "messages.pot"), str(ROOT / "clinic"), str(ROOT / "templates"))


@i18n_cli.command("update", help="Bring every language's catalog up to date with messages.pot.")
def update_command():
    pybabel("update", "--no-wrap", "-i", str(_translations() / "messages.pot"), "-d", str(_translations()))


@i18n_cli.command("init", help="Start the catalog of a new language (a code such as fr or pt_BR).")
@click.argument("code")
def init_command(code: str):
    pybabel("init", "--no-wrap", "-i", str(_translations() / "messages.pot"), "-d", str(_translations()), "-l", code)


@i18n_cli.command("compile", help="Compile the catalogs into the .mo files the app reads.")
def compile_command():
    pybabel("compile", "--statistics", "-d", str(_translations()))
