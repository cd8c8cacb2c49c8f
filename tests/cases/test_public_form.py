"""The patient's public request form: no account, a clear confirmation, nothing revealed by the code."""
from __future__ import annotations

import pytest
import sqlalchemy as sa
from markupsafe import escape

from clinic.cases.models import Case, Patient
from clinic.cases.vocabulary import SEED_QUESTIONS


def form_data(**changes) -> dict:
    data = {
        "patient_name": "Maria Lopez", "birth_date": "1969-02-11", "email": "maria@example.org",
        "phone": "+1 555 123 4567", "timezone": "America/Chicago", "language": "es",
        "first_doctor_name": "Dr. Helen Carter", "first_doctor_organization": "Riverside Oncology",
        "diagnosis_text": "Breast cancer, stage II", "icd10_code": "C50.911",
        "treatment_text": "Mastectomy", "treatment_invasive": "yes",
        "reasons": ["serious_or_uncertain_diagnosis", "invasive_treatment"], "urgency": "urgent",
        "consent_to_contact_first_doctor": "no", "payment": "insurance",
        "payer": "Acme Health", "plan_name": "Gold PPO", "member_id": "A-778",
    }
    for i, (category, text) in enumerate(SEED_QUESTIONS):
        data |= {f"questions-{i}-include": "y", f"questions-{i}-category": category, f"questions-{i}-text": text}
    data |= {"questions-7-include": "y", "questions-7-category": "other", "questions-7-text": "Can I keep working?"}
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def case_count(session) -> int:
    return session.scalar(sa.select(sa.func.count()).select_from(Case))


def test_the_form_offers_the_seven_questions_checked_and_editable(client):
    page = client.get("/request").get_data(as_text=True)
    for _, text in SEED_QUESTIONS:  # each in its own text box, so a long question reads in full
        assert f"{escape(text)}</textarea>" in page
    assert page.count('type="checkbox" value="y"') >= 7 or page.count("checked") >= 7


def test_a_patient_submits_and_sees_the_reference_and_next_steps(client, session):
    response = client.post("/request", data=form_data())
    assert response.status_code == 302 and response.headers["Location"].endswith("/request/received")
    confirmation = client.get("/request/received").get_data(as_text=True)
    case = session.scalars(sa.select(Case)).one()
    assert case.reference in confirmation
    assert "What happens next" in confirmation
    assert "Breast cancer" not in confirmation and "Maria" not in confirmation
    assert case.channel == "self" and case.urgency == "urgent" and case.treatment_invasive
    assert case.consent_to_contact_first_doctor is False
    assert [q.text for q in case.questions][-1] == "Can I keep working?"
    assert case.named("first_opinion").name == "Dr. Helen Carter"


def test_the_reference_never_appears_in_a_url(client):
    response = client.post("/request", data=form_data())
    assert "SO-" not in response.headers["Location"]


def test_the_confirmation_page_without_a_submission_reveals_nothing(client):
    response = client.get("/request/received")
    assert response.status_code == 302 and response.headers["Location"].endswith("/request")


def test_unticked_questions_are_not_asked_and_edited_ones_are_kept(client, session):
    client.post("/request", data=form_data(**{"questions-4-include": None, "questions-0-text": "Is it really cancer?"}))
    texts = [q.text for q in session.scalars(sa.select(Case)).one().questions]
    assert "How often do you treat this condition?" not in texts
    assert texts[0] == "Is it really cancer?"


@pytest.mark.parametrize("changes, field, message", [
    ({"patient_name": ""}, "patient_name", "This field is required"),
    ({"birth_date": "31/02/1970"}, "birth_date", "Not a valid date"),
    ({"birth_date": "2999-01-01"}, "birth_date", "between 1900 and today"),
    ({"email": "not-an-email"}, "email", "Enter one email address"),
    ({"icd10_code": "Z99.99"}, "icd10_code", "valid ICD-10-CM code"),
    ({"reasons": None}, "reasons", "at least one reason"),
    ({"reasons": ["because"]}, "reasons", "not a valid choice"),
    ({"urgency": "yesterday"}, "urgency", "Not a valid choice"),
    ({"member_id": ""}, "member_id", "or choose self-pay"),
    ({"patient_name": "x" * 201}, "patient_name", "200 characters"),
    ({"diagnosis_text": "x" * 1_000_000}, "diagnosis_text", "4000 characters"),
    ({"phone": "<script>alert(1)</script>"}, "phone", "Use digits"),
    ({"timezone": "../../etc/passwd"}, "timezone", "Not a valid choice"),
    ({"questions-8-include": "y", "questions-8-text": "  "}, "questions-8-text", "Write the question"),
])
def test_bad_input_is_refused_beside_the_field_and_writes_nothing(client, session, changes, field, message):
    response = client.post("/request", data=form_data(**changes))
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert f'id="{field}-error"' in page or f'id="{field}"' in page
    assert message.lower() in page.lower()
    assert case_count(session) == 0
    assert session.scalar(sa.select(sa.func.count()).select_from(Patient)) == 0


def test_self_pay_needs_no_insurance_fields(client, session):
    response = client.post("/request", data=form_data(payment="self_pay", payer="", plan_name="", member_id=""))
    assert response.status_code == 302
    assert session.scalars(sa.select(Case)).one().self_pay


def test_hostile_text_is_stored_as_text_and_escaped_on_display(client, session, client_as):
    hostile = "<script>alert('x')</script> {{ 7*7 }} '; DROP TABLE cases; --"
    client.post("/request", data=form_data(patient_name=hostile, diagnosis_text=hostile))
    case = session.scalars(sa.select(Case)).one()
    assert case.patient.name == hostile
    page = client_as("coordinator").get(f"/cases/{case.id}").get_data(as_text=True)
    assert "<script>alert" not in page and "&lt;script&gt;" in page and "{{ 7*7 }}" in page


def test_no_more_questions_than_the_form_offers_are_kept(client, session):
    extra = {}
    for i in range(10, 60):
        extra |= {f"questions-{i}-include": "y", f"questions-{i}-category": "other", f"questions-{i}-text": f"extra {i}"}
    response = client.post("/request", data=form_data(**extra))
    assert response.status_code == 302
    assert len(session.scalars(sa.select(Case)).one().questions) == 10


def test_public_submissions_are_rate_limited_per_address(app, client):
    app.config["PUBLIC_REQUEST_LIMIT"] = "2 per hour"
    try:
        statuses = [client.post("/request", data=form_data()).status_code for _ in range(3)]
    finally:
        app.config["PUBLIC_REQUEST_LIMIT"] = "20 per hour"
    assert statuses == [302, 302, 429]
