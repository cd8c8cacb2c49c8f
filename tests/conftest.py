"""Fixtures: the app on each database backend, a transaction rolled back after every test,
a client whose requests each run in their own application context (as in production),
and helpers to sign in and to create requests through the real intake service."""
from __future__ import annotations

import contextvars
import os
import uuid
from datetime import date

import pytest
import sqlalchemy as sa
from sqlalchemy import event
from flask.testing import FlaskClient
from flask_migrate import upgrade
from flask_sqlalchemy.session import _app_ctx_id

from clinic import create_app
from clinic.cases.intake import Intake, NamedClinician
from clinic.cases.vocabulary import SEED_QUESTIONS
from clinic.extensions import db, limiter
from tests import factories
from tests.security.figures import pytest_terminal_summary  # noqa: F401  (prints the security figures)

BACKENDS = ["sqlite"] + (["postgresql"] if os.environ.get("TEST_DATABASE_URL") else [])
PASSWORD = factories.PASSWORD


def postgres_url() -> str:
    url = os.environ["TEST_DATABASE_URL"]
    return url.replace("postgresql://", "postgresql+psycopg://", 1) if url.startswith("postgresql://") else url


def reset_postgres(url: str) -> None:
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        conn.exec_driver_sql("DROP SCHEMA public CASCADE")
        conn.exec_driver_sql("CREATE SCHEMA public")
    engine.dispose()


class IsolatedClient(FlaskClient):
    """Each request runs in a fresh contextvars context, so it gets its own application
    context, database session and `g`, exactly as a real request would; the test's own
    context (pushed by pytest-flask) is left untouched."""

    def open(self, *args, **kwargs):
        return contextvars.Context().run(super().open, *args, **kwargs)


def make_app(url: str, tmp_path_factory, **overrides):
    folder = tmp_path_factory.mktemp("instance")
    settings = {
        "TESTING": True,
        "SECRET_KEY": "test-secret-key",
        "SQLALCHEMY_DATABASE_URI": url,
        "WTF_CSRF_ENABLED": False,
        "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
        "UPLOAD_FOLDER": str(folder / "uploads"),
        "MAIL_FOLDER": str(folder / "mail"),
        "MAIL_SERVER": "",
        "SERVER_NAME": None,
    } | overrides
    application = create_app(settings)
    application.test_client_class = IsolatedClient
    return application


def pytest_collection_modifyitems(config, items):
    """A sweep of the whole app (every form, page, API body, mail) tests the app's handling of input,
    not the database's: it runs once, on SQLite (it takes twice as long on PostgreSQL), which keeps
    the suite inside CI's time. Every other database test runs on both."""
    if len(BACKENDS) < 2:
        return
    keep, drop = [], []
    for item in items:
        params = getattr(getattr(item, "callspec", None), "params", {})
        swept_twice = item.get_closest_marker("sweep") is not None and params.get("backend") == "postgresql"
        (drop if swept_twice else keep).append(item)
    if drop:
        config.hook.pytest_deselected(items=drop)
        items[:] = keep


@pytest.fixture(scope="session", params=BACKENDS)
def backend(request):
    return request.param


@pytest.fixture(scope="session")
def database_url(backend, tmp_path_factory):
    if backend == "sqlite":
        return "sqlite:///" + str(tmp_path_factory.mktemp("sqlite") / "test.db")
    url = postgres_url()
    reset_postgres(url)
    return url


@pytest.fixture(scope="session")
def _app(database_url, tmp_path_factory):
    application = make_app(database_url, tmp_path_factory)
    with application.app_context():
        upgrade()  # the schema comes from the migrations, as in production
    yield application
    with application.app_context():
        db.engine.dispose()


@pytest.fixture
def app(_app):
    """The app with every session bound to one connection whose transaction is rolled
    back after the test; commits inside requests release savepoints instead."""
    with _app.app_context():
        connection = db.engine.connect()
        transaction = connection.begin()
        original = db.session
        # A plain sessionmaker: Flask-SQLAlchemy's Session.get_bind would pick the engine
        # over the connection we bind here.
        factory = sa.orm.sessionmaker(bind=connection, join_transaction_mode="create_savepoint")
        db.session = sa.orm.scoped_session(factory, scopefunc=_app_ctx_id)
        limiter.reset()
        try:
            yield _app
        finally:
            db.session.remove()
            db.session = original
            transaction.rollback()
            connection.close()


@pytest.fixture
def client(app):
    """Overrides pytest-flask's client, which preserves request contexts across requests
    (`with client:`); each request here stands alone, as in production."""
    return app.test_client()


@pytest.fixture
def session(app):
    return db.session


@pytest.fixture
def users(app):
    """One account per role (password: PASSWORD)."""
    specialist_record = factories.ClinicianFactory(kind="specialist")
    return {
        "coordinator": factories.UserFactory(role="coordinator"),
        "specialist": factories.UserFactory(role="specialist", clinician=specialist_record),
        "admin": factories.UserFactory(role="admin"),
    }


def sign_in(client, user, password: str = PASSWORD):
    response = client.post("/login", data={"email": user.email, "password": password})
    assert response.status_code == 302, f"sign-in of {user.email} failed"
    return client


@pytest.fixture
def login(client):
    """login(user) signs the test client in as that user and returns the client."""
    return lambda user, password=PASSWORD: sign_in(client, user, password)


@pytest.fixture
def client_as(app, users):
    """client_as('coordinator') is a fresh client signed in with that role."""
    def make(role: str):
        fresh = app.test_client()
        return sign_in(fresh, users[role]) if role != "anonymous" else fresh
    return make


@pytest.fixture
def bearer(app, users):
    """bearer('coordinator') is an Authorization header carrying a token of that role."""
    from clinic.auth.services import issue_token

    def make(role: str) -> dict:
        if role == "anonymous":
            return {}
        return {"Authorization": "Bearer " + issue_token(None, users[role], "test")}
    return make


def build_intake(**changes) -> Intake:
    values = dict(
        channel="physician", patient_name="Jane Roe", birth_date=date(1970, 5, 17),
        email=f"jane.{uuid.uuid4().hex[:6]}@example.org", timezone="America/New_York",
        referring=NamedClinician("Dr. Ann Lee", None, "Mercy General Hospital"),
        first_opinion=None, diagnosis_text="Invasive ductal carcinoma, right breast", icd10_code="C50.911",
        treatment_text="Mastectomy", treatment_invasive=True, reasons=["invasive_treatment"],
        urgency="routine", consent_to_contact_first_doctor=True, questions=list(SEED_QUESTIONS),
        payer="Acme Health", plan_name="Gold PPO", member_id="M123",
    )
    values.update(changes)
    return Intake(**values)


@pytest.fixture
def new_case(app):
    """new_case(actor=None, **intake_changes) submits a request through the intake service."""
    from clinic.cases.services import submit_request

    def make(actor=None, **changes):
        case = submit_request(actor, build_intake(**changes))
        db.session.flush()
        return case
    return make


@pytest.fixture
def matched_case(app, new_case):
    """matched_case(specialist=None, **intake_changes): a case with an accepted specialist who has
    openings every day from 09:00 to 17:00 in their zone (hourly video slots)."""
    def make(specialist=None, **changes):
        if specialist is None:
            specialist = factories.ClinicianFactory()
            factories.open_every_day(specialist)
        return factories.accept(new_case(**changes), specialist)
    return make


@pytest.fixture
def next_slot():
    """next_slot(specialist, n=0): the start of the specialist's n-th free slot from tomorrow on."""
    from datetime import timedelta

    from clinic.scheduling.availability import free_slots, local_today

    def find(specialist, n=0):
        first = local_today(specialist.timezone) + timedelta(days=1)
        return free_slots(specialist.id, first, first + timedelta(days=14))[n].start
    return find


@pytest.fixture
def my_case(matched_case, users):
    """my_case(held=True, **intake_changes): a case accepted by users['specialist'] (who opens every
    day), with its consultation held (booked, moved into the past, completed) unless held=False."""
    specialist = users["specialist"].clinician
    factories.open_every_day(specialist)

    def make(held: bool = True, **changes):
        case = matched_case(specialist, **changes)
        if held:
            factories.consult(case)
        return case
    return make


@pytest.fixture
def signed_case(my_case, users):
    """signed_case(opinion=None, **intake_changes): a consulted case with a complete opinion signed
    by users['specialist']; `opinion` changes the opinion's facts (factories.opinion_facts)."""
    def make(opinion: dict | None = None, **changes):
        case = my_case(**changes)
        factories.sign(case, users["specialist"], **(opinion or {}))
        return case
    return make


@pytest.fixture
def count_queries(app):
    """count_queries(client, path) -> the statements one GET of `path` sends (it must answer 200)."""
    def run(client, path: str) -> int:
        statements = []

        def seen(*args, **kwargs):
            statements.append(args[2])

        bind = db.session.get_bind()
        target = bind.engine if hasattr(bind, "engine") else bind
        event.listen(target, "before_cursor_execute", seen)
        try:
            response = client.get(path)
            assert response.status_code == 200, path
        finally:
            event.remove(target, "before_cursor_execute", seen)
        return len(statements)
    return run
