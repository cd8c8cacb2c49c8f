"""Audit completeness: every route that shows patient data writes who viewed what (user, action,
entity, id), and every request that changes data writes who changed what; both found by walking
the url_map and the forms the pages render, so a new route or form is covered without a line here.

Audit rows cannot be changed or deleted through the app: tests/test_security.py (the ORM refuses);
the database refuses too (below), on both backends.
"""
from __future__ import annotations

import pytest
import sqlalchemy as sa

from clinic.audit import AuditEvent
from clinic.extensions import db, limiter
from tests.conftest import sign_in
from tests.security import figures
from tests.security.fuzz import baseline, crawl, data_fingerprint
from tests.test_access import (ACCESS, ANYONE, OWN, A, C, S, other_specialist, route_requests,  # noqa: F401
                               sample_ids)

# GET routes that show no patient data, with the reason.
NO_PATIENT_DATA = {
    "static": "the stylesheet and script", "bootstrap.static": "Bootstrap's files", "health": "liveness",
    "auth.login": "the sign-in form", "auth.home": "the start page", "admin.users": "staff accounts",
    "admin.user": "a staff account and its tokens", "cases.public_request": "an empty request form",
    "cases.request_received": "the reference just submitted, to the person who submitted it",
    "directory.index": "clinicians and organizations", "directory.listing": "clinicians and organizations",
    "directory.clinician": "a clinician's affiliations and ties", "directory.new": "an empty form",
    "directory.edit": "a directory entry", "directory.roster_import": "the import form",
    "availability.index": "specialists' weekly openings", "availability.mine": "a redirect to the page below",
    "outcomes.dashboard_page": "counts and rates, no case", "outcomes.dashboard_csv": "counts and rates, no case",
    "admin.audit_log": "the audit log itself (staff ids and entity ids, no patient data)",
    "cases.new_case": "an empty form", "api.specialist_slots": "a specialist's free slots",
}
# Views of a list rather than one object (the id is then empty).
LISTS = {"case_list", "assignment_list", "outbox", "inbox"}


def _new_events(session, after_id: int) -> list:
    """Rows, not objects: ids rolled back with a savepoint come again, and the session's identity map
    would hand back the old object under the new id."""
    columns = (AuditEvent.action, AuditEvent.entity, AuditEvent.entity_id, AuditEvent.user_id)
    return session.execute(sa.select(*columns).where(AuditEvent.id > after_id).order_by(AuditEvent.id)).all()


def _last_id(session) -> int:
    return session.scalar(sa.select(sa.func.coalesce(sa.func.max(AuditEvent.id), 0)))


def _principal(endpoint: str) -> str:
    rule = ACCESS[endpoint]
    if rule == ANYONE:
        return "anonymous"
    return next(r for r in (C, S, A) if r in rule or (r == S and OWN in rule))


def test_every_view_of_patient_data_is_audited_with_user_action_entity_and_id(app, users, sample_ids, session, bearer,
                                                                            signed_case):
    from clinic.cases.models import Case
    from clinic.records import links
    from clinic.patients.services import issue_status_link
    from clinic.scheduling import feeds

    case_id = sample_ids["case_id"]
    signed = signed_case()  # the comparison and the report exist once the opinion is signed
    tokens = {"records.patient_upload": links.issue_link(None, session.get(Case, case_id)),
              "scheduling.feed": feeds.issue_feed(None, users["specialist"].clinician),
              "patients.status_page": issue_status_link(None, session.get(Case, case_id))}
    clients = {"anonymous": app.test_client()} | {r: sign_in(app.test_client(), users[r]) for r in (C, S, A)}
    problems, checked = [], 0
    for endpoint, method, url in route_requests(app, sample_ids):
        if method != "GET" or endpoint in NO_PATIENT_DATA:
            continue
        if endpoint in tokens:
            url = url.replace("x" * 43, tokens[endpoint])
        if endpoint.startswith("outcomes."):
            url = url.replace(f"/cases/{case_id}/", f"/cases/{signed.id}/")
        if endpoint == "outcomes.shared_report":
            continue  # a report link needs a signed opinion: tests/outcomes/test_views.py audits its opening
        if endpoint in ("patients.appointment_ics", "patients.report", "patients.report_pdf_download"):
            continue  # a booked consultation, a released report: tests/patients/test_status_page.py audits them
        role = _principal(endpoint)
        user = users.get(role)
        before = _last_id(session)
        response = (app.test_client().get(url, headers=bearer(role)) if url.startswith("/api/")
                    else clients[role].get(url))
        checked += 1
        if response.status_code != 200:
            problems.append(f"GET {url} as {role}: {response.status_code}")
            continue
        events = [e for e in _new_events(session, before) if e.action in ("view", "export")]
        good = [e for e in events if e.user_id == getattr(user, "id", None) and e.entity
                and (e.entity_id is not None or e.entity in LISTS)]
        if not good:
            problems.append(f"GET {url} as {role}: no view/export row with user, entity and id "
                            f"({[(e.action, e.entity, e.entity_id) for e in events]})")
    figures.add("patient-data views checked for their audit row", checked)
    assert checked > 25 and problems == []


@pytest.fixture
def _no_rate_limits():
    limiter.enabled = False
    yield
    limiter.enabled = True


# The changes each role's forms and API calls make in the clinic of every stage (at least): a role whose
# forms stop changing data would pass the sweep without checking anything.
CHANGES_AT_LEAST = {"anonymous": 1, C: 25, S: 8, A: 8}


@pytest.mark.sweep
@pytest.mark.parametrize("role", CHANGES_AT_LEAST)  # one case per role, so xdist workers share the sweep
def test_every_change_made_through_a_form_or_the_api_is_audited(app, users, every_stage, session, _no_rate_limits,
                                                                role):
    """Each form the pages render, submitted as the page fills it, and each API call with a valid body:
    when data changed, an audit row names the user (none for the patient's link), the action, the entity
    and its id."""
    from tests.security.test_hostile_input import _api_bodies, _bearer, _pages

    session.flush()
    clients = {"anonymous": app.test_client()} | {r: sign_in(app.test_client(), users[r]) for r in (C, S, A)}
    pages = {role: _pages(app, every_stage, session)[role]}
    forms = [f for f in crawl(app, clients, pages).values() if f.method != "GET"]
    calls = [(f.role, f"{f.method} {f.action}",
              lambda f=f: clients[f.role].open(f.action, method=f.method, data=baseline(f),
                                               content_type="multipart/form-data" if f.files else None))
             for f in forms]
    client = app.test_client()
    for endpoint, (caller, method, url, body) in _api_bodies(every_stage).items():
        if body is not None and caller == role:
            calls.append((role, f"{method} {url}", lambda m=method, u=url, b=body: client.open(
                u, method=m, json=b, headers=_bearer(every_stage, role))))
    problems, changed = [], 0
    for who, what, call in calls:
        savepoint = db.session.connection().begin_nested()  # the test session's savepoint first, outside
        try:
            before, last = data_fingerprint(), _last_id(session)
            response = call()
            if data_fingerprint() == before:
                continue
            changed += 1
            user_id = getattr(users.get(who), "id", None)
            writes = [e for e in _new_events(session, last)
                      if e.action in ("create", "update", "delete", "export") and e.user_id == user_id
                      and e.entity and (e.entity_id is not None or e.entity == "roster_import")]
            if not writes:
                problems.append(f"{what} as {who} ({response.status_code}) changed data without an audit row")
        finally:
            savepoint.rollback()
    figures.add("changes checked for their audit row", changed)
    assert changed >= CHANGES_AT_LEAST[role] and problems == []


@pytest.mark.parametrize("statement", ["UPDATE audit_events SET detail = 'rewritten'", "DELETE FROM audit_events"])
def test_the_database_refuses_to_change_or_delete_audit_rows(app, session, statement):
    from clinic import audit

    audit.record(None, "view", "case", 1)
    session.flush()
    with pytest.raises(sa.exc.DatabaseError):
        with session.begin_nested():
            session.execute(sa.text(statement))
    assert session.scalar(sa.select(sa.func.count()).select_from(AuditEvent)) >= 1
