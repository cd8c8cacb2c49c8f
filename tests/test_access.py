"""Who may use each route: one table over the whole url_map, checked for every principal.

A new route without a row here fails the suite. Every row is requested by each principal:
anonymous, each role signed in through the browser, a second specialist who is not assigned
to the sample case, and an API token of each role. Browser cookies never open the API and
API tokens never open a browser page; a refused role gets 403, an object that is not the
principal's gets 404, and every refusal by role or object is written to the audit log.
"""
from __future__ import annotations

from dataclasses import dataclass

import pytest
import sqlalchemy as sa

from clinic.audit import AuditEvent
from clinic.auth.access import PUBLIC
from tests import factories
from tests.conftest import sign_in
from tests.security import figures

ANYONE = "public"
C, S, A = "coordinator", "specialist", "admin"
# The specialist whose object it is (their assignment, their accepted case and its verified
# documents, their availability): any other specialist gets 404, as if it did not exist.
OWN = "own"

# endpoint -> roles allowed (ANYONE for public pages). Later stages add their rows here.
ACCESS = {
    "static": ANYONE,
    "bootstrap.static": ANYONE,
    "health": ANYONE,
    "auth.login": ANYONE,
    "auth.logout": ANYONE,
    "auth.home": ANYONE,
    "admin.users": {A},
    "admin.create": {A},
    "admin.user": {A},
    "admin.toggle_active": {A},
    "admin.reset_password": {A},
    "admin.new_token": {A},
    "admin.revoke": {A},
    "admin.audit_log": {A},
    "cases.public_request": ANYONE,
    "cases.request_received": ANYONE,
    "cases.queue": {C},
    "cases.new_case": {C},
    "cases.case": {C},
    "cases.end_case": {C},
    "cases.add_note": {C},
    "api.create_request": {C},
    "api.get_request": {C},
    "records.upload": {C},
    "records.request_records": {C},
    "records.add_item": {C},
    "records.item": {C},
    "records.verify": {C},
    "records.reject": {C},
    "records.not_applicable": {C},
    "records.follow_up": {C},
    "records.download": {C},
    "records.patient_upload": ANYONE,
    "coverage.check": {C},
    "api.upload_document": {C},
    "api.verify_record": {C},
    "api.reject_record": {C},
    "api.put_coverage": {C},
    "directory.index": {C, A},
    "directory.listing": {C, A},
    "directory.clinician": {C, A},
    "directory.new": {A},
    "directory.edit": {A},
    "directory.toggle": {A},
    "directory.save_link": {A},
    "directory.remove_link": {A},
    "directory.roster_import": {A},
    "matching.shortlist": {C},
    "matching.propose": {C},
    "matching.withdraw": {C},
    "matching.confirm_doctor": {C},
    "matching.doctor_not_listed": {C},
    "matching.assignment": {OWN},
    "matching.accept": {OWN},
    "matching.decline": {OWN},
    "api.matches": {C},
    "api.propose": {C},
    "api.resolve_doctor": {C},
    "api.accept": {OWN},
    "api.decline": {OWN},
    "scheduling.book": {C},
    "scheduling.appointment": {C},
    "scheduling.reschedule": {C},
    "scheduling.cancel": {C},
    "scheduling.complete": {C},
    "scheduling.no_show": {C},
    "scheduling.download": {C},
    "scheduling.feed": ANYONE,
    "availability.index": {A},
    "availability.mine": {S},
    "availability.specialist": {A, OWN},
    "availability.add_rule": {A, OWN},
    "availability.delete_rule": {A, OWN},
    "availability.add_day_off": {A, OWN},
    "availability.delete_day_off": {A, OWN},
    "availability.issue_feed": {A, OWN},
    "availability.revoke_feed": {A, OWN},
    "mail.outbox": {A},
    "mail.retry_message": {A},
    "inbox.accept": {C},
    "inbox.decline": {C},
    "inbox.kept_aside": {A},
    "inbox.message": {A},
    "api.specialist_slots": {C},
    "api.book": {C},
    "api.move": {C},
    "api.cancel": {C},
    "api.complete": {C},
    "review.home": {S},
    "review.case": {OWN},
    "review.opinion": {OWN},
    "review.addendum": {OWN},
    "review.document": {OWN},
    "review.inline": {OWN},
    "review.download": {OWN},
    "outcomes.comparison": {C},
    "outcomes.decide": {C},
    "outcomes.report": {C},
    "outcomes.report_download": {C},
    "outcomes.send_report": {C},
    "outcomes.revoke_report_link": {C, A},
    "outcomes.shared_report": ANYONE,
    "outcomes.dashboard_page": {C, A},
    "outcomes.dashboard_csv": {C, A},
    "api.submit_opinion": {OWN},
    "api.record_decision": {C},
    "patients.status_page": ANYONE,
    "patients.upload": ANYONE,
    "patients.move": ANYONE,
    "patients.cancel": ANYONE,
    "patients.message": ANYONE,
    "patients.decision": ANYONE,
    "patients.appointment_ics": ANYONE,
    "patients.report": ANYONE,
    "patients.report_pdf_download": ANYONE,
    "patients.release_report": {C},
    "patients.send_status_link": {C},
    "patients.revoke_status_links": {C},
    "patients.message_handled": {C},
}


@dataclass(frozen=True)
class Principal:
    name: str
    role: str | None         # None: anonymous
    via: str | None          # "cookie" (browser sign-in), "token" (API bearer) or None
    assigned: bool = True    # a specialist assigned to the sample objects, or another one


PRINCIPALS = (
    Principal("anonymous", None, None),
    Principal("coordinator", C, "cookie"),
    Principal("specialist", S, "cookie"),
    Principal("other_specialist", S, "cookie", assigned=False),
    Principal("admin", A, "cookie"),
    Principal("coordinator_token", C, "token"),
    Principal("specialist_token", S, "token"),
    Principal("other_specialist_token", S, "token", assigned=False),
    Principal("admin_token", A, "token"),
)
ALLOWED, LOGIN = "allowed", "login page"


def expected(endpoint: str, url: str, who: Principal):
    """What `who` must get: ALLOWED, LOGIN (a redirect to the sign-in page), 401, 403 or 404."""
    rule = ACCESS[endpoint]
    if rule == ANYONE:
        return ALLOWED
    api = url.startswith("/api/")
    if api and who.via != "token":
        return 401  # the API takes bearer tokens only: a browser cookie cannot be replayed there
    if not api and who.via != "cookie":
        return LOGIN  # a token opens no browser page
    roles = {S if r == OWN else r for r in rule}
    if who.role not in roles:
        return 403
    if who.role == S and OWN in rule and not who.assigned:
        return 404
    return ALLOWED


def test_every_route_has_an_access_rule(app):
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
    assert endpoints - set(ACCESS) == set(), "add these routes to ACCESS"
    assert set(ACCESS) - endpoints == set(), "these ACCESS rows name no route"


def test_every_view_declares_its_roles_and_they_match_the_table(app):
    for endpoint, view in app.view_functions.items():
        if endpoint in ("static", "bootstrap.static"):
            continue
        declared = getattr(view, "allowed_roles", None)
        assert declared is not None, f"{endpoint} has neither @roles_required nor @public"
        expected_roles = PUBLIC if ACCESS[endpoint] == ANYONE else {S if r == OWN else r for r in ACCESS[endpoint]}
        assert declared == expected_roles, endpoint


@pytest.fixture
def other_specialist(app):
    """A second specialist on the panel, with an account, assigned to nothing of the samples."""
    return factories.UserFactory(role="specialist", clinician=factories.ClinicianFactory())


@pytest.fixture
def sample_ids(app, users, session, my_case):
    """A value for every URL parameter: objects of one consulted case accepted by users['specialist']
    (records verified, consultation held), their availability, and the directory and accounts."""
    from datetime import date, timedelta

    from clinic.auth.models import ApiToken
    from clinic.auth.services import issue_token
    from clinic.mail.models import OutboxMessage
    from clinic.matching.models import Assignment
    from clinic.outcomes.models import ReportLink
    from clinic.patients.models import PatientMessage
    from clinic.records.models import Document
    from clinic.scheduling import availability
    from clinic.scheduling.models import Appointment, AvailabilityRule

    case = my_case()
    specialist = users["specialist"].clinician
    counter, inbound = _inbox_samples(session, case)
    issue_token(None, users["coordinator"], "sample")
    day_off = availability.add_day_off(None, specialist, date(2031, 1, 6))
    affiliation = factories.AffiliationFactory(clinician=specialist)
    report_link = ReportLink(case_id=case.id, token_hash="0" * 64, recipient="first.doctor@example.org",
                             expires_at=case.created_at + timedelta(days=3650))
    session.add(report_link)
    patient_message = PatientMessage(case_id=case.id, body="Can I bring my daughter?")
    session.add(patient_message)
    session.flush()
    return {
        "case_id": case.id, "record_id": case.record_items[1].id,
        "document_id": session.scalar(sa.select(Document.id).where(Document.case_id == case.id)),
        "assignment_id": session.scalar(sa.select(Assignment.id).where(Assignment.case_id == case.id)),
        "appointment_id": session.scalar(sa.select(Appointment.id).where(Appointment.case_id == case.id)),
        "clinician_id": specialist.id, "npi": specialist.npi,
        "rule_id": session.scalar(sa.select(AvailabilityRule.id).where(AvailabilityRule.specialist_id == specialist.id)),
        "day_off_id": day_off.id, "link": "affiliations", "link_id": affiliation.id,
        "user_id": users["coordinator"].id, "token_id": session.scalars(sa.select(ApiToken.id)).first(),
        "message_id": session.scalars(sa.select(OutboxMessage.id)).first(),
        "section": "organizations", "item_id": affiliation.organization_id,
        "filename": "app.css", "token": "x" * 43, "report_link_id": report_link.id, "role": "referring",
        "patient_message_id": patient_message.id,
        "counter_id": counter, "inbound_id": inbound,
    }


def _inbox_samples(session, case) -> tuple[int, int]:
    """A proposed time for the case's (held) consultation, and the message that brought it."""
    from datetime import timedelta

    from clinic.inbox.models import CounterProposal, InboundMessage
    from clinic.scheduling.models import Appointment

    appointment = session.scalars(sa.select(Appointment).where(Appointment.case_id == case.id)).one()
    message = InboundMessage(sha256="1" * 64, size=1, outcome="applied", sender=case.patient.email,
                             appointment_id=appointment.id)
    session.add(message)
    session.flush()
    counter = CounterProposal(appointment_id=appointment.id, role="patient", proposer=case.patient.email,
                              start=appointment.start + timedelta(days=1), end=appointment.end + timedelta(days=1),
                              sequence=appointment.ical_sequence, inbound_message_id=message.id)
    session.add(counter)
    session.flush()
    return counter.id, message.id


def route_requests(app, ids):
    """One (endpoint, method, url) per route and method, with sample ids filled in."""
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.endpoint):
        values = {arg: ids[arg] for arg in rule.arguments}
        if rule.endpoint == "bootstrap.static":
            values["filename"] = "css/bootstrap.min.css"
        url = rule.build(values)[1]
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            yield rule.endpoint, method, url


def _denials(session, user_id) -> int:
    return session.scalar(sa.select(sa.func.count()).select_from(AuditEvent).where(
        AuditEvent.action == "denied", AuditEvent.user_id == user_id, AuditEvent.entity.is_not(None),
        AuditEvent.entity_id.is_not(None)))


@pytest.mark.parametrize("who", PRINCIPALS, ids=lambda p: p.name)
def test_each_principal_gets_exactly_what_the_table_allows(app, users, other_specialist, sample_ids, session,
                                                           client_as, bearer, who):
    user = other_specialist if not who.assigned else users.get(who.role)
    browser = app.test_client()
    if who.via == "cookie":
        sign_in(browser, user)
    headers = {}
    if who.via == "token":
        from clinic.auth.services import issue_token

        headers = {"Authorization": "Bearer " + issue_token(None, user, "matrix")}
    problems, checked = [], 0
    for endpoint, method, url in route_requests(app, sample_ids):
        if endpoint == "auth.logout" and who.via == "cookie":
            continue  # would end the session used by the following requests; tested in tests/auth
        want = expected(endpoint, url, who)
        before = _denials(session, user.id) if want in (403, 404) else 0
        if url.startswith("/api/"):
            response = browser.open(url, method=method, json={}, headers=headers)
        else:
            response = browser.open(url, method=method, headers=headers)
        status, checked = response.status_code, checked + 1
        to_login = status == 302 and "/login" in response.headers.get("Location", "")
        where = f"{method} {url} as {who.name}: {status}"
        if status >= 500:
            problems.append(f"{where} (server error)")
        elif want == ALLOWED:
            # A public page may send anyone to the sign-in page (sign-out) or answer 404 (a bad link token).
            refused = status in (401, 403) or (ACCESS[endpoint] != ANYONE and (to_login or status == 404))
            if refused:
                problems.append(f"{where}, expected to be let in")
        elif want == LOGIN:
            if not to_login:
                problems.append(f"{where}, expected a redirect to the sign-in page")
        elif status != want:
            problems.append(f"{where}, expected {want}")
        elif want in (403, 404) and _denials(session, user.id) != before + 1:
            problems.append(f"{where}: the refusal was not audited with user, entity and id")
    figures.add("route x principal requests checked", checked)
    assert problems == []
