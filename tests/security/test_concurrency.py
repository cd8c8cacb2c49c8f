"""Concurrent changes to the same case on PostgreSQL, with real commits on a database of its own:
no lost update, the loser told to reload (409 page or JSON), never a 500, and the case's status
always agreeing with its facts afterwards.

Many coordinators booking one slot (exactly one wins) is tests/scheduling/test_concurrency.py;
concurrent outbox senders delivering each message once is there too.
"""
from __future__ import annotations

import io
import threading
from collections.abc import Callable

import pytest
import sqlalchemy as sa

from clinic.auth.services import issue_token
from clinic.cases.models import Case, TimelineEntry
from clinic.cases.services import submit_request
from clinic.directory.models import Clinician
from clinic.extensions import db
from clinic.records.gate import records_and_coverage
from clinic.records.models import RecordItem
from clinic.records.services import verify_record
from clinic.review.models import Opinion
from tests import factories
from tests.conftest import build_intake, sign_in
from tests.directory.test_roster import roster
from tests.security import figures
from tests.security.conftest import needs_postgres, scratch_postgres

pytestmark = [needs_postgres, pytest.mark.postgres_only]
PAIRS = 12
RELOAD = "Someone else changed this record while you were working"


@pytest.fixture(scope="module")
def committed(tmp_path_factory):
    with scratch_postgres(tmp_path_factory) as (app, _):
        with app.app_context():
            coordinator = factories.UserFactory(role="coordinator")
            admin = factories.UserFactory(role="admin")
            db.session.commit()
            tokens = {"coordinator": issue_token(None, coordinator, "race"), "admin": issue_token(None, admin, "race")}
            db.session.commit()
            emails = {"coordinator": coordinator.email, "admin": admin.email}
        yield app, tokens, emails


def race(app, calls: list[Callable]) -> list:
    """Run each call(client) in its own thread, all released at once; returns their responses."""
    barrier = threading.Barrier(len(calls))
    responses: list = [None] * len(calls)

    def run(index, call):
        client = app.test_client()
        barrier.wait()
        responses[index] = call(client)

    threads = [threading.Thread(target=run, args=(i, call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    figures.add("concurrent clients", len(calls))
    return responses


def api(token: str, method: str, url: str, body=None):
    return lambda client: client.open(url, method=method, json=body, headers={"Authorization": f"Bearer {token}"})


def page(app, email: str, url: str, data: dict):
    """A signed-in coordinator posting a form (signed in before the race starts)."""
    browser = sign_in(app.test_client(), type("U", (), {"email": email})())
    return lambda _: browser.post(url, data=data)


def assert_clean(responses, allowed=(200, 201, 302, 409, 422)):
    statuses = [r.status_code for r in responses]
    assert all(s in allowed for s in statuses), statuses
    for response in responses:
        if response.status_code == 409 and response.is_json:
            assert isinstance(response.get_json()["error"], str)
    return statuses


def cases_waiting_on_last_records(app, count: int, received: int) -> list[list[int]]:
    """`count` cases whose coverage and records are verified except `received` items, each received
    (a document attached, not yet verified); returns the ids of those items per case."""
    with app.app_context():
        result = []
        for _ in range(count):
            case = submit_request(None, build_intake())
            factories.open_gate(None, case)  # everything verified...
            items = case.record_items[:received]
            for item in items:  # ...then these come back with a new document to verify again
                factories.attach(None, item)
            db.session.flush()
            assert case.status == "records_pending"
            result.append([item.id for item in items])
        db.session.commit()
        return result


def case_state(app, item_id: int) -> tuple[str, list[str], list[str]]:
    """(case status, statuses of its required items, what the gate still waits for)."""
    with app.app_context():
        case = db.session.get(RecordItem, item_id).case
        state = case.status, [i.status for i in case.record_items if i.required], records_and_coverage(case)
        last = db.session.scalar(sa.select(TimelineEntry.to_status).where(
            TimelineEntry.case_id == case.id, TimelineEntry.to_status.is_not(None)).order_by(TimelineEntry.id.desc())
            .limit(1))
        assert last == case.status, "the timeline's last move disagrees with the case"
        db.session.remove()
        return state


def test_verify_and_reject_of_the_same_record_at_once_leave_the_case_agreeing_with_the_record(committed):
    app, tokens, _ = committed
    items = [ids[0] for ids in cases_waiting_on_last_records(app, PAIRS, 1)]
    calls = []
    for item in items:
        calls += [api(tokens["coordinator"], "POST", f"/api/v1/records/{item}/verify"),
                  api(tokens["coordinator"], "POST", f"/api/v1/records/{item}/reject", {"reason": "Illegible"})]
    assert_clean(race(app, calls))
    for item in items:
        status, statuses, waiting = case_state(app, item)
        assert (status == "ready_to_match") == (waiting == []), (status, statuses)
        assert status in ("ready_to_match", "records_pending")


def test_two_coordinators_verifying_the_last_two_records_never_leave_the_gate_shut(committed):
    app, tokens, _ = committed
    pairs = cases_waiting_on_last_records(app, PAIRS, 2)
    calls = [api(tokens["coordinator"], "POST", f"/api/v1/records/{item}/verify") for ids in pairs for item in ids]
    responses = race(app, calls)
    statuses = assert_clean(responses, allowed=(200, 409))
    assert 200 in statuses
    for ids in pairs:
        status, _, waiting = case_state(app, ids[0])
        assert (status == "ready_to_match") == (waiting == []), "every record verified, yet the gate stayed shut"


def test_two_coordinators_ending_the_same_case_at_once_end_it_once(committed):
    app, _, emails = committed
    with app.app_context():
        ids = [submit_request(None, build_intake()).id for _ in range(PAIRS)]
        db.session.commit()
    calls = []
    for case_id in ids:
        for outcome in ("withdrawn", "cancelled"):
            calls.append(page(app, emails["coordinator"], f"/cases/{case_id}/end",
                              {"outcome": outcome, "reason": f"{outcome} by a coordinator"}))
    responses = race(app, calls)
    assert_clean(responses, allowed=(302, 409))
    losers = [r for r in responses if r.status_code == 409]
    assert all(RELOAD in r.get_data(as_text=True) for r in losers)
    with app.app_context():
        for case_id in ids:
            ends = db.session.scalars(sa.select(TimelineEntry.to_status).where(
                TimelineEntry.case_id == case_id, TimelineEntry.to_status.in_(("withdrawn", "cancelled")))).all()
            assert len(ends) == 1 and db.session.get(Case, case_id).status == ends[0]


def consulted_cases(app, count: int, signed: bool = False) -> tuple[list[int], str]:
    """`count` cases whose consultation with a new specialist was held (and the opinion signed);
    returns their ids and an API token of that specialist."""
    with app.app_context():
        specialist = factories.UserFactory(role="specialist", clinician=factories.ClinicianFactory())
        factories.open_every_day(specialist.clinician)
        cases = []
        for _ in range(count):
            case = factories.accept(submit_request(None, build_intake()), specialist.clinician)
            factories.consult(case)
            if signed:
                factories.sign(case, specialist)
            cases.append(case.id)
        db.session.commit()
        token = issue_token(None, specialist, "race")
        db.session.commit()
        return cases, token


def test_a_specialist_saving_a_first_draft_from_two_windows_at_once_gets_one_opinion(committed):
    app, _, _ = committed
    cases, token = consulted_cases(app, PAIRS)
    calls = [api(token, "POST", f"/api/v1/requests/{case_id}/opinion", {"recommendation": f"Draft {n}"})
             for case_id in cases for n in (1, 2)]
    assert_clean(race(app, calls), allowed=(201, 409))
    with app.app_context():
        for case_id in cases:
            assert db.session.scalar(sa.select(sa.func.count()).select_from(Opinion).where(
                Opinion.case_id == case_id)) == 1


def test_two_coordinators_recording_the_patients_decision_at_once_close_the_case_once(committed):
    app, tokens, _ = committed
    cases, _ = consulted_cases(app, PAIRS // 2, signed=True)
    calls = [api(tokens["coordinator"], "POST", f"/api/v1/requests/{case_id}/decision", {"choice": choice})
             for case_id in cases for choice in ("follow_first", "follow_second")]
    statuses = assert_clean(race(app, calls), allowed=(201, 409))
    assert statuses.count(201) == len(cases)


def test_two_roster_imports_at_once_both_succeed_and_store_each_row_once(committed):
    app, _, emails = committed
    files = roster()
    admins = [sign_in(app.test_client(), type("U", (), {"email": emails["admin"]})()) for _ in range(6)]

    def importer(browser):  # fresh streams for each upload, made inside its thread
        return lambda _: browser.post("/directory/import", content_type="multipart/form-data",
                                      data={"files": [(io.BytesIO(content), name) for name, content in files.items()]})
    calls = [importer(browser) for browser in admins]
    statuses = assert_clean(race(app, calls), allowed=(200,))
    assert statuses == [200] * 6
    with app.app_context():
        npis = db.session.scalars(sa.select(Clinician.npi)).all()
        assert len(npis) == len(set(npis))


def test_concurrent_verifications_through_the_service_layer_never_lose_the_gate(committed):
    """The same race without HTTP: two sessions verifying a case's last two records."""
    app, _, _ = committed
    pairs = cases_waiting_on_last_records(app, 4, 2)
    for ids in pairs:
        barrier = threading.Barrier(2)
        outcomes: list = []

        def verify(item_id):
            with app.app_context():
                item = db.session.get(RecordItem, item_id)
                barrier.wait()
                try:
                    verify_record(None, item)
                    db.session.commit()
                    outcomes.append("ok")
                except sa.orm.exc.StaleDataError:
                    db.session.rollback()
                    outcomes.append("stale")
                finally:
                    db.session.remove()

        threads = [threading.Thread(target=verify, args=(i,)) for i in ids]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
        figures.add("concurrent clients", 2)
        status, _, waiting = case_state(app, ids[0])
        assert "ok" in outcomes and (status == "ready_to_match") == (waiting == [])
