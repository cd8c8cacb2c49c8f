"""Fixtures: the app on each database backend, a transaction rolled back after every test,
a client whose requests each run in their own application context (as in production),
and helpers to sign in and to create requests through the real intake service.

Under pytest-xdist (`-n auto`) each worker has databases of its own: a SQLite file in its own
temporary folder, and a PostgreSQL database `<db>_<worker>` copied (CREATE DATABASE ... TEMPLATE)
from `<db>_tpl`, which the first worker to need it migrates once, under a file lock. `<db>` is the
database TEST_DATABASE_URL names; the run drops every database it made at its end."""
from __future__ import annotations

import contextlib
import contextvars
import os
import time
import uuid
from datetime import date

import pytest
import sqlalchemy as sa
from filelock import FileLock
from sqlalchemy import event
from flask.testing import FlaskClient
from flask_migrate import upgrade
from flask_sqlalchemy.session import _app_ctx_id

from clinic import create_app
from clinic.cases.intake import Intake, NamedClinician
from clinic.cases.vocabulary import SEED_QUESTIONS
from clinic.extensions import db, limiter
from tests import factories
from tests.security import figures
from tests.security.figures import pytest_terminal_summary  # noqa: F401  (prints the security figures)

BACKENDS = ["sqlite"] + (["postgresql"] if os.environ.get("TEST_DATABASE_URL") else [])
PASSWORD = factories.PASSWORD
WORKER = os.environ.get("PYTEST_XDIST_WORKER", "main")  # gw0, gw1, ... under xdist


def postgres_url(database: str | None = None) -> str:
    """TEST_DATABASE_URL for psycopg 3, or the same server's `database`."""
    url = os.environ["TEST_DATABASE_URL"]
    url = url.replace("postgresql://", "postgresql+psycopg://", 1) if url.startswith("postgresql://") else url
    if database is None:
        return url
    return sa.engine.make_url(url).set(database=database).render_as_string(hide_password=False)


def postgres_name(suffix: str) -> str:
    """A database name of this run: TEST_DATABASE_URL's own name with a suffix."""
    return f"{sa.engine.make_url(postgres_url()).database}_{suffix}"


@contextlib.contextmanager
def postgres_admin():
    """An autocommit engine on the server's `postgres` database, to create and drop databases."""
    admin = sa.create_engine(sa.engine.make_url(postgres_url()).set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        yield admin
    finally:
        admin.dispose()


def create_postgres(name: str, template: str | None = None) -> str:
    """A fresh database `name` (empty, or a copy of `template`); returns its URL."""
    with postgres_admin() as admin, admin.connect() as conn:
        conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        for attempt in range(20):
            try:
                conn.exec_driver_sql(f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else ""))
                break
            except sa.exc.OperationalError:  # the template is briefly in use by another worker's copy
                if attempt == 19:
                    raise
                time.sleep(0.25)
    return postgres_url(name)


def drop_postgres(*names: str) -> None:
    with postgres_admin() as admin, admin.connect() as conn:
        for name in names:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


_TEMPLATE: dict[str, str] = {}


def postgres_template(tmp_path_factory) -> str:
    """The name of this run's migrated template database, migrated once for all workers."""
    if "name" in _TEMPLATE:
        return _TEMPLATE["name"]
    name = postgres_name("tpl")
    if WORKER == "main":
        _migrate_template(name, tmp_path_factory)
    else:
        shared = tmp_path_factory.getbasetemp().parent  # one folder per run, seen by every worker
        with FileLock(str(shared / "postgres-template.lock")):
            ready = shared / "postgres-template.ready"
            if not ready.exists():
                _migrate_template(name, tmp_path_factory)
                ready.touch()
    _TEMPLATE["name"] = name
    return name


def _migrate_template(name: str, tmp_path_factory) -> None:
    application = make_app(create_postgres(name), tmp_path_factory)
    with application.app_context():
        upgrade()  # the schema comes from the migrations, as in production
        db.engine.dispose()  # no connection may stay open on a template


@contextlib.contextmanager
def scratch_postgres_url(tmp_path_factory, kind: str, empty: bool = False):
    """The URL of a PostgreSQL database of one test's own (migrated, unless `empty`), dropped after."""
    name = postgres_name(f"{kind}_{uuid.uuid4().hex[:8]}")
    url = create_postgres(name, template=None if empty else postgres_template(tmp_path_factory))
    try:
        yield url
    finally:
        drop_postgres(name)


def pytest_sessionfinish(session):
    """The template is dropped by the process that saw it made: the controller under xdist (the
    workers drop their own databases), or the one process without workers. Only this run's: a
    second run on the same TEST_DATABASE_URL at the same time would otherwise lose its databases."""
    if hasattr(session.config, "workerinput"):
        session.config.workeroutput["figures"] = dict(figures.COUNTS)
        return
    made = "name" in _TEMPLATE
    if not made and session.config.pluginmanager.hasplugin("dsession"):
        made = (session.config._tmp_path_factory.getbasetemp() / "postgres-template.ready").exists()
    if made:
        drop_postgres(postgres_name("tpl"))


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node, error):
    """Each worker's security figures, added up by the controller (which prints them)."""
    figures.COUNTS.update(getattr(node, "workeroutput", {}).get("figures", {}))


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
    """Tests that share a heavy per-process fixture (the browser tests' live server and Chromium)
    stay on one xdist worker (`--dist loadgroup`), so it is built once."""
    for item in items:
        if item.get_closest_marker("browser") is not None:
            item.add_marker(pytest.mark.xdist_group("browser"))


# Where SQLite and PostgreSQL differ, a test runs on both when TEST_DATABASE_URL is set: constraints and
# the errors they raise, locks and races, migrations and triggers, query counts, integer ranges, time
# zones stored and compared, case-insensitive search and ordering, bulk imports, and the sweeps of the
# whole app that meet all of these. The other database tests (page wording, form messages, workflow rules
# over plain ORM reads and writes) run once, on SQLite, the embedded default.
BOTH_DATABASES = (
    "tests/security/", "tests/bench/", "tests/api/", "tests/audit/", "tests/directory/", "tests/matching/",
    "tests/scheduling/", "tests/inbox/", "tests/test_migrations.py", "tests/test_query_counts.py", "tests/test_access.py",
    "tests/test_errors.py", "tests/test_cli.py", "tests/cases/test_staff_intake_and_queue.py",
    "tests/records/test_api.py", "tests/records/test_services.py", "tests/records/test_link_revocation.py",
    "tests/patients/",
)


def runs_on_both(path: str) -> bool:
    return any(path.startswith(prefix) for prefix in BOTH_DATABASES)


def pytest_generate_tests(metafunc):
    """The `backend` of a database test: SQLite, and PostgreSQL too where the dialects differ."""
    if "backend" in metafunc.fixturenames:
        where = os.path.relpath(str(metafunc.definition.path), os.path.dirname(os.path.dirname(__file__)))
        backends = BACKENDS if runs_on_both(where.replace(os.sep, "/")) else BACKENDS[:1]
        metafunc.parametrize("backend", backends, indirect=True, scope="session")


@pytest.fixture(scope="session")
def backend(request):
    return request.param


@pytest.fixture(scope="session")
def database_url(backend, tmp_path_factory):
    """This worker's database: a SQLite file in its own folder, or a copy of the migrated template."""
    if backend == "sqlite":
        yield "sqlite:///" + str(tmp_path_factory.mktemp("sqlite") / "test.db")
        return
    name = postgres_name(WORKER)
    yield create_postgres(name, template=postgres_template(tmp_path_factory))
    drop_postgres(name)


@pytest.fixture(scope="session")
def _app(backend, database_url, tmp_path_factory):
    application = make_app(database_url, tmp_path_factory)
    if backend == "sqlite":
        with application.app_context():
            upgrade()  # the schema comes from the migrations, as in production (the template's too)
    yield application
    with application.app_context():
        db.engine.dispose()


def _bind_session(connection):
    """Point db.session at `connection`; returns the session it replaced."""
    original = db.session
    # A plain sessionmaker: Flask-SQLAlchemy's Session.get_bind would pick the engine
    # over the connection we bind here.
    factory = sa.orm.sessionmaker(bind=connection, join_transaction_mode="create_savepoint")
    db.session = sa.orm.scoped_session(factory, scopefunc=_app_ctx_id)
    return original


@contextlib.contextmanager
def shared_transaction(application):
    """A transaction that outlives one test, for a module's heavy builder (the demo clinic, the
    benchmark's clinic): what the builder writes inside it is seen by every test of the module,
    each test runs in a savepoint inside it (rolled back after the test), and the whole is rolled
    back at the end of the module. Yields inside the app context."""
    with application.app_context():
        connection = db.engine.connect()
        transaction = connection.begin()
        original = _bind_session(connection)
        application.extensions["tests.shared_connection"] = connection
        try:
            yield
        finally:
            del application.extensions["tests.shared_connection"]
            db.session.remove()
            db.session = original
            transaction.rollback()
            connection.close()


@pytest.fixture
def app(_app):
    """The app with every session bound to one connection whose transaction is rolled
    back after the test; commits inside requests release savepoints instead."""
    with _app.app_context():
        shared = _app.extensions.get("tests.shared_connection")
        connection = shared or db.engine.connect()
        transaction = connection.begin_nested() if shared else connection.begin()
        original = _bind_session(connection)
        limiter.reset()
        try:
            yield _app
        finally:
            db.session.remove()
            db.session = original
            transaction.rollback()
            if not shared:
                connection.close()


@pytest.fixture
def client(app):
    """Overrides pytest-flask's client, which preserves request contexts across requests
    (`with client:`); each request here stands alone, as in production."""
    return app.test_client()


@pytest.fixture
def session(app):
    return db.session


def make_users() -> dict:
    """One account per role (password: PASSWORD)."""
    specialist_record = factories.ClinicianFactory(kind="specialist")
    return {
        "coordinator": factories.UserFactory(role="coordinator"),
        "specialist": factories.UserFactory(role="specialist", clinician=specialist_record),
        "admin": factories.UserFactory(role="admin"),
    }


@pytest.fixture
def users(app):
    """One account per role (password: PASSWORD)."""
    return make_users()


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


def submit_case(actor=None, **changes):
    """A request submitted through the intake service (build_intake's values with `changes`)."""
    from clinic.cases.services import submit_request

    case = submit_request(actor, build_intake(**changes))
    db.session.flush()
    return case


def accepted_case(specialist=None, **changes):
    """A case with an accepted specialist who opens every day from 09:00 to 17:00 (hourly video slots)."""
    if specialist is None:
        specialist = factories.ClinicianFactory()
        factories.open_every_day(specialist)
    return factories.accept(submit_case(**changes), specialist)


def find_slot(specialist, n=0):
    """The start of the specialist's n-th free slot from tomorrow on."""
    from datetime import timedelta

    from clinic.scheduling.availability import free_slots, local_today

    first = local_today(specialist.timezone) + timedelta(days=1)
    return free_slots(specialist.id, first, first + timedelta(days=14))[n].start


def held_case(specialist_user, held: bool = True, **changes):
    """A case accepted by `specialist_user`'s clinician record, its consultation held unless held=False."""
    case = accepted_case(specialist_user.clinician, **changes)
    if held:
        factories.consult(case)
    return case


@pytest.fixture
def new_case(app):
    """new_case(actor=None, **intake_changes) submits a request through the intake service."""
    return submit_case


@pytest.fixture
def matched_case(app, new_case):
    """matched_case(specialist=None, **intake_changes): a case with an accepted specialist who has
    openings every day from 09:00 to 17:00 in their zone (hourly video slots)."""
    return accepted_case


@pytest.fixture
def next_slot():
    """next_slot(specialist, n=0): the start of the specialist's n-th free slot from tomorrow on."""
    return find_slot


@pytest.fixture
def my_case(matched_case, users):
    """my_case(held=True, **intake_changes): a case accepted by users['specialist'] (who opens every
    day), with its consultation held (booked, moved into the past, completed) unless held=False."""
    factories.open_every_day(users["specialist"].clinician)
    return lambda held=True, **changes: held_case(users["specialist"], held, **changes)


@pytest.fixture
def signed_case(my_case, users):
    """signed_case(opinion=None, **intake_changes): a consulted case with a complete opinion signed
    by users['specialist']; `opinion` changes the opinion's facts (factories.opinion_facts)."""
    def make(opinion: dict | None = None, **changes):
        case = my_case(**changes)
        factories.sign(case, users["specialist"], **(opinion or {}))
        return case
    return make


def statements_of(client, path: str) -> int:
    """The statements one GET of `path` sends (it must answer 200)."""
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


@pytest.fixture
def count_queries(app):
    """count_queries(client, path) -> the statements one GET of `path` sends (it must answer 200)."""
    return statements_of
