"""A write that cannot get SQLite's lock in time is told "busy, try again" (503 with Retry-After),
never a 500: the lock is held on purpose by a second connection (BEGIN IMMEDIATE on the same file),
as a long writer under load holds it, and the app's wait (busy_timeout) is shortened to keep the test quick."""
from __future__ import annotations

import contextlib
import sqlite3
from datetime import date, timedelta

import pytest
import sqlalchemy as sa
from flask_migrate import upgrade

from clinic.auth.services import issue_token
from clinic.cases.services import submit_request
from clinic.extensions import db
from clinic.scheduling.availability import free_slots
from clinic.scheduling.models import Appointment
from tests import factories
from tests.conftest import build_intake, make_app


@pytest.fixture
def committed_sqlite(tmp_path, tmp_path_factory):
    """An app on a SQLite file of its own, committing for real, whose connections wait 0.2 s for a lock."""
    path = tmp_path / "busy.db"
    app = make_app(f"sqlite:///{path}", tmp_path_factory, MAIL_DELIVER_ON_COMMIT=False, RATELIMIT_ENABLED=False)
    with app.app_context():
        upgrade()
        sa.event.listen(db.engine, "connect", lambda connection, _: connection.execute("PRAGMA busy_timeout=200"))
        db.engine.dispose()
        specialist = factories.ClinicianFactory()
        factories.open_every_day(specialist)
        coordinator = factories.UserFactory(role="coordinator")
        case = factories.accept(submit_request(None, build_intake()), specialist)
        token = issue_token(None, coordinator, "busy")
        db.session.commit()
        first = date.today() + timedelta(days=1)
        start = free_slots(specialist.id, first, first + timedelta(days=10))[0].start
        facts = {"case": case.id, "npi": specialist.npi, "specialist": specialist.id, "start": start,
                 "token": token, "coordinator": coordinator.email}
    yield app, path, facts
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@contextlib.contextmanager
def write_lock_held(path):
    """Another connection holding SQLite's write lock until the block ends."""
    other = sqlite3.connect(path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    try:
        yield
    finally:
        other.execute("ROLLBACK")
        other.close()


def _appointments(app) -> int:
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count()).select_from(Appointment))


def test_an_api_write_that_cannot_get_the_lock_answers_503_busy_with_retry_after(committed_sqlite):
    app, path, facts = committed_sqlite
    client = app.test_client()
    body = {"npi": facts["npi"], "start": facts["start"].isoformat()}
    headers = {"Authorization": f"Bearer {facts['token']}"}
    with write_lock_held(path):
        busy = client.post(f"/api/v1/requests/{facts['case']}/appointment", json=body, headers=headers)
    assert busy.status_code == 503 and busy.is_json
    assert busy.headers["Retry-After"] == "2"
    assert "busy" in busy.get_json()["error"] and "Nothing was saved" in busy.get_json()["error"]
    assert _appointments(app) == 0
    again = client.post(f"/api/v1/requests/{facts['case']}/appointment", json=body, headers=headers)
    assert again.status_code == 201, "once the lock is released, the same request goes through"


def test_a_form_that_cannot_get_the_lock_says_busy_try_again_in_plain_words(committed_sqlite):
    app, path, facts = committed_sqlite
    browser = app.test_client()
    signed_in = browser.post("/login", data={"email": facts["coordinator"], "password": factories.PASSWORD})
    assert signed_in.status_code == 302
    form = {"start": facts["start"].isoformat()}
    with write_lock_held(path):
        busy = browser.post(f"/cases/{facts['case']}/booking", data=form)
    page = busy.get_data(as_text=True)
    assert busy.status_code == 503 and busy.headers["Retry-After"] == "2"
    assert "busy" in page and "Nothing was saved" in page and "Traceback" not in page
    assert _appointments(app) == 0


def test_other_database_failures_are_still_a_500_not_busy(app, client_as, matched_case, monkeypatch):
    """Only a lock wait is "busy": a broken disk is not something to retry."""
    from clinic.scheduling import services

    def broken():
        raise sa.exc.OperationalError("BEGIN IMMEDIATE", {}, sqlite3.OperationalError("disk I/O error"))

    case, coordinator = matched_case(), client_as("coordinator")
    monkeypatch.setattr(services, "write_lock", broken)
    response = coordinator.post(f"/cases/{case.id}/booking", data={"start": "2031-03-04T10:00:00+00:00"})
    assert response.status_code == 500 and "Retry-After" not in response.headers
