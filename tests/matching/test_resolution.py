"""A doctor named without an NPI: the independence check is incomplete until a coordinator says who they are.

The reviewer's case (issue 14): the referrer is named by name only, as the public form asks it;
the directory lists that very doctor at Mercy General, where a panel specialist also works.
"""
from __future__ import annotations

import pytest
import sqlalchemy as sa

from clinic.audit.models import AuditEvent
from clinic.cases.intake import NamedClinician
from clinic.matching import resolution, services
from clinic.matching.models import Assignment
from tests import factories


def reasons(result) -> dict[str, list[str]]:
    return {x.specialist.name: [r.text for r in x.reasons] for x in result.excluded}


def candidates(result) -> set[str]:
    return {c.specialist.name for c in result.candidates}


@pytest.fixture
def by_name(ready_case, panel):
    """A case whose referrer, Dr. Xavier Hale of Mercy General (in the directory), is named without an NPI."""
    return lambda name="Dr. Xavier Hale", **changes: ready_case(referring=NamedClinician(name, None, None), **changes)


def audit_rows(session, entity, entity_id):
    return session.scalars(sa.select(AuditEvent.detail).where(AuditEvent.entity == entity,
                                                              AuditEvent.entity_id == str(entity_id))).all()


def test_a_referrer_named_with_an_npi_in_the_directory_is_resolved_by_it(ready_case, panel):
    case = ready_case()
    assert case.named("referring").resolution == "by_npi"
    assert case.named("referring").clinician_id == panel["referring"].id
    assert services.shortlist(case).independence_complete


def test_a_referrer_named_without_an_npi_leaves_the_independence_check_incomplete(by_name):
    result = services.shortlist(by_name())
    assert result.incomplete == ["Independence check incomplete: confirm who the referring doctor is "
                                 "(Dr. Xavier Hale)."]
    # Not established, so not said: the doctor *is* in the directory.
    assert not any("not in the directory" in w for w in result.warnings)


def test_a_specialist_sharing_an_organization_with_the_unconfirmed_referrer_cannot_be_proposed_without_a_reason(
        by_name, panel, users, session):
    case = by_name()
    colleague = panel["people"]["colleague"]
    assert colleague.name in candidates(services.shortlist(case))  # the rule cannot see the tie yet
    with pytest.raises(services.IndependenceIncomplete, match="confirm who the referring doctor is"):
        services.propose_specialist(users["coordinator"], case, colleague.npi)
    with pytest.raises(services.IndependenceIncomplete):
        services.propose_specialist(users["coordinator"], case, colleague.npi, override="   ")
    assert session.scalar(sa.select(sa.func.count()).select_from(Assignment).where(Assignment.case_id == case.id)) == 0


def test_the_likely_match_is_the_directory_doctor_and_confirming_applies_their_ties(by_name, ready_case, panel, users,
                                                                                    session):
    case = by_name()
    matches = resolution.likely_matches(case)["referring"]
    assert matches[0].clinician.id == panel["referring"].id
    assert matches[0].reasons == ("same name",) and matches[0].clinician.organizations == ("Mercy General Hospital",)
    resolution.confirm_doctor(users["coordinator"], case, "referring", panel["referring"].npi)
    named = case.named("referring")
    assert (named.resolution, named.clinician_id, named.resolved_by_id) == (
        "confirmed", panel["referring"].id, users["coordinator"].id)
    assert named.resolved_at is not None and named.npi is None  # the request's own words stay as stated
    result = services.shortlist(case)
    assert result.independence_complete
    # Exactly as if the request had given the NPI.
    assert reasons(result) == reasons(services.shortlist(ready_case()))
    assert reasons(result)["Dr. Cole League"] == ["shared Mercy General Hospital with Dr. Xavier Hale, since 2020-01"]
    with pytest.raises(services.NotEligible, match="shared Mercy General Hospital"):
        services.propose_specialist(users["coordinator"], case, panel["people"]["colleague"].npi)
    assert audit_rows(session, "case_clinician", named.id) == [
        f"case={case.id} role=referring confirmed clinician={panel['referring'].id}"]
    assert "Dr. Xavier Hale, the referring doctor, confirmed in the directory as Dr. Xavier Hale (NPI" in case.timeline[-1].note


@pytest.mark.parametrize("written", ["Hale, Xavier MD", "dr. xavier hale", "Xavier J. Hale", "X. Hale"])
def test_the_directory_doctor_is_the_first_likely_match_however_the_name_is_written(by_name, panel, written):
    assert resolution.likely_matches(by_name(written))["referring"][0].clinician.id == panel["referring"].id


def test_an_override_with_a_reason_is_kept_on_the_proposal_audited_and_noted(by_name, panel, users, session):
    case = by_name()
    assignment = services.propose_specialist(users["coordinator"], case, panel["people"]["eligible"].npi,
                                             override="Patient cannot wait; referrer unreachable today")
    assert assignment.independence_override == "Patient cannot wait; referrer unreachable today"
    assert audit_rows(session, "assignment", assignment.id) == [f"case={case.id} rank=1 independence_override=yes"]
    assert "proposed anyway: Patient cannot wait" in case.timeline[-1].note


def test_an_override_is_not_kept_when_the_check_was_complete(ready_case, panel, users):
    assignment = services.propose_specialist(users["coordinator"], ready_case(), panel["people"]["eligible"].npi,
                                             override="Not needed")
    assert assignment.independence_override is None


def test_stating_not_in_the_directory_needs_a_reason_and_then_the_warning_is_true(by_name, users, session):
    case = by_name()
    with pytest.raises(services.MatchingError, match="Say how you know"):
        resolution.mark_not_in_directory(users["coordinator"], case, "referring", "  ")
    assert case.named("referring").resolution == "unresolved"
    resolution.mark_not_in_directory(users["coordinator"], case, "referring", "Different Dr. Hale: retired surgeon")
    named = case.named("referring")
    assert (named.resolution, named.resolution_note, named.clinician_id) == (
        "not_in_directory", "Different Dr. Hale: retired surgeon", None)
    result = services.shortlist(case)
    assert result.independence_complete
    assert any("Dr. Xavier Hale (the referring doctor) is not in the directory" in w for w in result.warnings)
    assert audit_rows(session, "case_clinician", named.id) == [f"case={case.id} role=referring not_in_directory"]


def test_the_first_opinion_doctor_named_by_the_patient_is_unresolved_too(ready_case, panel):
    case = ready_case(first_opinion=NamedClinician("Dr. Xavier Hale", None, "Mercy General"))
    assert case.named("referring").resolution == "by_npi"
    assert services.shortlist(case).incomplete == [
        "Independence check incomplete: confirm who the first-opinion doctor is (Dr. Xavier Hale)."]
    match = resolution.likely_matches(case)["first_opinion"][0]
    assert match.reasons == ("same name", "similar organization (Mercy General Hospital)")


@pytest.mark.parametrize("role, npi, message", [
    ("first_opinion", None, "names no the first-opinion doctor"),
    ("referring", "1234567893", "No clinician in the directory has this NPI"),
    ("someone", None, "names no such doctor"),
])
def test_confirming_refuses_what_cannot_be_confirmed(by_name, users, role, npi, message):
    with pytest.raises(services.MatchingError, match=message):
        resolution.confirm_doctor(users["coordinator"], by_name(), role, npi or "1234567893")


def test_a_doctor_known_by_npi_is_not_confirmed_again(ready_case, panel, users):
    with pytest.raises(services.MatchingError, match="known by the NPI on the request"):
        resolution.confirm_doctor(users["coordinator"], ready_case(), "referring", panel["people"]["eligible"].npi)


# --- through the browser and the API ---------------------------------------------------------
def test_browser_shortlist_says_the_check_is_incomplete_and_proposing_needs_a_reason(client_as, by_name, panel,
                                                                                      session):
    case = by_name()
    browser = client_as("coordinator")
    page = browser.get(f"/cases/{case.id}/matches").get_data(as_text=True)
    assert "Independence check incomplete: confirm who the referring doctor is" in page
    assert 'name="independence_override"' in page
    refused = browser.post(f"/cases/{case.id}/assignment", data={"npi": panel["people"]["colleague"].npi},
                           follow_redirects=True)
    assert "confirm who the referring doctor is" in refused.get_data(as_text=True)
    assert services.live_assignment(case) is None
    browser.post(f"/cases/{case.id}/assignment", data={"npi": panel["people"]["eligible"].npi,
                                                        "independence_override": "Urgent, referrer unreachable"})
    assert services.live_assignment(case).independence_override == "Urgent, referrer unreachable"
    page = browser.get(f"/cases/{case.id}").get_data(as_text=True)
    assert "Proposed before the independence check was complete" in page and "Urgent, referrer unreachable" in page


def test_case_page_offers_the_likely_match_and_confirming_there_excludes_the_colleague(client_as, by_name, panel,
                                                                                        session):
    case = by_name()
    browser = client_as("coordinator")
    page = browser.get(f"/cases/{case.id}").get_data(as_text=True)
    assert "Who is the referring doctor, Dr. Xavier Hale?" in page
    assert "This is the doctor" in page and panel["referring"].npi in page and "Not in the directory" in page
    response = browser.post(f"/cases/{case.id}/doctors/referring/confirm", data={"npi": panel["referring"].npi})
    assert response.status_code == 302
    page = browser.get(f"/cases/{case.id}/matches").get_data(as_text=True)
    assert "Independence check incomplete" not in page
    assert "shared Mercy General Hospital with Dr. Xavier Hale, since 2020-01" in page
    case_page = browser.get(f"/cases/{case.id}").get_data(as_text=True)
    assert "confirmed as Dr. Xavier Hale" in case_page


def test_browser_not_in_the_directory_without_a_reason_changes_nothing(client_as, by_name, session):
    case = by_name()
    browser = client_as("coordinator")
    page = browser.post(f"/cases/{case.id}/doctors/referring/not-in-directory", data={"reason": ""},
                        follow_redirects=True).get_data(as_text=True)
    assert "Say how you know the doctor is not in the directory." in page
    session.expire_all()
    assert case.named("referring").resolution == "unresolved"
    browser.post(f"/cases/{case.id}/doctors/referring/not-in-directory", data={"reason": "Called the practice"})
    session.expire_all()
    assert case.named("referring").resolution == "not_in_directory"


def test_api_refuses_to_propose_before_the_referrer_is_confirmed_unless_given_a_reason(app, bearer, by_name, panel):
    case = by_name()
    api = app.test_client()
    colleague = panel["people"]["colleague"].npi
    matches = api.get(f"/api/v1/requests/{case.id}/matches", headers=bearer("coordinator")).get_json()
    assert matches["independence_complete"] is False
    assert matches["independence_incomplete"] == [
        "Independence check incomplete: confirm who the referring doctor is (Dr. Xavier Hale)."]
    refused = api.post(f"/api/v1/requests/{case.id}/assignment", json={"npi": colleague}, headers=bearer("coordinator"))
    assert refused.status_code == 409
    assert "confirm who the referring doctor is" in refused.get_json()["fields"]["independence_override"][0]
    empty = api.post(f"/api/v1/requests/{case.id}/assignment", json={"npi": colleague, "independence_override": " "},
                     headers=bearer("coordinator"))
    assert empty.status_code == 422 and "independence_override" in empty.get_json()["fields"]
    created = api.post(f"/api/v1/requests/{case.id}/assignment",
                       json={"npi": panel["people"]["eligible"].npi, "independence_override": "Urgent"},
                       headers=bearer("coordinator"))
    assert created.status_code == 201 and created.get_json()["independence_override"] == "Urgent"


def test_case_page_and_shortlist_queries_do_not_grow_with_namesakes_in_the_directory(client_as, by_name,
                                                                                     count_queries, session):
    case = by_name()
    browser = client_as("coordinator")

    def namesakes(n):
        for i in range(n):
            person = factories.ClinicianFactory(kind="external", name=f"Dr. Xavier Hale {i}")
            factories.AffiliationFactory(clinician=person)
        session.flush()

    namesakes(2)
    small = (count_queries(browser, f"/cases/{case.id}"), count_queries(browser, f"/cases/{case.id}/matches"))
    namesakes(20)
    assert (count_queries(browser, f"/cases/{case.id}"), count_queries(browser, f"/cases/{case.id}/matches")) == small


def test_api_confirms_the_doctor_and_then_the_colleague_is_refused_for_the_tie(app, bearer, by_name, panel, session):
    case = by_name()
    api = app.test_client()
    matches = api.get(f"/api/v1/requests/{case.id}/matches", headers=bearer("coordinator")).get_json()
    assert matches["likely_matches"]["referring"][0] == {
        "npi": panel["referring"].npi, "name": "Dr. Xavier Hale", "organizations": ["Mercy General Hospital"],
        "reasons": ["same name"]}
    url = f"/api/v1/requests/{case.id}/doctors/referring"
    for body in ({}, {"npi": panel["referring"].npi, "not_in_directory": "x"}, {"not_in_directory": " "},
                 {"npi": "12"}):
        response = api.put(url, json=body, headers=bearer("coordinator"))
        assert response.status_code == 422, body
    assert api.put(url, json={"npi": "1234567893"}, headers=bearer("coordinator")).status_code == 409
    done = api.put(url, json={"npi": panel["referring"].npi}, headers=bearer("coordinator"))
    assert done.status_code == 200 and done.get_json()["resolution"] == "confirmed"
    refused = api.post(f"/api/v1/requests/{case.id}/assignment",
                       json={"npi": panel["people"]["colleague"].npi, "independence_override": "Urgent"},
                       headers=bearer("coordinator"))
    assert refused.status_code == 422
    assert refused.get_json()["fields"]["npi"] == ["shared Mercy General Hospital with Dr. Xavier Hale, since 2020-01"]
    document = api.get(f"/api/v1/requests/{case.id}", headers=bearer("coordinator")).get_json()
    assert document["clinicians"][0]["resolution"] == "confirmed" and document["clinicians"][0]["in_directory"]


def test_confirming_the_doctor_after_an_override_tells_when_the_proposed_specialist_is_tied(client_as, by_name, panel,
                                                                                          users, session):
    case = by_name()
    colleague = panel["people"]["colleague"]
    services.propose_specialist(users["coordinator"], case, colleague.npi, override="Referrer unreachable")
    session.flush()
    page = client_as("coordinator").post(f"/cases/{case.id}/doctors/referring/confirm",
                                         data={"npi": panel["referring"].npi}, follow_redirects=True)
    warning = ("Dr. Cole League, who has this case (proposed), is not independent: shared Mercy General Hospital "
               "with Dr. Xavier Hale, since 2020-01. Withdraw the proposal and propose someone else.")
    assert warning in page.get_data(as_text=True)
    session.expire_all()
    assert case.timeline[-1].note == warning
