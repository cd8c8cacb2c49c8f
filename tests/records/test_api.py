"""The records and coverage API: a referring system or script takes a case to ready_to_match alone."""
from __future__ import annotations

import io

import pytest

from clinic.demo.files import make_pdf, make_png, make_text

REQUEST = {
    "patient": {"name": "Ana Ruiz", "birth_date": "1971-03-02", "email": "ana.ruiz@example.org"},
    "referring_clinician": {"name": "Dr. Paul Kim", "organization": "Mercy General Hospital"},
    "diagnosis": {"text": "Papillary thyroid carcinoma", "icd10": "C73"},
    "proposed_treatment": {"text": "Total thyroidectomy", "invasive": True},
    "reasons": ["invasive_treatment"], "urgency": "soon", "consent_to_contact_first_doctor": True,
    "coverage": {"payer": "Acme Health", "plan": "Gold PPO", "member_id": "AC-1"},
}
FILES = {"visit_summary": ("visit.pdf", make_pdf("Visit summary")), "lab_result": ("labs.txt", make_text("Labs")),
         "medication_list": ("meds.txt", make_text("Medication list")), "imaging": ("ct.png", make_png(seed=1)),
         "imaging_report": ("ct-report.pdf", make_pdf("CT report")), "pathology": ("path.pdf", make_pdf("Pathology"))}


def upload(client, headers, case_id, kind, name, content, source="direct_request"):
    return client.post(f"/api/v1/requests/{case_id}/documents", headers=headers, content_type="multipart/form-data",
                       data={"file": (io.BytesIO(content), name), "kind": kind, "source": source})


@pytest.fixture
def api(app, bearer):
    client = app.test_client()
    headers = bearer("coordinator")
    response = client.post("/api/v1/requests", json=REQUEST, headers=headers)
    assert response.status_code == 201
    return client, headers, response.get_json()["id"]


def test_a_case_reaches_ready_to_match_through_the_api_alone(api):
    client, headers, case_id = api
    case = client.get(f"/api/v1/requests/{case_id}", headers=headers).get_json()
    assert [r["kind"] for r in case["records"]] == list(FILES)
    assert "Imaging report: missing, not requested yet" in case["waiting_for"]
    assert case["coverage"] == {"satisfied": False, "waiting_for": ["Coverage: not verified"], "latest_check": None}
    for kind, (name, content) in FILES.items():
        response = upload(client, headers, case_id, kind, name, content)
        assert response.status_code == 201, response.get_json()
        body = response.get_json()
        assert body["record"]["status"] == "received" and body["record"]["kind"] == kind
        verified = client.post(f"/api/v1/records/{body['record']['id']}/verify", headers=headers)
        assert verified.status_code == 200 and verified.get_json()["record"]["status"] == "verified"
    waiting = client.get(f"/api/v1/requests/{case_id}", headers=headers).get_json()["waiting_for"]
    assert waiting == ["Coverage: not verified"]
    response = client.put(f"/api/v1/requests/{case_id}/coverage", headers=headers,
                          json={"result": "verified_in_network", "method": "electronic"})
    assert response.status_code == 200
    body = response.get_json()
    assert body["case_status"] == "ready_to_match" and body["waiting_for"] != ["Coverage: not verified"]
    assert body["coverage"]["latest_check"]["payer"] == "Acme Health"  # prefilled from the request
    case = client.get(f"/api/v1/requests/{case_id}", headers=headers).get_json()
    assert case["status"] == "ready_to_match"
    assert all(r["status"] == "verified" and r["documents"] for r in case["records"])


def test_a_rejected_record_reopens_and_the_case_goes_back(api):
    client, headers, case_id = api
    ids = {}
    for kind, (name, content) in FILES.items():
        ids[kind] = upload(client, headers, case_id, kind, name, content).get_json()["record"]["id"]
        client.post(f"/api/v1/records/{ids[kind]}/verify", headers=headers)
    client.put(f"/api/v1/requests/{case_id}/coverage", headers=headers, json={"result": "self_pay"})
    assert client.get(f"/api/v1/requests/{case_id}", headers=headers).get_json()["status"] == "ready_to_match"
    response = client.post(f"/api/v1/records/{ids['imaging']}/reject", headers=headers, json={"reason": "Blurred"})
    assert response.status_code == 200
    assert response.get_json()["case_status"] == "records_pending"
    assert response.get_json()["record"]["rejection_reason"] == "Blurred"


@pytest.mark.parametrize("kind, source, file, field", [
    ("imaging", None, None, "file"),
    ("x-ray", None, (make_png(), "x.png"), "kind"),
    ("imaging", "fax machine", (make_png(), "x.png"), "source"),
    ("imaging", None, (b"MZ\x90\x00" + b"\x00" * 100, "x.pdf"), "file"),
    ("imaging", None, (b"", "x.pdf"), "file"),
    ("imaging", None, (make_png(), "../x.png"), "file"),
])
def test_bad_uploads_get_json_422_naming_the_field(api, stored, kind, source, file, field):
    client, headers, case_id = api
    data = {"kind": kind, **({"source": source} if source else {}),
            **({"file": (io.BytesIO(file[0]), file[1])} if file else {})}
    response = client.post(f"/api/v1/requests/{case_id}/documents", headers=headers, data=data,
                           content_type="multipart/form-data")
    assert response.status_code == 422 and response.is_json
    assert field in response.get_json()["fields"]
    assert stored() == (0, 0)


def test_a_duplicate_is_409_and_an_oversized_file_413(app, api, monkeypatch):
    client, headers, case_id = api
    assert upload(client, headers, case_id, "imaging", "a.png", make_png(seed=5)).status_code == 201
    duplicate = upload(client, headers, case_id, "imaging_report", "b.png", make_png(seed=5))
    assert duplicate.status_code == 409 and "already attached" in duplicate.get_json()["error"]
    monkeypatch.setitem(app.config, "MAX_CONTENT_LENGTH", 1024 * 1024)
    big = upload(client, headers, case_id, "imaging", "big.pdf", make_pdf("big") + b"0" * (2 * 1024 * 1024))
    assert big.status_code == 413 and big.is_json and "1 MB" in big.get_json()["error"]


def test_verifying_a_record_without_a_document_is_a_409(api):
    client, headers, case_id = api
    record_id = client.get(f"/api/v1/requests/{case_id}", headers=headers).get_json()["records"][0]["id"]
    response = client.post(f"/api/v1/records/{record_id}/verify", headers=headers)
    assert response.status_code == 409 and "upload it first" in response.get_json()["error"]


@pytest.mark.parametrize("body, status, field", [
    ({}, 422, "result"),
    ({"result": "maybe"}, 422, "result"),
    ({"result": "verified_in_network", "prior_auth_required": "yes"}, 422, "prior_auth_required"),
    ({"result": "verified_in_network", "auth_number": "A1"}, 422, "auth_number"),
    ({"result": "verified_in_network", "colour": "blue"}, 422, "colour"),
])
def test_bad_coverage_bodies_are_refused_naming_the_field(api, body, status, field):
    client, headers, case_id = api
    response = client.put(f"/api/v1/requests/{case_id}/coverage", headers=headers, json=body)
    assert response.status_code == status and field in response.get_json()["fields"]


def test_an_empty_reject_reason_is_refused(api):
    client, headers, case_id = api
    record_id = upload(client, headers, case_id, "imaging", "a.png", make_png(seed=6)).get_json()["record"]["id"]
    response = client.post(f"/api/v1/records/{record_id}/reject", headers=headers, json={"reason": "  "})
    assert response.status_code == 422 and "reason" in response.get_json()["fields"]


def test_an_unknown_record_or_case_is_a_json_404(api):
    client, headers, _ = api
    assert client.post("/api/v1/records/999999/verify", headers=headers).status_code == 404
    response = client.put("/api/v1/requests/999999/coverage", headers=headers, json={"result": "self_pay"})
    assert response.status_code == 404 and response.is_json


def test_an_upload_of_a_kind_not_on_the_checklist_adds_an_optional_item(api):
    client, headers, case_id = api
    body = upload(client, headers, case_id, "operative_note", "op.pdf", make_pdf("Operative note")).get_json()
    assert body["record"]["kind"] == "operative_note" and body["record"]["required"] is False
    assert not any("Operative note" in line for line in body["waiting_for"])
