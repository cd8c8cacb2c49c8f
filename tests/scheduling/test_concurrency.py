"""Many coordinators booking at once, with real commits, on PostgreSQL (a database of its own, dropped
after) and on a SQLite file (BEGIN IMMEDIATE serialises the bookings).

The rolled-back per-test transaction cannot show a race: here each thread is a
request with its own session and connection, exactly as under gunicorn.
"""
from __future__ import annotations

import contextlib
import os
import threading
from datetime import date, timedelta

import pytest
import sqlalchemy as sa
from flask_migrate import upgrade

from clinic.auth.services import issue_token
from clinic.extensions import db
from clinic.mail import outbox
from clinic.mail.models import OutboxMessage
from clinic.scheduling.availability import free_slots
from clinic.scheduling.models import Appointment
from tests import factories
from tests.conftest import build_intake, make_app, scratch_postgres_url

# Enough threads to meet at the lock at once (a barrier releases them together); fifty proved no more
# than twelve and cost a minute of CI.
THREADS = 12
BACKENDS = ["sqlite", pytest.param("postgresql", marks=[pytest.mark.postgres_only, pytest.mark.skipif(
    not os.environ.get("TEST_DATABASE_URL"), reason="needs PostgreSQL (TEST_DATABASE_URL)")])]


@pytest.fixture(scope="module", params=BACKENDS)
def committed_app(request, tmp_path_factory):
    with contextlib.ExitStack() as stack:
        if request.param == "sqlite":
            url, options = "sqlite:///" + str(tmp_path_factory.mktemp("race") / "race.db"), {}
        else:
            url = stack.enter_context(scratch_postgres_url(tmp_path_factory, "race"))
            options = {"SQLALCHEMY_ENGINE_OPTIONS": {"pool_size": 15, "max_overflow": 15, "pool_timeout": 120}}
        app = make_app(url, tmp_path_factory, MAIL_DELIVER_ON_COMMIT=False, **options)
        if request.param == "sqlite":
            with app.app_context():
                upgrade()
        yield app
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


def _clinic(app, cases: int):
    """A specialist open every day, `cases` matched cases waiting for them, and a coordinator's token; committed."""
    from clinic.cases.services import submit_request

    with app.app_context():
        specialist = factories.ClinicianFactory()
        factories.open_every_day(specialist, minutes=30)
        coordinator = factories.UserFactory(role="coordinator")
        ids = [factories.accept(submit_request(None, build_intake()), specialist).id for _ in range(cases)]
        token = issue_token(None, coordinator, "race")
        db.session.commit()
        first = date.today() + timedelta(days=1)
        starts = [s.start.isoformat() for s in free_slots(specialist.id, first, first + timedelta(days=10))]
        return specialist.npi, specialist.id, ids, token, starts


def _race(app, token: str, requests: list[tuple[int, dict]]) -> list[int]:
    """Send every request from its own thread, all released at the same moment; returns the statuses."""
    barrier = threading.Barrier(len(requests))
    statuses: list = [None] * len(requests)
    bodies: list = [None] * len(requests)

    def run(index, case_id, body):
        client = app.test_client()
        barrier.wait()
        response = client.post(f"/api/v1/requests/{case_id}/appointment", json=body,
                               headers={"Authorization": f"Bearer {token}"})
        statuses[index], bodies[index] = response.status_code, response.get_json()

    threads = [threading.Thread(target=run, args=(i, case_id, body)) for i, (case_id, body) in enumerate(requests)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    assert all(b and ("id" in b or "error" in b) for b in bodies), bodies
    refusals = {b["error"] for s, b in zip(statuses, bodies) if s == 409}
    assert refusals <= {"That slot was just taken by another booking. Pick another time."}, refusals
    return statuses


def _booked(app, specialist_id: int) -> int:
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count()).select_from(Appointment).where(
            Appointment.specialist_id == specialist_id, Appointment.status == "booked"))


def test_twelve_coordinators_booking_one_slot_give_one_appointment_and_11_clear_refusals(committed_app):
    npi, specialist_id, cases, token, starts = _clinic(committed_app, THREADS)
    statuses = _race(committed_app, token, [(case_id, {"npi": npi, "start": starts[0]}) for case_id in cases])
    assert sorted(statuses) == [201] + [409] * (THREADS - 1)
    assert _booked(committed_app, specialist_id) == 1


def test_twelve_coordinators_booking_twelve_slots_all_succeed(committed_app):
    npi, specialist_id, cases, token, starts = _clinic(committed_app, THREADS)
    statuses = _race(committed_app, token, [(case_id, {"npi": npi, "start": start})
                                            for case_id, start in zip(cases, starts)])
    assert statuses == [201] * THREADS
    assert _booked(committed_app, specialist_id) == THREADS


def test_concurrent_senders_deliver_each_message_once(committed_app):
    with committed_app.test_request_context():
        ids = [outbox.enqueue(f"p{i}@example.org", "Your consultation", "text") for i in range(40)]
        db.session.commit()
        message_ids = set(db.session.scalars(sa.select(OutboxMessage.message_id)
                                             .where(OutboxMessage.status == "pending")))
    assert len(ids) == 40
    sent: list[str] = []
    lock = threading.Lock()

    class Recorder:
        def send(self, mime):
            with lock:
                sent.append(mime["Message-ID"])

    barrier = threading.Barrier(4)

    def sender():
        with committed_app.app_context():
            barrier.wait()
            outbox.deliver_due(limit=None, via=Recorder())
            db.session.remove()

    threads = [threading.Thread(target=sender) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert sorted(sent) == sorted(message_ids)
