"""The coordinator's shortlist and proposal, the specialist's answer, in the browser and the API."""
from __future__ import annotations

import sqlalchemy as sa

from clinic.audit.models import AuditEvent
from clinic.matching import services
from tests import factories
from tests.conftest import sign_in


def test_case_page_panel_shows_ranked_candidates_and_folded_exclusions(client_as, ready_case):
    case = ready_case()
    page = client_as("coordinator").get(f"/cases/{case.id}").get_data(as_text=True)
    assert "Dr. Ada Eligible" in page and "Propose" in page
    assert "<details" in page and "declared a financial relationship with Dr. Xavier Hale" in page
    assert "not in network for Acme Health Gold PPO on" in page


def test_shortlist_page_groups_exclusions_by_rule(client_as, ready_case):
    case = ready_case()
    page = client_as("coordinator").get(f"/cases/{case.id}/matches").get_data(as_text=True)
    for rule in ("excluded-panel", "excluded-subspecialty", "excluded-independence", "excluded-insurance"):
        assert f'id="{rule}"' in page
    assert "shared Mercy General Hospital with Dr. Xavier Hale, since 2020-01" in page


def test_shortlist_of_a_case_without_code_offers_the_subspecialty_choice(client_as, ready_case):
    case = ready_case(icd10_code=None)
    browser = client_as("coordinator")
    assert "Subspecialty to match on" in browser.get(f"/cases/{case.id}/matches").get_data(as_text=True)
    page = browser.get(f"/cases/{case.id}/matches?subspecialty=breast").get_data(as_text=True)
    assert "Dr. Ada Eligible" in page


def test_coordinator_proposes_and_the_specialist_sees_only_what_is_needed(client_as, ready_case, panel, users):
    case = ready_case()
    demo = panel["people"]["demo"]
    response = client_as("coordinator").post(f"/cases/{case.id}/assignment", data={"npi": demo.npi})
    assert response.status_code == 302
    specialist = client_as("specialist")
    home = specialist.get("/specialist/cases").get_data(as_text=True)
    assert case.reference in home
    assignment = services.live_assignment(case)
    page = specialist.get(f"/specialist/assignments/{assignment.id}").get_data(as_text=True)
    assert "Breast oncology" in page and "Dr. Xavier Hale" in page and "Invasive treatment" in page
    assert case.patient.name not in page and "carcinoma" not in page.lower()


def test_specialist_accepts_and_the_case_is_matched(client_as, ready_case, panel, users, session):
    case = ready_case()
    assignment = services.propose_specialist(users["coordinator"], case, panel["people"]["demo"].npi)
    response = client_as("specialist").post(f"/specialist/assignments/{assignment.id}/accept")
    assert response.status_code == 302
    session.expire_all()
    assert case.status == "matched"


def test_decline_without_reason_is_shown_beside_the_field(client_as, ready_case, panel, users):
    assignment = services.propose_specialist(users["coordinator"], ready_case(), panel["people"]["demo"].npi)
    response = client_as("specialist").post(f"/specialist/assignments/{assignment.id}/decline", data={"reason": ""})
    assert response.status_code == 422
    assert "Give the reason for declining." in response.get_data(as_text=True)
    assert assignment.status == "proposed"


def test_declined_case_shows_the_reason_to_the_coordinator(client_as, ready_case, panel, users):
    case = ready_case()
    assignment = services.propose_specialist(users["coordinator"], case, panel["people"]["demo"].npi)
    client_as("specialist").post(f"/specialist/assignments/{assignment.id}/decline",
                                 data={"reason": "I co-author with Dr. Hale.", "conflict": "y"})
    page = client_as("coordinator").get(f"/cases/{case.id}").get_data(as_text=True)
    assert "I co-author with Dr. Hale." in page and "Tie declared" in page
    assert case.status == "ready_to_match"


def test_specialist_gets_404_on_an_assignment_not_theirs_and_it_is_audited(client_as, ready_case, panel, users, session):
    assignment = services.propose_specialist(users["coordinator"], ready_case(), panel["people"]["eligible"].npi)
    browser = client_as("specialist")
    for method, url in (("get", ""), ("post", "/accept"), ("post", "/decline")):
        assert getattr(browser, method)(f"/specialist/assignments/{assignment.id}{url}").status_code == 404
    denials = session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "denied",
                                                          AuditEvent.entity == "assignment")).all()
    assert len(denials) == 3 and assignment.status == "proposed"


def test_hostile_decline_reason_is_shown_inert(client_as, ready_case, panel, users):
    case = ready_case()
    assignment = services.propose_specialist(users["coordinator"], case, panel["people"]["demo"].npi)
    client_as("specialist").post(f"/specialist/assignments/{assignment.id}/decline",
                                 data={"reason": "<script>alert(1)</script>"})
    page = client_as("coordinator").get(f"/cases/{case.id}").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;" in page


# --- API --------------------------------------------------------------------------------------
def test_api_matches_lists_candidates_with_factors_and_exclusions_with_reasons(app, bearer, ready_case, panel):
    case = ready_case()
    body = app.test_client().get(f"/api/v1/requests/{case.id}/matches", headers=bearer("coordinator")).get_json()
    first = body["candidates"][0]
    assert set(first) == {"npi", "name", "rank", "factors"} and first["rank"] == 1
    assert first["factors"]["subspecialty"] == "breast" and first["factors"]["earliest_slot"] is None
    excluded = {x["name"]: x["reasons"] for x in body["excluded"]}
    assert excluded["Dr. Fin Ancial"] == ["declared a financial relationship with Dr. Xavier Hale"]


def test_api_assignment_flow(app, bearer, ready_case, panel, users):
    case = ready_case()
    api = app.test_client()
    created = api.post(f"/api/v1/requests/{case.id}/assignment", json={"npi": panel["people"]["demo"].npi},
                       headers=bearer("coordinator"))
    assert created.status_code == 201
    assignment_id = created.get_json()["id"]
    again = api.post(f"/api/v1/requests/{case.id}/assignment", json={"npi": panel["people"]["eligible"].npi},
                     headers=bearer("coordinator"))
    assert again.status_code == 409
    accepted = api.post(f"/api/v1/assignments/{assignment_id}/accept", headers=bearer("specialist"))
    assert accepted.status_code == 200 and accepted.get_json()["case_status"] == "matched"
    document = api.get(f"/api/v1/requests/{case.id}", headers=bearer("coordinator")).get_json()
    assert document["assignment"]["status"] == "accepted" and document["status"] == "matched"


def test_api_refuses_an_excluded_specialist_with_the_reasons(app, bearer, ready_case, panel):
    case = ready_case()
    response = app.test_client().post(f"/api/v1/requests/{case.id}/assignment",
                                      json={"npi": panel["people"]["colleague"].npi}, headers=bearer("coordinator"))
    assert response.status_code == 422
    assert response.get_json()["fields"]["npi"] == ["shared Mercy General Hospital with Dr. Xavier Hale, since 2020-01"]


def test_api_bad_bodies_get_json_errors(app, bearer, ready_case, panel, users):
    case = ready_case()
    api = app.test_client()
    for body in ({}, {"npi": 12}, {"npi": "123"}, {"npi": panel["people"]["demo"].npi, "extra": 1}):
        response = api.post(f"/api/v1/requests/{case.id}/assignment", json=body, headers=bearer("coordinator"))
        assert response.status_code == 422 and "error" in response.get_json()
    assignment = services.propose_specialist(users["coordinator"], case, panel["people"]["demo"].npi)
    response = api.post(f"/api/v1/assignments/{assignment.id}/decline", json={"reason": ""}, headers=bearer("specialist"))
    assert response.status_code == 422
    response = api.post(f"/api/v1/assignments/{assignment.id}/decline", json={"reason": "Tie", "conflict": True},
                        headers=bearer("specialist"))
    assert response.status_code == 200 and response.get_json()["conflict_declared"] is True


def test_api_specialist_cannot_answer_someone_elses_assignment(app, bearer, ready_case, panel, users):
    assignment = services.propose_specialist(users["coordinator"], ready_case(), panel["people"]["eligible"].npi)
    response = app.test_client().post(f"/api/v1/assignments/{assignment.id}/accept", headers=bearer("specialist"))
    assert response.status_code == 404 and response.is_json


def test_specialist_without_directory_record_sees_an_empty_home(app, session):
    user = factories.UserFactory(role="specialist")
    page = sign_in(app.test_client(), user).get("/specialist/cases").get_data(as_text=True)
    assert "No proposals are waiting" in page
