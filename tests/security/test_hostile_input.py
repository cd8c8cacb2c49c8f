"""Hostile input on every form, every API endpoint and every page's query string (property-based):
unicode, control characters, 1 MB strings, nested JSON, wrong types, huge numbers, SQL and
template metacharacters, <script>. Never a 500, nothing half-written, output escaped.

The forms are read from the pages themselves (a clinic with a case in every stage, crawled as
each role), so a new form is fuzzed without a line here; a form route no page offers fails the
suite until it is given one. Each example runs in a savepoint rolled back afterwards, so every
input meets the same clinic. Inputs tried are counted in the "security figures" at the end.
"""
from __future__ import annotations

import io
import itertools
import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from clinic.extensions import db, limiter
from tests.conftest import sign_in
from tests.security import figures
from tests.security.fuzz import (ONE_MB, crawl, sweep, data_fingerprint, deeply_nested, form_payload, hostile_text,
                                 json_payload, unescaped)
from tests.test_access import ACCESS, ANYONE, OWN, A, C, S

ROLES = ("anonymous", C, S, A)
# Form routes no page renders a form for, with the reason.
NO_FORM = {
    "auth.logout": "the sign-out button carries no fields; tested in tests/auth",
}
QUERY_NAMES = ("status", "urgency", "reason", "age", "flag", "sort", "page", "q", "from", "to", "day", "week",
               "record", "start", "subspecialty", "kind", "entity", "user", "action", "next", "include")


@pytest.fixture
def clients(app, users):
    made = {"anonymous": app.test_client()}
    for role in (C, S, A):
        made[role] = sign_in(app.test_client(), users[role])
    return made


@pytest.fixture(autouse=True)
def _no_rate_limits():
    limiter.enabled = False
    _STATE.clear()
    yield
    limiter.enabled = True


def _roles_for(endpoint: str) -> list[str]:
    rule = ACCESS[endpoint]
    if rule == ANYONE:
        return ["anonymous"]
    return [r for r in (C, A, S) if r in rule or (r == S and OWN in rule)]


def _candidates(stage: dict, session) -> dict[str, list]:
    from sqlalchemy import select

    from clinic.auth.models import ApiToken, User
    from clinic.directory.models import Affiliation, Organization
    from clinic.matching.models import Assignment
    from clinic.records.models import Document
    from clinic.scheduling.models import AvailabilityRule, DayOff

    cases = [stage[k] for k in ("pending", "ready", "offered", "matched", "scheduled", "consulted", "decided",
                                "released")]
    affiliation = session.scalars(select(Affiliation)).first()
    return {
        "case_id": cases, "record_id": [stage["received_record"], stage["asked_record"]],
        "document_id": list(session.scalars(select(Document.id)))[:3],
        "assignment_id": [stage["proposal"], *session.scalars(select(Assignment.id).where(
            Assignment.case_id == stage["consulted"]))],
        "appointment_id": [stage["appointment"], stage["started"]], "clinician_id": [stage["specialist"]], "npi": [stage["npi"]],
        "user_id": list(session.scalars(select(User.id)))[:2], "token_id": list(session.scalars(select(ApiToken.id)))[:1],
        "rule_id": list(session.scalars(select(AvailabilityRule.id).where(
            AvailabilityRule.specialist_id == stage["specialist"])))[:1],
        "day_off_id": list(session.scalars(select(DayOff.id)))[:1] or [1],
        "message_id": [1], "counter_id": [stage["counter"]], "inbound_id": [stage["kept_aside"]], "section": ["clinicians", "organizations", "plans", "subspecialties"],
        "item_id": [stage["specialist"], *session.scalars(select(Organization.id))][:2],
        "link": ["affiliations", "relationships", "networks", "subspecialties"],
        "link_id": [affiliation.id if affiliation else 1], "filename": ["app.css"],
        "token": [stage["upload_token"], stage["feed_token"], *stage["status_tokens"]],
        "patient_message_id": [stage["patient_message"]],
    }


def _pages(app, stage, session) -> dict[str, list[str]]:
    """Every GET page each role may open, with each sample object (a few per route)."""
    values = _candidates(stage, session)
    pages: dict[str, list[str]] = {role: [] for role in ROLES}
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or rule.endpoint in ("static", "bootstrap.static") or \
                rule.rule.startswith("/api/"):
            continue
        combos = itertools.islice(itertools.product(*(values[a] for a in sorted(rule.arguments))), 8)
        for combo in combos:
            url = rule.build(dict(zip(sorted(rule.arguments), combo)))[1]
            for role in _roles_for(rule.endpoint):
                pages[role].append(url)
    return pages


_STATE: dict[str, str] = {}


def _clean_state() -> str:
    """The data every example starts from: the same each time, since each example is rolled back
    (taken at the first request of each test)."""
    if "data" not in _STATE:
        _STATE["data"] = data_fingerprint()
    return _STATE["data"]


def _send(client, method: str, url: str, signed_in: bool = False, **kwargs):
    """One hostile request, checked: no server error anywhere, nothing left behind by a refusal,
    hostile markup escaped. Runs in a savepoint rolled back afterwards."""
    figures.add("hostile inputs tried")
    # The test's own session opens its savepoint first (it would otherwise open it inside this one,
    # lazily, and lose it when this one is rolled back).
    savepoint = db.session.connection().begin_nested()
    try:
        before = _clean_state()
        response = client.open(url, method=method, follow_redirects=method != "GET" and "/api/" not in url, **kwargs)
        statuses = [r.status_code for r in response.history] + [response.status_code]
        where = f"{method} {url}"
        assert max(statuses) < 500, f"{where}: server error {statuses}"
        if signed_in:
            assert not any("/login" in r.headers.get("Location", "") for r in [*response.history, response]), \
                f"{where}: the user was sent to the sign-in page"
        if statuses[0] >= 400:
            assert data_fingerprint() == before, f"{where}: refused with {statuses[0]} but data changed"
        if "html" in (response.content_type or ""):
            assert unescaped(response.get_data(as_text=True)) == [], where
        if "/api/" in url:
            assert response.is_json, f"{where}: the API answered {response.content_type}"
            if response.status_code >= 400:
                assert isinstance(response.get_json().get("error"), str), where
        return response
    finally:
        savepoint.rollback()


def _run(fuzz, label: str, failures: list) -> None:
    """Run one Hypothesis search; its failure is kept under `label` so every target gets its turn."""
    try:
        fuzz()
    except AssertionError as error:
        failures.append(f"{label}: {error}")


def _submit(client, form, payload):
    signed_in = form.role != "anonymous"
    if form.method == "GET":
        return _send(client, "GET", form.action, signed_in, query_string=payload)
    return _send(client, form.method, form.action, signed_in, data=payload,
                 content_type="multipart/form-data" if form.files else None)


@pytest.mark.sweep
def test_every_web_write_route_is_offered_by_a_form_some_page_renders(app, every_stage, clients, session):
    """So the sweep below reaches every route that changes data: a new one without a form fails here."""
    session.flush()
    forms = crawl(app, clients, _pages(app, every_stage, session))
    posting = {f.endpoint for f in forms.values() if f.method != "GET"}
    web_writes = {rule.endpoint for rule in app.url_map.iter_rules()
                  if rule.methods & {"POST", "PUT", "PATCH", "DELETE"} and not rule.rule.startswith("/api/")}
    assert web_writes - posting - set(NO_FORM) == set(), "no page offers a form for these routes"
    assert "auth.logout" not in posting
    assert not [e for e in posting if e.startswith("<")], "forms posting to no route"


# One case per role (the forms each role's pages render), so xdist workers share the sweep.
@pytest.mark.sweep
@pytest.mark.parametrize("role", ROLES)
def test_every_form_survives_hostile_values(app, every_stage, clients, session, role):
    session.flush()
    forms = crawl(app, clients, {role: _pages(app, every_stage, session)[role]})
    failures = []
    for form in forms.values():
        if form.method == "GET" and not form.fields:
            continue
        for name, payload in sweep(form):
            try:
                _submit(clients[form.role], form, payload)
            except AssertionError as error:
                failures.append(f"{form.role} {form.method} {form.action} field {name}: {error}")

        @given(data=st.data())
        def fuzz(data):
            _submit(clients[form.role], form, form_payload(form, data))

        _run(fuzz, f"{form.role} {form.method} {form.action}", failures)
    figures.add("forms fuzzed", len(forms))
    assert failures == []


@pytest.mark.sweep
@pytest.mark.parametrize("role", ROLES)
def test_every_page_survives_a_hostile_query_string(app, every_stage, clients, session, role):
    session.flush()
    failures = []
    urls = _pages(app, every_stage, session)[role]
    for url in sorted(set(urls))[::3]:  # a third of the pages, each with its own examples
        @given(query=st.dictionaries(st.sampled_from(QUERY_NAMES), hostile_text, max_size=4))
        def fuzz(query):
            _send(clients[role], "GET", url, role != "anonymous", query_string=query)

        _run(fuzz, f"{role} GET {url}", failures)
    assert failures == []


REQUEST_BODY = {
    "patient": {"name": "Jane Roe", "birth_date": "1970-05-17", "email": "jane@example.org", "phone": "+1 555 0100",
                "timezone": "America/New_York", "language": "en"},
    "referring_clinician": {"name": "Dr. Ann Lee", "organization": "Mercy General"},
    "diagnosis": {"text": "A condition under review", "icd10": "C50.911"},
    "proposed_treatment": {"text": "A proposed treatment", "invasive": True},
    "reasons": ["invasive_treatment"], "urgency": "routine", "consent_to_contact_first_doctor": True,
    "questions": [{"category": "diagnosis", "text": "Is the diagnosis right?"}],
    "coverage": {"payer": "Acme Health", "plan": "Gold PPO", "member_id": "M123"},
}


def _api_bodies(stage: dict) -> dict[str, tuple[str, str, str, dict | None]]:
    """endpoint -> (role, method, url, a valid body) for every API route that reads a body."""
    from datetime import date, timedelta

    from clinic.scheduling.availability import free_slots

    first = date.today() + timedelta(days=2)
    slots = free_slots(stage["specialist"], first, first + timedelta(days=7))
    answers = {str(q): "A considered answer." for q in stage["questions"]}
    return {
        "api.create_request": (C, "POST", "/api/v1/requests", REQUEST_BODY),
        "api.reject_record": (C, "POST", f"/api/v1/records/{stage['received_record']}/reject", {"reason": "Illegible"}),
        "api.verify_record": (C, "POST", f"/api/v1/records/{stage['received_record']}/verify", {}),
        "api.put_coverage": (C, "PUT", f"/api/v1/requests/{stage['pending']}/coverage",
                             {"result": "verified_in_network", "payer": "Acme Health", "plan": "Gold PPO",
                              "member_id": "M1", "prior_auth_required": True, "auth_number": "A1",
                              "method": "portal", "notes": "Checked"}),
        "api.propose": (C, "POST", f"/api/v1/requests/{stage['ready']}/assignment",
                        {"npi": stage["npi"], "independence_override": "Referrer unreachable"}),
        "api.resolve_doctor": (C, "PUT", f"/api/v1/requests/{stage['pending']}/doctors/referring",
                               {"not_in_directory": "Searched by name and clinic"}),
        "api.accept": (S, "POST", f"/api/v1/assignments/{stage['proposal']}/accept", {}),
        "api.decline": (S, "POST", f"/api/v1/assignments/{stage['proposal']}/decline",
                        {"reason": "Travelling", "conflict": False}),
        "api.book": (C, "POST", f"/api/v1/requests/{stage['matched']}/appointment",
                     {"npi": stage["npi"], "start": slots[3].start.isoformat()}),
        "api.move": (C, "PATCH", f"/api/v1/appointments/{stage['appointment']}", {"start": slots[5].start.isoformat()}),
        "api.cancel": (C, "DELETE", f"/api/v1/appointments/{stage['appointment']}", {"reason": "Patient asked"}),
        "api.complete": (C, "POST", f"/api/v1/appointments/{stage['started']}/complete", {}),
        "api.submit_opinion": (S, "POST", f"/api/v1/requests/{stage['consulted']}/opinion",
                               {"diagnosis": {"text": "Confirmed", "icd10": "C50.911"},
                                "diagnosis_comparison": "confirmed", "treatment_comparison": "same",
                                "less_invasive_option": None, "if_patient_waits": "Safe for weeks",
                                "recommendation": "Proceed", "answers": answers, "sign": True}),
        "api.record_decision": (C, "POST", f"/api/v1/requests/{stage['decided']}/decision",
                                {"choice": "follow_second", "note": "Agreed"}),
        "api.matches": (C, "GET", f"/api/v1/requests/{stage['ready']}/matches", None),
        "api.get_request": (C, "GET", f"/api/v1/requests/{stage['pending']}", None),
        "api.specialist_slots": (C, "GET", f"/api/v1/specialists/{stage['npi']}/slots", None),
    }


def _bearer(stage, role) -> dict:
    return {"Authorization": "Bearer " + stage["tokens"][role]}


@pytest.mark.sweep
@pytest.mark.parametrize("role", (C, S))  # one case per role calling the API, so xdist workers share the sweep
def test_every_api_endpoint_survives_hostile_json(app, every_stage, session, role):
    session.flush()
    bodies = _api_bodies(every_stage)
    api_routes = {rule.endpoint for rule in app.url_map.iter_rules() if rule.rule.startswith("/api/")}
    assert api_routes - set(bodies) - {"api.upload_document"} == set(), "give these API routes a valid body here"
    client, failures = app.test_client(), []
    for endpoint, (caller, method, url, valid) in bodies.items():
        if caller != role:
            continue
        headers = _bearer(every_stage, role)
        baseline = _send(client, method, url, headers=headers,
                         **({"json": valid} if valid is not None else {}))
        assert baseline.status_code < 400, f"{endpoint}: the valid body was refused: {baseline.get_json()}"

        @given(data=st.data())
        def fuzz(data):
            if valid is None:
                query = data.draw(st.dictionaries(st.sampled_from(QUERY_NAMES), hostile_text, max_size=3))
                _send(client, method, url, headers=headers, query_string=query)
            else:
                _send(client, method, url, headers=headers, json=json_payload(valid, data))

        _run(fuzz, endpoint, failures)
    assert failures == []


RAW_BODIES = {
    "not JSON": ("application/json", b"{'patient': "),
    "invalid UTF-8": ("application/json", b'{"reason": "\xff\xfe\xfa"}'),
    "NaN": ("application/json", b'{"reason": NaN}'),
    "deeply nested": ("application/json", deeply_nested().encode()),
    "deeply nested object": ("application/json", ('{"a":' * 3000 + "1" + "}" * 3000).encode()),
    "huge number": ("application/json", b'{"npi": 1' + b"0" * 5000 + b"}"),
    "a list": ("application/json", b"[1, 2, 3]"),
    "a string": ("application/json", b'"hello"'),
    "null": ("application/json", b"null"),
    "form encoded": ("application/x-www-form-urlencoded", b"reason=x&npi=1"),
    "XML": ("application/xml", b"<?xml version='1.0'?><!DOCTYPE x [<!ENTITY e SYSTEM 'file:///etc/passwd'>]><x>&e;</x>"),
    "over 1 MB": ("application/json", json.dumps({"reason": ONE_MB + "x" * 100}).encode()),
    "empty": ("application/json", b""),
}


@pytest.mark.parametrize("shape", RAW_BODIES)
def test_malformed_api_bodies_get_a_json_error(app, every_stage, session, shape):
    session.flush()
    content_type, raw = RAW_BODIES[shape]
    client = app.test_client()
    for endpoint, (role, method, url, valid) in _api_bodies(every_stage).items():
        if valid is None:
            continue
        response = _send(client, method, url, headers=_bearer(every_stage, role), data=raw, content_type=content_type)
        if valid:  # an endpoint that reads no body may go ahead; one that reads a body must refuse
            assert response.status_code in (400, 413, 415, 422), f"{endpoint} with {shape}: {response.status_code}"


def test_api_uploads_survive_hostile_files_and_fields(app, every_stage, session):
    from tests.security.fuzz import FILE_NAMES, upload_bytes

    session.flush()
    client, url = app.test_client(), f"/api/v1/requests/{every_stage['pending']}/documents"
    headers = _bearer(every_stage, C)

    @given(content=upload_bytes, name=st.one_of(st.sampled_from(FILE_NAMES), hostile_text),
           kind=st.one_of(st.just("lab_result"), hostile_text), source=st.one_of(st.none(), hostile_text))
    def fuzz(content, name, kind, source):
        import io

        fields = {"file": (io.BytesIO(content), name), "kind": kind}
        if source is not None:
            fields["source"] = source
        _send(client, "POST", url, headers=headers, data=fields, content_type="multipart/form-data")

    fuzz()


def test_a_nul_character_is_refused_at_the_door_with_a_sentence_never_a_500(app, every_stage, client_as, session):
    """PostgreSQL cannot store U+0000: before the guard in clinic/security.py, a NUL in any text field
    reached the database and failed there (a 500), on every form and API body."""
    from clinic.security import NUL_MESSAGE

    session.flush()
    coordinator = client_as(C)
    note = coordinator.post(f"/cases/{every_stage['pending']}/notes", data={"text": "nul\x00byte"})
    api = app.test_client().post(f"/api/v1/records/{every_stage['received_record']}/reject",
                                 json={"reason": "a\x00b"}, headers=_bearer(every_stage, C))
    upload = coordinator.post(f"/cases/{every_stage['pending']}/records/upload",
                              data={"record": every_stage["received_record"],
                                    "file": (io.BytesIO(b"%PDF-1.4 x"), "scan\x00.pdf")})
    assert note.status_code == upload.status_code == api.status_code == 400
    assert NUL_MESSAGE in note.get_data(as_text=True) and api.get_json()["error"] == NUL_MESSAGE
    path = app.test_client().get(f"/api/v1/specialists/{every_stage['npi'][:5]}%00/slots",
                                 headers=_bearer(every_stage, C))
    assert path.status_code == 404 and path.is_json
    assert coordinator.get("/cases?status=open%00&page=1%00").status_code == 200  # noise in a filter is ignored


def test_a_form_body_past_the_text_limit_is_refused_before_it_is_parsed(client, session):
    """Werkzeug caps multipart fields only: a 50 MB urlencoded form was read and validated in full
    (the email check alone costs a third of a second per megabyte)."""
    from clinic.security import MAX_TEXT_FORM

    response = client.post("/request", data={"email": "x" * (MAX_TEXT_FORM + 1)})
    assert response.status_code == 413 and "larger than the 2048 KB limit" in response.get_data(as_text=True)


# str.isdigit() passes these, int() refuses them (or gives up past 4,300 digits): each was a 500.
UNREADABLE_NUMBERS = ("²", "①", "9" * 5000)


@pytest.mark.parametrize("number", UNREADABLE_NUMBERS)
def test_numbers_int_cannot_read_are_ignored_in_query_strings(client_as, new_case, users, number):
    case = new_case(users["coordinator"])
    coordinator, admin = client_as("coordinator"), client_as("admin")
    for client, path in ((coordinator, f"/cases?page={number}"), (coordinator, f"/directory/clinicians?page={number}"),
                         (coordinator, f"/cases/{case.id}/records/request?record={number}")):
        assert client.get(path).status_code == 200, path
    assert admin.get(f"/directory/clinicians?page={number}").status_code == 200


@pytest.mark.parametrize("number", UNREADABLE_NUMBERS)
def test_an_api_answer_keyed_by_a_number_int_cannot_read_is_a_422_on_that_field(app, my_case, bearer, number):
    case = my_case()
    response = app.test_client().post(f"/api/v1/requests/{case.id}/opinion", json={"answers": {number: "Yes."}},
                                      headers=bearer("specialist"))
    assert response.status_code == 422 and "answers" in response.json["fields"]
