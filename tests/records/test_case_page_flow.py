"""A coordinator takes a case from records_pending to ready_to_match with the case page's forms alone."""
from __future__ import annotations

import io
import re

from clinic.demo.files import make_pdf, make_png


def test_the_coordinator_uploads_verifies_and_checks_coverage_until_ready_to_match(client_as, new_case, users,
                                                                                   session):
    case = new_case(users["coordinator"], icd10_code="M51.26")
    session.commit()
    browser = client_as("coordinator")
    page = browser.get(f"/cases/{case.id}").get_data(as_text=True)
    for item in case.record_items:
        assert f"{item.name}: missing, not requested yet" in page
    for n, item in enumerate(case.record_items):
        content = make_png(seed=n) if item.kind == "imaging" else make_pdf(f"{item.name} {n}")
        response = browser.post(f"/cases/{case.id}/records/upload", content_type="multipart/form-data",
                                data={"record": str(item.id), "source": "patient_portal",
                                      "file": (io.BytesIO(content), f"{item.kind}.pdf")})
        assert response.status_code == 302
        page = browser.get(response.headers["Location"]).get_data(as_text=True)
        assert f"{item.name}: received, to be verified" in page
        assert browser.post(f"/records/{item.id}/verify").status_code == 302
    page = browser.get(f"/cases/{case.id}").get_data(as_text=True)
    assert "Coverage: not verified" in page and "Records pending" in page
    form = browser.get(f"/cases/{case.id}/coverage").get_data(as_text=True)
    member = re.search(r'name="member_id"[^>]*value="([^"]*)"', form).group(1)
    response = browser.post(f"/cases/{case.id}/coverage", data={
        "result": "verified_in_network", "payer": "Acme Health", "plan_name": "Gold PPO", "member_id": member,
        "method": "portal"})
    assert response.status_code == 302
    page = browser.get(f"/cases/{case.id}").get_data(as_text=True)
    assert "Ready to match" in page and "What this case is waiting for" not in page.split("Ready to match")[0][-2000:]
    session.refresh(case)
    assert case.status == "ready_to_match"


def test_the_item_page_rejects_with_a_reason_beside_the_field(client_as, new_case, users, session):
    from tests import factories

    case = new_case(users["coordinator"])
    item = case.record_items[0]
    factories.attach(users["coordinator"], item)
    session.commit()
    browser = client_as("coordinator")
    response = browser.post(f"/records/{item.id}/reject", data={"reject-reason": ""})
    assert response.status_code == 422 and 'id="reject-reason-error"' in response.get_data(as_text=True)
    assert browser.post(f"/records/{item.id}/reject", data={"reject-reason": "Illegible"}).status_code == 302
    session.refresh(item)
    assert (item.status, item.rejection_reason) == ("rejected", "Illegible")


def test_the_request_form_steers_to_the_patient_without_consent(client_as, new_case, users, session):
    case = new_case(users["coordinator"], consent_to_contact_first_doctor=False)
    session.commit()
    browser = client_as("coordinator")
    page = browser.get(f"/cases/{case.id}/records/request").get_data(as_text=True)
    assert "has not consented to contacting the first doctor" in page
    assert re.search(r'value="patient"[^>]*checked|checked[^>]*value="patient"', page)
    response = browser.post(f"/cases/{case.id}/records/request", data={
        "items": [str(case.record_items[0].id)], "target": "facility", "facility": "Mercy General Hospital",
        "method": "fax", "source": ""})
    assert response.status_code == 422 and "not consented to contacting" in response.get_data(as_text=True)
    response = browser.post(f"/cases/{case.id}/records/request", data={
        "items": [str(case.record_items[0].id)], "target": "patient", "method": "upload_link", "source": ""})
    assert response.status_code == 302
    session.refresh(case.record_items[0])
    assert case.record_items[0].status == "requested"


def test_the_coordinator_adds_an_item_and_follows_up(client_as, new_case, users, session):
    case = new_case(users["coordinator"])
    session.commit()
    browser = client_as("coordinator")
    assert browser.post(f"/cases/{case.id}/records/items", data={"kind": "operative_note", "label": "Op note 2023",
                                                                 "required": "y"}).status_code == 302
    session.expire_all()
    added = case.record_items[-1]
    assert (added.name, added.required) == ("Op note 2023", True)
    browser.post(f"/cases/{case.id}/records/request", data={"items": [str(added.id)], "target": "facility",
                                                            "facility": "Lakeside", "method": "phone", "source": ""})
    assert browser.post(f"/records/{added.id}/follow-up", data={"follow-note": "Called twice"}).status_code == 302
    page = browser.get(f"/cases/{case.id}").get_data(as_text=True)
    assert "Op note 2023: followed up with Lakeside" in page
