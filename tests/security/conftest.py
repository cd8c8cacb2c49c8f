"""The security suite's Hypothesis profiles: reproducible in CI, deeper on demand."""
from __future__ import annotations

import contextlib
import os
from datetime import date, timedelta

import pytest
from hypothesis import HealthCheck, settings

from clinic.database import utcnow
from clinic.extensions import db
from tests import factories
from tests.conftest import (accepted_case, find_slot, held_case, make_app, make_users, postgres_admin,
                            scratch_postgres_url, shared_transaction, submit_case)


# Derandomized so CI replays the same inputs every run; "thorough" digs further on demand
# (HYPOTHESIS_PROFILE=thorough). Examples share one per-test database transaction: each
# example's own writes are rolled back by the test itself (tests/security/fuzz.py).
_COMMON = dict(derandomize=True, deadline=None, database=None, print_blob=True,
               suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                      HealthCheck.data_too_large])
settings.register_profile("ci", max_examples=6, **_COMMON)
settings.register_profile("thorough", max_examples=200, **_COMMON)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


def build_every_stage(users: dict) -> dict:
    """One case in each stage of the workflow, with the objects each stage's pages offer forms for:
    a received record to verify, a patient upload link, a proposal waiting for users['specialist'],
    a booked consultation, a consulted case to write the opinion on, a signed one to decide (its report
    sent to the first doctor, a link to revoke), and an API token of each role. Returns ids and tokens by name."""
    from clinic.auth.services import issue_token
    from clinic.outcomes import services as outcomes
    from clinic.patients import services as patients
    from clinic.records import links
    from clinic.scheduling import availability, feeds, services

    specialist = users["specialist"].clinician
    factories.open_every_day(specialist)
    plan = factories.PlanFactory(payer="Acme Health", name="Gold PPO")
    factories.NetworkFactory(specialist_id=specialist.id, plan=plan)
    factories.ExpertiseFactory(specialist=specialist)
    # The requests name Dr. Ann Lee without an NPI: a namesake in the directory puts "This is the doctor" on their pages.
    factories.ClinicianFactory(kind="external", name="Dr. Ann Lee")
    pending = submit_case()
    received = pending.record_items[0]
    factories.attach(users["coordinator"], received)
    asked = pending.record_items[1]
    asked.status, asked.requested_from_kind = "requested", "patient"
    upload_token = links.issue_link(None, pending)
    ready = factories.open_gate(None, submit_case())
    offered = factories.open_gate(None, submit_case())
    proposal = factories.AssignmentFactory(case_id=offered.id, specialist=specialist)
    matched = accepted_case(specialist)
    scheduled = accepted_case(specialist)
    # Days ahead, beyond PATIENT_MOVE_NOTICE_HOURS at any hour the suite runs: its status page offers move and cancel.
    appointment = services.book(users["coordinator"], scheduled, find_slot(specialist, 8 * 3))
    consulted = held_case(users["specialist"])
    decided = held_case(users["specialist"])
    factories.sign(decided, users["specialist"])
    report_link = outcomes.send_report(users["coordinator"], decided, "first.doctor@example.org")
    started = accepted_case(specialist)  # its consultation began an hour ago: held or missed is asked
    begun = services.book(users["coordinator"], started, find_slot(specialist, 1))
    begun.start, begun.end = utcnow() - timedelta(hours=1), utcnow()
    availability.add_day_off(None, specialist, date.today() + timedelta(days=40))
    feed_token = feeds.issue_feed(None, specialist)
    released = held_case(users["specialist"])  # its report on the patient's status page: the decision form
    factories.sign(released, users["specialist"])
    patients.release_report(users["coordinator"], released)
    status_tokens = [patients.issue_status_link(None, case) for case in (pending, scheduled, released)]
    patient_message = patients.write_message(patients.resolve_status_link(status_tokens[0]), "Can I come earlier?")
    counter, kept_aside = _inbox(appointment)
    db.session.flush()
    return {
        "pending": pending.id, "received_record": received.id, "asked_record": asked.id, "ready": ready.id,
        "offered": offered.id, "proposal": proposal.id, "matched": matched.id, "scheduled": scheduled.id,
        "appointment": appointment.id, "started": begun.id, "consulted": consulted.id, "decided": decided.id,
        "questions": [q.id for q in consulted.questions], "npi": specialist.npi, "specialist": specialist.id,
        "upload_token": upload_token, "feed_token": feed_token, "report_link": report_link.id,
        "status_tokens": status_tokens, "patient_message": patient_message.id, "released": released.id,
        "counter": counter, "kept_aside": kept_aside,
        "tokens": {role: issue_token(None, users[role], "fuzz") for role in ("coordinator", "specialist", "admin")},
    }


def _inbox(appointment) -> tuple[int, int]:
    """A new time the patient proposed for the booked consultation (its Accept and Decline forms on the
    case page) and a message kept aside (the admin's list): ids of the counter and of the message."""
    from clinic.inbox import services as inbox
    from tests.inbox.conftest import reply_for

    start = appointment.start + timedelta(days=1)
    inbox.receive(reply_for(appointment, "outlook_counter", proposed_start=start, proposed_end=start + timedelta(hours=1)))
    kept = inbox.receive(reply_for(appointment, "gmail", sender="mallory@example.org"))
    return inbox.pending_counters(appointment.id)[-1].id, kept.id


@pytest.fixture(scope="module")
def clinic_in_every_stage(_app):
    """The clinic of every stage, built once per module (each test in a savepoint of it, rolled back):
    the accounts' ids and the stage's ids and tokens."""
    with shared_transaction(_app):
        users = make_users()
        stage = build_every_stage(users)
        yield {"users": {role: user.id for role, user in users.items()}, "stage": stage}


@pytest.fixture
def every_stage(app, clinic_in_every_stage):
    """The ids and tokens of the module's clinic of every stage (see build_every_stage); `users` are its accounts."""
    return clinic_in_every_stage["stage"]


@pytest.fixture
def users(request, app):
    """In a test of the clinic of every stage, that clinic's accounts; otherwise new ones (tests/conftest.py)."""
    if "every_stage" not in request.fixturenames:
        return make_users()
    from clinic.auth.models import User

    return {role: db.session.get(User, user_id)
            for role, user_id in request.getfixturevalue("clinic_in_every_stage")["users"].items()}


needs_postgres = pytest.mark.skipif(not os.environ.get("TEST_DATABASE_URL"),
                                    reason="needs PostgreSQL (TEST_DATABASE_URL)")


@contextlib.contextmanager
def scratch_postgres(tmp_path_factory, **settings):
    """An app on a PostgreSQL database of its own (a copy of the run's migrated template), where
    requests commit for real; dropped after. Yields (app, admin_engine): the admin engine, on the
    `postgres` database, can see and end the app's connections."""
    with scratch_postgres_url(tmp_path_factory, "sec") as url, postgres_admin() as admin:
        app = make_app(url, tmp_path_factory, MAIL_DELIVER_ON_COMMIT=False, RATELIMIT_ENABLED=False,
                       SQLALCHEMY_ENGINE_OPTIONS={"pool_pre_ping": True, "pool_size": 10, "max_overflow": 30,
                                                  "pool_timeout": 120, "hide_parameters": True},
                       **settings)
        try:
            yield app, admin
        finally:
            with app.app_context():
                db.session.remove()
                db.engine.dispose()
