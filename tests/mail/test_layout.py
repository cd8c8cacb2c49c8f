"""Every mail the clinic sends, made through the real services (tests/mail/producers.py), is built
to one layout: a plain part and an HTML part carrying the same links, the clinic's name, address
and phone, nothing of the patient's condition, and HTML that mail clients lay out (no browser
here: tests/browser/test_mail_rendering.py lays them out in Chromium)."""
from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest

from clinic.mail.compose import ClinicContact, render_mail
from tests.conftest import make_users, shared_transaction
from tests.mail.producers import PRODUCERS, Mail, produce

KINDS = [make.__name__ for make in PRODUCERS]
URL = re.compile(r"https?://[^\s<>\"')]+")
STYLE_WIDTH = re.compile(r"(?<![-\w])(?:min-)?width\s*:\s*(\d+)px")


@pytest.fixture(scope="module")
def sent(_app) -> dict[str, list[Mail]]:
    """Each producer's mails, made once for the module (and rolled back after it)."""
    with shared_transaction(_app):
        users = make_users()
        yield {make.__name__: produce(make, users) for make in PRODUCERS}


class Structure(HTMLParser):
    """What a mail client needs of the HTML part, read the way a simple parser reads it."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.lang, self.links, self.problems, self.title, self._in_title = None, [], [], "", False
        self.hidden_preheader = False

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        style = attributes.get("style") or ""
        if tag == "html":
            self.lang = attributes.get("lang")
        if tag == "title":
            self._in_title = True
        if tag == "pre":
            self.problems.append("a <pre> block (it keeps its width on a phone)")
        if tag == "table" and attributes.get("role") != "presentation":
            self.problems.append("a layout <table> without role=presentation")
        if tag == "img" and "alt" not in attributes:
            self.problems.append(f"an image without alt: {attributes.get('src')}")
        if tag == "script":
            self.problems.append("a <script>")
        width = attributes.get("width") or ""
        if width.isdigit() and int(width) > 600:
            self.problems.append(f"<{tag} width={width}>")
        self.problems += [f"<{tag}> styled {px}px wide" for px in STYLE_WIDTH.findall(style) if int(px) > 600]
        if tag == "a":
            self.links.append(attributes.get("href") or "")
        if tag == "div" and "display:none" in style.replace(" ", "") and not self.links:
            self.hidden_preheader = True

    def handle_endtag(self, tag):
        if tag == "title":
            self._in_title = False

    def handle_data(self, data):
        if self._in_title:
            self.title += data


def structure(html: str) -> Structure:
    parser = Structure()
    parser.feed(html)
    parser.close()
    return parser


def text_links(text: str) -> set[str]:
    return {url.rstrip(".,:;") for url in URL.findall(text)}


def mails_of(sent, kind) -> list[Mail]:
    mails = sent[kind]
    assert mails, f"{kind} sent nothing"
    return mails


@pytest.mark.parametrize("kind", KINDS)
def test_every_mail_has_a_plain_part_and_an_html_part(sent, kind):
    for mail in mails_of(sent, kind):
        assert mail.text.strip() and mail.html.strip(), mail.name
        assert mail.html.lstrip().lower().startswith("<!doctype html>"), mail.name


@pytest.mark.parametrize("kind", KINDS)
def test_both_parts_carry_the_same_links_and_every_link_is_absolute(sent, kind):
    for mail in mails_of(sent, kind):
        html_links = set(structure(mail.html).links)
        assert html_links == text_links(mail.text), mail.name
        assert all(re.match(r"https?://[^/]+", href) for href in html_links), mail.name


@pytest.mark.parametrize("kind", KINDS)
def test_every_mail_names_the_clinic_its_postal_address_and_its_phone(sent, kind, app):
    clinic = (app.config["CLINIC_NAME"], app.config["CLINIC_ADDRESS"], app.config["CLINIC_PHONE"])
    for mail in mails_of(sent, kind):
        for part in (mail.text, mail.html):
            assert all(fact in part for fact in clinic), mail.name


@pytest.mark.parametrize("kind", KINDS)
def test_no_mail_names_the_condition_its_code_the_treatment_or_the_patients_questions(sent, kind):
    for mail in mails_of(sent, kind):
        everything = f"{mail.subject}\n{mail.text}\n{mail.html}".lower()
        leaked = [private for private in mail.private if private.lower() in everything]
        assert leaked == [], mail.name


@pytest.mark.parametrize("kind", KINDS)
def test_the_html_part_is_built_for_mail_clients(sent, kind):
    """A language, a title, a hidden preheader first, no <pre> or script, nothing wider than 600px,
    layout tables marked as presentation, every image described."""
    for mail in mails_of(sent, kind):
        found = structure(mail.html)
        assert found.lang == "en", mail.name
        assert found.title.strip(), mail.name
        assert found.hidden_preheader, mail.name
        assert found.problems == [], mail.name
        assert 'name="viewport"' in mail.html, mail.name


def test_the_patients_appointment_mails_list_what_to_prepare_and_name_no_photo_id_for_video(sent):
    """The checklist of invites.prep_checklist, for the patient's kind of visit, as a list in both parts."""
    checked = 0
    for kind in ("appointment_booked", "appointment_booked_in_person", "appointment_moved"):
        for mail in sent[kind]:
            items = re.findall(r"<li[^>]*>(.*?)</li>", mail.html, re.S)
            if not mail.to_patient:
                assert items == [] and "Before" not in mail.text, mail.name
                continue
            assert len(items) >= 3, mail.name
            assert all(f"- {item.strip()}" in mail.text for item in items), mail.name
            video = "video call" in mail.text.lower()
            assert ("photo ID" in mail.text) is not video, mail.name
            checked += 1
    assert checked == 3


def test_a_cancellation_gives_no_checklist_and_never_the_reason(sent):
    for mail in sent["appointment_cancelled"]:
        assert "<li" not in mail.html and "Before" not in mail.text, mail.name


def test_render_mail_works_outside_any_request_and_gives_the_clinic_from_settings(app):
    app.config.update(CLINIC_NAME="Harbor Second Opinions", CLINIC_ADDRESS="1 Quay Road, Portland, ME 04101",
                      CLINIC_PHONE="+1 207 555 0100", PUBLIC_URL="https://second.example/")
    try:
        text, html = render_mail("case_proposed", specialist_name="Dr. Ada Park", reference="SO-ABCD-EFGH",
                                 url="https://second.example/specialist/assignments/1")
    finally:
        app.config.update(CLINIC_NAME="Second Opinion Clinic")
    for part in (text, html):
        assert "Harbor Second Opinions" in part and "1 Quay Road, Portland, ME 04101" in part
        assert "+1 207 555 0100" in part and "SO-ABCD-EFGH" in part
    assert "<table role=\"presentation\"" in html and "\n\n\n" not in text


def test_the_layout_and_parts_other_mails_are_built_on(app):
    """The contract new mails are written against: render_mail's `clinic`, the layouts' blocks and the
    parts' macros (with a `name` of the template's own allowed in the context)."""
    environment = app.jinja_env
    probe = environment.from_string(
        '{% extends "mail/_layout.html" %}{% import "mail/_parts.html" as parts %}'
        '{% block preheader %}PRE{% endblock %}{% block content %}{{ parts.heading("H") }}{{ parts.paragraph("P") }}'
        '{{ parts.facts([("When", "Today"), ("Nothing", none)]) }}{{ parts.checklist(["one", "two"]) }}'
        '{{ parts.button("https://x.example/a", "Go") }}[{{ name }}]{% endblock %}')
    html = probe.render(clinic=ClinicContact("C", "A", "P", "https://x.example"), name="N")
    assert "PRE" in html and "<h1" in html and ">P</p>" in html and "Today" in html and "Nothing" not in html
    assert html.count("<li") == 2 and 'href="https://x.example/a"' in html and "bgcolor=" in html and "[N]" in html
    text = environment.from_string(
        '{% extends "mail/_layout.txt" %}{% import "mail/_parts.txt" as parts %}{% block content %}'
        '{{ parts.facts([("When", "Today")]) }}{{ parts.checklist(["one"]) }}'
        '{{ parts.button("https://x.example/a", "Go") }}{% endblock %}').render(clinic=ClinicContact("C", "A", "P", "https://x.example"))
    assert "When: Today" in text and "- one" in text and "https://x.example/a" in text and "\nA\n" in text
