"""API v1 requests: create and read a case; every bad field named in a 422, never HTML, never 500."""
from __future__ import annotations

import copy
import json

import pytest
import sqlalchemy as sa

from clinic.cases.models import Case


def body(**changes) -> dict:
    data = {
        "patient": {"name": "Ana Ruiz", "birth_date": "1971-03-02", "email": "ana@example.org",
                    "phone": "+1 555 222 3333", "timezone": "America/Denver", "language": "es"},
        "referring_clinician": {"npi": "1234567893", "name": "Dr. Helen Carter", "organization": "Riverside"},
        "diagnosis": {"text": "Invasive ductal carcinoma", "icd10": "C50.911"},
        "proposed_treatment": {"text": "Mastectomy", "invasive": True},
        "reasons": ["invasive_treatment", "conflicting_opinions"],
        "urgency": "soon",
        "consent_to_contact_first_doctor": True,
        "coverage": {"payer": "Acme Health", "plan": "Gold PPO", "member_id": "A1"},
    }
    data.update(changes)
    return data


def with_path(path: str, value) -> dict:
    data = body()
    *parents, last = path.split(".")
    target = data
    for key in parents:
        target = target[key]
    if value is DELETE:
        del target[last]
    else:
        target[last] = value
    return data


DELETE = object()


@pytest.fixture
def api(app, bearer):
    headers = bearer("coordinator")
    client = app.test_client()

    def call(method, url, payload=None, **kwargs):
        return client.open(url, method=method, json=payload, headers=headers | kwargs.pop("headers", {}), **kwargs)
    return call


def test_create_request_returns_201_and_the_case_shows_in_the_queue(api, client_as, session):
    response = api("POST", "/api/v1/requests", body())
    assert response.status_code == 201
    created = response.get_json()
    assert set(created) == {"id", "reference", "status"} and created["status"] == "records_pending"
    assert response.headers["Location"].endswith(f"/api/v1/requests/{created['id']}")
    case = session.get(Case, created["id"])
    assert case.channel == "api" and len(case.questions) == 7  # the seven questions are offered
    assert created["reference"] in client_as("coordinator").get("/cases").get_data(as_text=True)


def test_get_request_returns_the_case_with_its_timeline_and_waiting_items(api):
    created = api("POST", "/api/v1/requests", body(questions=[{"category": "other", "text": "Can I fly?"}])).get_json()
    document = api("GET", f"/api/v1/requests/{created['id']}").get_json()
    assert document["reference"] == created["reference"]
    assert document["diagnosis"]["icd10_description"] == "Malignant neoplasm of unspecified site of right female breast"
    assert document["questions"] == [{"id": document["questions"][0]["id"], "category": "other",
                                      "text": "Can I fly?", "answer": None}]
    assert document["timeline"][0]["to"] == "records_pending"
    assert document["waiting_for"]


def test_self_pay_coverage(api, session):
    created = api("POST", "/api/v1/requests", body(coverage={"self_pay": True})).get_json()
    assert session.get(Case, created["id"]).self_pay


@pytest.mark.parametrize("path, value, field", [
    ("surprise", 1, "surprise"),
    ("patient.nickname", "Al", "patient.nickname"),
    ("patient.birth_date", "02/03/1971", "patient.birth_date"),
    ("patient.birth_date", "1971-02-30", "patient.birth_date"),
    ("patient.birth_date", "2999-01-01", "patient.birth_date"),
    ("patient.birth_date", 19710302, "patient.birth_date"),
    ("patient.email", "not an email", "patient.email"),
    ("patient.name", "", "patient.name"),
    ("patient.name", "x" * 100_000, "patient.name"),
    ("patient.name", None, "patient.name"),
    ("patient.timezone", "Mars/Olympus", "patient.timezone"),
    ("patient.language", "klingon", "patient.language"),
    ("referring_clinician.npi", "1234567890", "referring_clinician.npi"),
    ("referring_clinician.npi", 1234567893, "referring_clinician.npi"),
    ("diagnosis.icd10", "Z99.99", "diagnosis.icd10"),
    ("diagnosis.icd10", "<script>alert(1)</script>", "diagnosis.icd10"),
    ("diagnosis.text", DELETE, "diagnosis.text"),
    ("proposed_treatment.invasive", "yes", "proposed_treatment.invasive"),
    ("reasons", ["curiosity"], "reasons.0"),
    ("reasons", [], "reasons"),
    ("reasons", "invasive_treatment", "reasons"),
    ("urgency", "asap", "urgency"),
    ("urgency", DELETE, "urgency"),
    ("consent_to_contact_first_doctor", "true", "consent_to_contact_first_doctor"),
    ("questions", [{"category": "other", "text": ""}], "questions.0.text"),
    ("questions", [{"category": "gossip", "text": "?"}], "questions.0.category"),
    ("questions", [{"category": "other", "text": "q"}] * 21, "questions"),
    ("coverage", {"payer": "Acme"}, "coverage.plan"),
    ("coverage", {"self_pay": False}, "coverage.self_pay"),
    ("patient", [], "patient"),
    ("patient", {"name": {"$ne": 1}}, "patient.name"),
])
def test_bad_fields_are_named_in_a_422_and_nothing_is_written(api, session, path, value, field):
    response = api("POST", "/api/v1/requests", with_path(path, value))
    assert response.status_code == 422, response.get_data(as_text=True)
    errors = response.get_json()
    assert errors["error"] == "Some fields are missing or invalid."
    assert field in errors["fields"], errors["fields"]
    assert session.scalar(sa.select(sa.func.count()).select_from(Case)) == 0


def test_every_bad_field_is_reported_at_once(api):
    payload = with_path("urgency", "asap")
    payload["patient"]["birth_date"] = "soon"
    fields = api("POST", "/api/v1/requests", payload).get_json()["fields"]
    assert {"urgency", "patient.birth_date"} <= set(fields)


@pytest.mark.parametrize("raw, content_type, status", [
    ("{not json", "application/json", 400),
    ("", "application/json", 400),
    ("[]", "application/json", 400),
    ("null", "application/json", 400),
    ('"text"', "application/json", 400),
    (json.dumps(body()), "text/plain", 400),
    ("a" * (1024 * 1024 + 10), "application/json", 413),
    ("[" * 100_000 + "]" * 100_000, "application/json", 400),
])
def test_malformed_bodies_get_json_errors(app, bearer, raw, content_type, status):
    response = app.test_client().post("/api/v1/requests", data=raw, content_type=content_type,
                                      headers=bearer("coordinator"))
    assert response.status_code == status
    assert response.is_json and "error" in response.get_json()


def test_api_needs_a_token_and_the_right_role(app, bearer, client_as):
    client = app.test_client()
    assert client.post("/api/v1/requests", json=body()).status_code == 401
    assert client.post("/api/v1/requests", json=body(), headers={"Authorization": "Bearer nope"}).status_code == 401
    specialist = client.post("/api/v1/requests", json=body(), headers=bearer("specialist"))
    assert specialist.status_code == 403 and specialist.is_json
    # A browser session does not open the API (no cookie-authenticated, CSRF-free writes).
    assert client_as("coordinator").post("/api/v1/requests", json=body()).status_code == 401


def test_unknown_case_is_a_json_404(api):
    response = api("GET", "/api/v1/requests/987654")
    assert response.status_code == 404 and response.get_json()["error"]


def test_hostile_strings_come_back_verbatim_as_data(api):
    hostile = "<script>alert(1)</script>'; DROP TABLE cases;--"
    payload = copy.deepcopy(body())
    payload["patient"]["name"] = hostile
    created = api("POST", "/api/v1/requests", payload).get_json()
    assert api("GET", f"/api/v1/requests/{created['id']}").get_json()["patient"]["name"] == hostile
