"""Who may use each route: a table over the whole url_map. A new route without a row here
fails the suite, and every row is checked against every role."""
from __future__ import annotations

import pytest
import sqlalchemy as sa

from clinic.auth.access import PUBLIC
from tests import factories

ANYONE = "public"
C, S, A = "coordinator", "specialist", "admin"

# endpoint -> roles allowed (ANYONE for public pages). Later stages add their rows here.
ACCESS = {
    "static": ANYONE,
    "bootstrap.static": ANYONE,
    "health": ANYONE,
    "auth.login": ANYONE,
    "auth.logout": ANYONE,
    "auth.home": ANYONE,
    "auth.users": {A},
    "auth.create": {A},
    "auth.user": {A},
    "auth.toggle_active": {A},
    "auth.reset_password": {A},
    "auth.new_token": {A},
    "auth.revoke": {A},
    "audit.index": {A},
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
    "matching.assignment": {S},
    "matching.accept": {S},
    "matching.decline": {S},
    "api.matches": {C},
    "api.propose": {C},
    "api.accept": {S},
    "api.decline": {S},
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
    "availability.specialist": {A, S},
    "availability.add_rule": {A, S},
    "availability.delete_rule": {A, S},
    "availability.add_day_off": {A, S},
    "availability.delete_day_off": {A, S},
    "availability.issue_feed": {A, S},
    "availability.revoke_feed": {A, S},
    "mail.outbox": {A},
    "mail.retry_message": {A},
    "api.specialist_slots": {C},
    "api.book": {C},
    "api.move": {C},
    "api.cancel": {C},
    "api.complete": {C},
    "review.home": {S},
    "review.case": {S},
    "review.opinion": {S},
    "review.addendum": {S},
    "review.document": {S},
    "review.inline": {S},
    "review.download": {S},
    "outcomes.comparison": {C},
    "outcomes.decide": {C},
    "outcomes.report": {C},
    "outcomes.report_download": {C},
    "outcomes.send_report": {C},
    "outcomes.shared_report": ANYONE,
    "outcomes.dashboard_page": {C, A},
    "outcomes.dashboard_csv": {C, A},
    "api.submit_opinion": {S},
    "api.record_decision": {C},
}
ROLES = ("anonymous", C, S, A)


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
        expected = PUBLIC if ACCESS[endpoint] == ANYONE else ACCESS[endpoint]
        assert declared == expected, endpoint


@pytest.fixture
def sample_ids(app, users, new_case, session, matched_case, next_slot):
    from datetime import date

    from clinic.auth.models import ApiToken
    from clinic.auth.services import issue_token
    from clinic.mail.models import OutboxMessage
    from clinic.scheduling import availability, services
    from tests import factories

    case = new_case()
    issue_token(None, users["coordinator"], "sample")
    token = session.scalars(sa.select(ApiToken)).first()
    document = factories.attach(users["coordinator"], case.record_items[0])
    assignment = factories.AssignmentFactory(case_id=case.id)
    specialist = users["specialist"].clinician
    rules = factories.open_every_day(specialist)
    booked = services.book(users["coordinator"], matched_case(specialist), next_slot(specialist))
    day_off = availability.add_day_off(None, specialist, date(2031, 1, 6))
    return {"case_id": case.id, "user_id": users["coordinator"].id, "token_id": token.id, "filename": "app.css",
            "record_id": case.record_items[1].id, "document_id": document.id, "token": "x" * 43,
            "section": "organizations", "item_id": factories.OrganizationFactory().id,
            "clinician_id": specialist.id, "link": "affiliations", "link_id": 1, "assignment_id": assignment.id,
            "appointment_id": booked.id, "rule_id": rules[0].id, "day_off_id": day_off.id,
            "message_id": session.scalars(sa.select(OutboxMessage.id)).first(), "npi": specialist.npi}


def _requests(app, ids):
    """One (endpoint, method, url) per route and method, with sample ids filled in."""
    for rule in app.url_map.iter_rules():
        values = {arg: ids[arg] for arg in rule.arguments}
        if rule.endpoint == "bootstrap.static":
            values["filename"] = "css/bootstrap.min.css"
        url = rule.build(values)[1]
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            yield rule.endpoint, method, url


@pytest.mark.parametrize("role", ROLES)
def test_each_role_gets_exactly_what_the_table_allows(app, users, sample_ids, client_as, bearer, role):
    problems = []
    browser, headers = client_as(role), bearer(role)
    for endpoint, method, url in _requests(app, sample_ids):
        if endpoint == "auth.logout":
            continue  # would end the session used by the following requests; tested in auth
        if url.startswith("/api/"):
            response = app.test_client().open(url, method=method, json={}, headers=headers)
        else:
            response = browser.open(url, method=method)
        allowed = ACCESS[endpoint] == ANYONE or role in ACCESS[endpoint]
        status = response.status_code
        if status >= 500:
            problems.append(f"{method} {url} as {role}: {status}")
        elif allowed and (status in (401, 403) or _to_login(response)):
            problems.append(f"{method} {url} as {role}: refused with {status}")
        elif not allowed:
            expected = (401,) if url.startswith("/api/") and role == "anonymous" else \
                (302,) if role == "anonymous" else (403,)
            if status not in expected or (status == 302 and not _to_login(response)):
                problems.append(f"{method} {url} as {role}: {status}, expected {expected}")
    assert problems == []


def _to_login(response) -> bool:
    return response.status_code == 302 and "/login" in response.headers.get("Location", "")
