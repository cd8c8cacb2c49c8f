"""Control characters (BEL, ESC, vertical tab, the other C0 and C1 controls) are refused at the door
beside their field, by the forms and the API, and never leave in an invite or a mail (issue 14).
Before: stored as sent, they reached invites (RFC 5545 forbids them; a strict parser then refused the
whole calendar) and plain-text mail. Newlines and tabs stay where a field is multi-line."""
from __future__ import annotations

import flask_wtf
import pytest
import sqlalchemy as sa
from ical.calendar_stream import IcsCalendarStream

from clinic import formkit
from clinic.cases.models import Case
from clinic.text import CONTROL_MESSAGE, ONE_LINE_MESSAGE, refuse_control, strip_control
from tests.api.test_requests import body as api_body
from tests.cases.test_public_form import form_data
from tests.scheduling.test_invites import STAMP, make

CONTROLS = ("\x07", "\x1b[31m", "\x0b", "\x0c", "\x7f", "\x85", "\x9b", "\x01")


@pytest.mark.parametrize("control", CONTROLS)
def test_a_control_character_is_refused_in_one_line_and_multi_line_text(control):
    for multi_line in (False, True):
        with pytest.raises(ValueError, match="control characters"):
            refuse_control(f"Jane{control}Roe", multi_line)


def test_newlines_and_tabs_pass_only_where_the_field_is_multi_line():
    assert refuse_control("first line\r\n\tsecond line", multi_line=True)
    with pytest.raises(ValueError, match=ONE_LINE_MESSAGE):
        refuse_control("Jane\nRoe")


def test_text_leaving_the_clinic_has_its_control_characters_stripped():
    assert strip_control("Dr.\x07 Park\x1b[31m\x85") == "Dr. Park[31m"
    assert strip_control("Room 7\r\nsecond\tline\x0b") == "Room 7\nsecond\tline"
    assert strip_control("Your\r\nappointment\x1b", multi_line=False) == "Your appointment"


def _all_subclasses(cls):
    for sub in cls.__subclasses__():
        yield sub
        yield from _all_subclasses(sub)


def test_every_form_of_the_app_checks_its_text_fields(app):
    """The one validator is added to each text field by the forms' base class: a form built on
    flask_wtf's FlaskForm directly would miss it."""
    forms = [form for form in _all_subclasses(flask_wtf.FlaskForm) if form.__module__.startswith("clinic.")]
    assert len(forms) > 20
    assert [f.__qualname__ for f in forms if not issubclass(f, formkit.FlaskForm)] == []
    with app.test_request_context():
        for form_class in forms:
            form = form_class(meta={"csrf": False})
            for field in form:
                if field.type in ("StringField", "TextAreaField", "EmailField", "HiddenField", "URLField"):
                    assert formkit.plain_text in field.validators, f"{form_class.__name__}.{field.name}"


@pytest.mark.parametrize("control", ("\x07", "\x1b[2J", "\x0b", "\x9b"))
def test_the_public_form_refuses_a_control_character_beside_its_field(client, session, control):
    response = client.post("/request", data=form_data(patient_name=f"Maria{control}Lopez",
                                                      diagnosis_text=f"Breast cancer{control}"))
    page = response.get_data(as_text=True)
    assert response.status_code == 422 and CONTROL_MESSAGE in page
    assert 'id="patient_name-error"' in page or 'id="patient_name"' in page
    assert session.scalar(sa.select(sa.func.count()).select_from(Case)) == 0


def test_the_public_form_keeps_newlines_in_a_text_area_but_not_in_a_name(client, session):
    refused = client.post("/request", data=form_data(patient_name="Maria\nLopez"))
    assert refused.status_code == 422 and ONE_LINE_MESSAGE in refused.get_data(as_text=True)
    taken = client.post("/request", data=form_data(diagnosis_text="Breast cancer,\nstage II"))
    assert taken.status_code == 302


@pytest.mark.parametrize("path, value", [
    ("patient.name", "Ana\x07Ruiz"), ("patient.name", "Ana\nRuiz"), ("diagnosis.text", "Carcinoma\x1b[31m"),
    ("coverage.payer", "Acme\x85Health"), ("referring_clinician.organization", "River\x0bside"),
])
def test_the_api_refuses_a_control_character_naming_the_field(app, bearer, session, path, value):
    data = api_body()
    *parents, last = path.split(".")
    target = data
    for key in parents:
        target = target[key]
    target[last] = value
    response = app.test_client().post("/api/v1/requests", json=data, headers=bearer("coordinator"))
    assert response.status_code == 422, response.json
    assert (ONE_LINE_MESSAGE if "\n" in value else CONTROL_MESSAGE) in response.json["fields"][path]
    assert session.scalar(sa.select(sa.func.count()).select_from(Case)) == 0


def test_the_api_keeps_newlines_in_multi_line_text(app, bearer):
    data = api_body(diagnosis={"text": "Invasive ductal carcinoma,\nright breast", "icd10": "C50.911"})
    assert app.test_client().post("/api/v1/requests", json=data, headers=bearer("coordinator")).status_code == 201


def test_an_invite_never_carries_a_control_character_and_a_strict_parser_reads_it():
    """Names and locations already stored before the door was closed are stripped on the way out."""
    from clinic.scheduling import invites

    invite = make("2026-03-02T14:00:00+00:00", specialist_name="Dr.\x07 Ada\x1b[31m Park",
                  location="Room\x0b 7", modality="in_person", description="Bring\x1b your scans.\nAnd notes.",
                  attendees=(invites.Person("Jane\x07 Roe", "jane@example.org"),))
    text = invites.request(invite, STAMP)
    assert not [c for c in text if (ord(c) < 32 and c not in "\r\n") or 0x7f <= ord(c) <= 0x9f]
    event = IcsCalendarStream.calendar_from_ics(text).events[0]
    assert event.summary.endswith("Dr. Ada [31m Park") and event.location == "Room 7"


def test_mail_never_carries_a_control_character_in_its_subject_or_bodies(app):
    from clinic.mail import outbox

    with app.test_request_context():
        message = outbox.enqueue("jane@example.org", "Your\x1b[2J appointment\x07", "Hello\x07 Jane,\r\nsee you.\x9b",
                                 "<p>Hello\x1b Jane</p>")
    assert (message.subject, message.text_body, message.html_body) == \
        ("Your [2J appointment", "Hello Jane,\nsee you.", "<p>Hello Jane</p>")
