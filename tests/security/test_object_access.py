"""Object-level access (IDOR): ids and tokens of objects that are not the user's answer 404, as if
they did not exist, and the attempt is audited. The route-by-role matrix is tests/test_access.py;
this file changes the ids: other cases, other specialists' objects, made-up ids, foreign form values."""
from __future__ import annotations

import io

import pytest
import sqlalchemy as sa
from werkzeug.routing import IntegerConverter

from clinic.audit import AuditEvent
from clinic.matching.models import Assignment
from clinic.records.models import Document
from tests import factories
from tests.conftest import sign_in
from tests.test_access import ACCESS, ANYONE, OWN, C, S, A

MISSING = 987654
PATIENT_DATA_ARGS = {"case_id": "case", "record_id": "record_item", "document_id": "document",
                     "appointment_id": "appointment", "assignment_id": "assignment"}


def denied(session, user, entity: str, entity_id) -> bool:
    return session.scalar(sa.select(sa.func.count()).select_from(AuditEvent).where(
        AuditEvent.action == "denied", AuditEvent.user_id == user.id, AuditEvent.entity == entity,
        AuditEvent.entity_id == str(entity_id))) > 0


def _one_role(rule) -> str:
    roles = {S if r == OWN else r for r in rule}
    return next(r for r in (C, A, S) if r in roles)


# Past PostgreSQL's integer (and bigint) range, an id can name no row: still a 404 (PostgreSQL answered 500),
# not audited (no one's object was reached for).
IMPOSSIBLE = (2**31, 10**20)


@pytest.mark.parametrize("missing", (MISSING, *IMPOSSIBLE))
def test_made_up_ids_answer_404_on_every_route_and_patient_data_denials_are_audited(app, users, session, bearer,
                                                                                     missing):
    problems, checked = [], 0
    for rule in app.url_map.iter_rules():
        ints = [a for a in rule.arguments if isinstance(rule._converters[a], IntegerConverter)]  # <id:...> too
        if not ints or ACCESS[rule.endpoint] == ANYONE:
            continue
        role = _one_role(ACCESS[rule.endpoint])
        values = {a: {"link": "affiliations", "section": "organizations", "role": "referring"}.get(a, missing)
                  for a in rule.arguments}
        url = rule.build(values)[1]
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            if url.startswith("/api/"):
                response = app.test_client().open(url, method=method, json={}, headers=bearer(role))
            else:
                response = sign_in(app.test_client(), users[role]).open(url, method=method)
            checked += 1
            if response.status_code != 404:
                problems.append(f"{method} {url} as {role}: {response.status_code}")
            audited = [PATIENT_DATA_ARGS[a] for a in ints if a in PATIENT_DATA_ARGS and missing == MISSING]
            if audited and not any(denied(session, users[role], entity, missing) for entity in audited):
                problems.append(f"{method} {url} as {role}: the refusal was not audited")
    assert checked > 40 and problems == []


@pytest.fixture
def other_specialist(app):
    return factories.UserFactory(role="specialist", clinician=factories.ClinicianFactory())


def _specialist_pages(case_id: int, document_id: int) -> list[str]:
    return [f"/specialist/cases/{case_id}", f"/specialist/cases/{case_id}/opinion",
            f"/specialist/documents/{document_id}", f"/specialist/documents/{document_id}/inline",
            f"/specialist/documents/{document_id}/download"]


def _a_document(session, case) -> int:
    return session.scalar(sa.select(Document.id).where(Document.case_id == case.id))


def test_another_specialists_case_and_documents_do_not_exist_for_a_specialist(client, users, other_specialist,
                                                                             my_case, session):
    theirs = my_case()
    document = _a_document(session, theirs)
    sign_in(client, other_specialist)
    for url in _specialist_pages(theirs.id, document):
        assert client.get(url).status_code == 404, url
    assert client.post(f"/specialist/cases/{theirs.id}/addenda", data={"text": "x"}).status_code == 404
    assert denied(session, other_specialist, "case", theirs.id)
    assert denied(session, other_specialist, "document", document)


def test_a_proposal_not_yet_accepted_shows_the_assignment_but_not_the_record(client, users, new_case, session):
    case = factories.open_gate(None, new_case())
    proposal = factories.AssignmentFactory(case_id=case.id, specialist=users["specialist"].clinician)
    sign_in(client, users["specialist"])
    assert client.get(f"/specialist/assignments/{proposal.id}").status_code == 200
    for url in _specialist_pages(case.id, _a_document(session, case)):
        assert client.get(url).status_code == 404, url


def test_a_specialist_who_gave_the_case_back_loses_it(client, users, matched_case, session, app):
    case = matched_case(users["specialist"].clinician)
    sign_in(client, users["specialist"])
    assert client.get(f"/specialist/cases/{case.id}").status_code == 200
    assignment = session.scalar(sa.select(Assignment).where(Assignment.case_id == case.id))
    response = client.post(f"/specialist/assignments/{assignment.id}/decline", data={"reason": "Travelling"})
    assert response.status_code == 302
    for url in _specialist_pages(case.id, _a_document(session, case)):
        assert client.get(url).status_code == 404, url


def test_an_unverified_document_of_the_specialists_own_case_is_not_shown(client, users, my_case, session):
    case = my_case()
    item = case.record_items[0]
    extra = factories.attach(users["coordinator"], item)  # received again: to be verified before review
    sign_in(client, users["specialist"])
    assert client.get(f"/specialist/documents/{extra.id}").status_code == 404


def test_the_api_refuses_another_specialists_assignment_and_opinion(app, users, other_specialist, my_case, session):
    from clinic.auth.services import issue_token

    case = my_case()
    assignment = session.scalar(sa.select(Assignment).where(Assignment.case_id == case.id))
    headers = {"Authorization": "Bearer " + issue_token(None, other_specialist, "t")}
    api = app.test_client()
    assert api.post(f"/api/v1/assignments/{assignment.id}/accept", headers=headers).status_code == 404
    assert api.post(f"/api/v1/assignments/{assignment.id}/decline", json={"reason": "x", "conflict": False},
                    headers=headers).status_code == 404
    assert api.post(f"/api/v1/requests/{case.id}/opinion", json={"recommendation": "x"},
                    headers=headers).status_code == 404
    assert denied(session, other_specialist, "assignment", assignment.id)
    assert denied(session, other_specialist, "case", case.id)


def test_an_opinion_cannot_answer_the_questions_of_another_case(app, users, my_case, bearer):
    mine, other = my_case(), my_case()
    foreign = other.questions[0].id
    response = app.test_client().post(f"/api/v1/requests/{mine.id}/opinion", headers=bearer("specialist"),
                                      json={"answers": {str(foreign): "An answer"}})
    assert response.status_code == 422 and "answers" in response.get_json()["fields"]


def test_a_specialist_cannot_edit_another_specialists_availability_through_their_own_url(
        client, users, other_specialist, session):
    theirs = factories.open_every_day(other_specialist.clinician)[0]
    mine = users["specialist"].clinician
    sign_in(client, users["specialist"])
    assert client.post(f"/availability/{mine.id}/rules/{theirs.id}/delete").status_code == 404
    assert client.get(f"/availability/{other_specialist.clinician.id}").status_code == 404
    assert session.get(type(theirs), theirs.id) is not None
    assert denied(session, users["specialist"], "availability_rule", theirs.id)


def test_a_form_cannot_point_at_a_record_of_another_case(client_as, new_case, session):
    mine, other = new_case(), new_case()
    coordinator = client_as("coordinator")
    foreign = other.record_items[0]
    upload = coordinator.post(f"/cases/{mine.id}/records/upload",
                              data={"record": foreign.id, "file": (io.BytesIO(factories.TINY_PDF), "r.pdf")})
    ask = coordinator.post(f"/cases/{mine.id}/records/request",
                           data={"items": [foreign.id], "target": "patient", "method": "upload_link"})
    assert upload.status_code == ask.status_code == 422
    session.expire_all()
    assert foreign.status == "missing" and session.scalar(sa.select(sa.func.count()).select_from(Document)) == 0


def test_a_patient_upload_link_reaches_only_its_own_case(app, client, users, new_case, session):
    from clinic.records import links

    mine, other = new_case(), new_case()
    token = links.issue_link(None, mine)
    mine.record_items[0].requested_from_kind, mine.record_items[0].status = "patient", "requested"
    session.flush()
    page = client.get(f"/upload/{token}").get_data(as_text=True)
    assert mine.record_items[0].name in page and other.reference not in page and mine.reference not in page
    response = client.post(f"/upload/{token}", data={"record": other.record_items[0].id,
                                                     "file": (io.BytesIO(factories.TINY_PDF), "r.pdf")})
    assert response.status_code == 422
    assert session.scalar(sa.select(sa.func.count()).select_from(Document)) == 0


@pytest.mark.parametrize("path", ["/upload/", "/reports/", "/calendar/"])
@pytest.mark.parametrize("token", ["x" * 43, "../../etc/passwd", "%00", "' OR '1'='1", "a" * 5000])
def test_made_up_link_tokens_answer_a_neutral_404(client, path, token):
    suffix = ".ics" if path == "/calendar/" else ""
    response = client.get(path + token + suffix)
    assert response.status_code == 404
    assert "Traceback" not in response.get_data(as_text=True)


def test_a_calendar_feed_lists_only_its_own_specialists_appointments(app, client, users, matched_case, next_slot,
                                                                   session):
    from clinic.scheduling import feeds, services

    first, second = factories.ClinicianFactory(), factories.ClinicianFactory()
    for person in (first, second):
        factories.open_every_day(person)
    mine = services.book(None, matched_case(first), next_slot(first))
    theirs = services.book(None, matched_case(second), next_slot(second))
    token = feeds.issue_feed(None, first)
    calendar = client.get(f"/calendar/{token}.ics").get_data(as_text=True)
    assert mine.ical_uid in calendar and theirs.ical_uid not in calendar


def test_a_link_of_another_clinician_cannot_be_removed_through_this_clinicians_url(client_as, session):
    person, stranger = factories.ClinicianFactory(), factories.ClinicianFactory()
    link = factories.AffiliationFactory(clinician=stranger)
    response = client_as("admin").post(f"/directory/clinicians/{person.id}/links/affiliations/{link.id}/remove")
    assert response.status_code == 404
    assert session.get(type(link), link.id) is not None


def test_a_specialist_account_without_a_directory_record_reaches_no_ones_availability(app, session):
    """It was sent to a page that does not exist (a 500); now to their workspace, with a word why."""
    unlinked = factories.UserFactory(role="specialist")
    browser = sign_in(app.test_client(), unlinked)
    response = browser.get("/availability/mine")
    assert response.status_code == 302 and response.headers["Location"].endswith("/specialist/cases")
