"""Faults: a database error in the last step of a multi-step change, a full or unwritable document
store, a PostgreSQL connection killed under the app. Each one: a clear answer, never a traceback,
nothing half-written, nothing orphaned, and the next request works.

SMTP down (nothing lost, each invite delivered once when the server is back) is
tests/mail/test_outbox.py::test_server_down_while_booking_then_drained_delivers_every_invite_exactly_once.
"""
from __future__ import annotations

import errno
import io
import logging

import pytest
import sqlalchemy as sa

from clinic.extensions import db
from clinic.records.models import Document
from tests import factories
from tests.cases.test_public_form import form_data
from tests.conftest import build_intake, sign_in
from tests.directory.test_roster import roster
from tests.security import figures
from tests.security.conftest import needs_postgres, scratch_postgres
from tests.security.fuzz import data_fingerprint


def failing_step(real=None, values=None):
    """A stand-in for a service's last step: does the real work (if given), then the database fails
    on a statement whose parameters are `values(*args)` (patient data, to see that none is logged)."""
    def step(*args, **kwargs):
        if real is not None:
            real(*args, **kwargs)
        db.session.execute(sa.text("SELECT 1 FROM no_such_table WHERE no_such_column = :value"),
                           {"value": values(*args) if values else "x"})
    return step


def patient_of(actor, case, *rest) -> str:
    return f"{case.patient.name} {case.diagnosis_text}"


def assert_nothing_written(response, before: str, caplog, secrets: tuple[str, ...] = ()):
    figures.add("faults simulated")
    assert response.status_code == 500
    body = response.get_data(as_text=True)
    assert "Traceback" not in body and "no_such_table" not in body
    assert "not saved" in body
    assert data_fingerprint() == before, "the failed change left rows behind"
    logged = "\n".join(r.getMessage() + (r.exc_text or "") for r in caplog.records)
    for secret in secrets:
        assert secret not in logged, f"the error log holds patient data: {secret!r}"


@pytest.fixture
def quiet(caplog):
    caplog.set_level(logging.ERROR, logger="clinic")
    return caplog


def test_intake_failing_in_its_last_step_keeps_nothing(app, client, session, monkeypatch, quiet):
    from clinic.cases import workflow

    before = data_fingerprint()
    monkeypatch.setattr(workflow, "advance", failing_step(values=patient_of))
    response = client.post("/request", data=form_data(patient_name="Zelda Quill", diagnosis_text="Rare tumour of the zygoma",
                                                      treatment_text="Hemimaxillectomy"))
    assert_nothing_written(response, before, quiet, ("Zelda Quill", "zygoma", "Hemimaxillectomy"))


def test_api_intake_failing_in_its_last_step_keeps_nothing(app, session, bearer, monkeypatch, quiet):
    from clinic.cases import workflow
    from tests.security.test_hostile_input import REQUEST_BODY as body

    before = data_fingerprint()
    monkeypatch.setattr(workflow, "advance", failing_step())
    response = app.test_client().post("/api/v1/requests", json=body, headers=bearer("coordinator"))
    figures.add("faults simulated")
    assert response.status_code == 500 and response.is_json and "not saved" in response.get_json()["error"]
    assert data_fingerprint() == before


def test_a_booking_failing_after_its_invites_were_queued_keeps_nothing(app, client_as, matched_case, next_slot,
                                                                     session, monkeypatch, quiet):
    from clinic.scheduling import notices, services

    case = matched_case()
    specialist = services.accepted_assignment(case).specialist
    session.flush()
    before = data_fingerprint()
    monkeypatch.setattr(notices, "send_invites", failing_step(notices.send_invites))
    response = client_as("coordinator").post(f"/cases/{case.id}/booking",
                                             data={"start": next_slot(specialist).isoformat()})
    assert_nothing_written(response, before, quiet, (case.patient.name, case.patient.email))


def test_signing_an_opinion_failing_at_the_workflow_step_keeps_it_a_draft(app, users, my_case, session, monkeypatch,
                                                                        quiet):
    from clinic.cases import workflow
    from clinic.review import services
    from clinic.review.models import Opinion

    case = my_case()
    assignment = services.assignment_of(users["specialist"].clinician_id, case.id)
    services.save_draft(users["specialist"], assignment, factories.opinion_facts(case))
    session.flush()
    before = data_fingerprint()
    monkeypatch.setattr(workflow, "advance", failing_step())
    browser = sign_in(app.test_client(), users["specialist"])
    fields = {"diagnosis_text": "Stage IIA, confirmed", "icd10_code": "C50.911", "diagnosis_comparison": "refined",
              "treatment_comparison": "modified", "less_invasive": "yes", "less_invasive_option": "Lumpectomy",
              "if_patient_waits": "Weeks are safe.", "recommendation": "Lumpectomy.", "sign": "Sign the opinion",
              **{f"answer_{q.id}": "An answer." for q in case.questions}}
    response = browser.post(f"/specialist/cases/{case.id}/opinion", data=fields)
    assert_nothing_written(response, before, quiet, ("Stage IIA, confirmed",))
    session.expire_all()
    assert session.scalar(sa.select(Opinion.signed_at).where(Opinion.case_id == case.id)) is None
    assert case.status == "consulted"


def test_a_roster_import_failing_after_storing_every_file_keeps_nothing(app, client_as, session, monkeypatch, quiet):
    import dataclasses

    from clinic.wiring import wiring

    handlers = wiring(app).roster_files
    files = roster()
    last = max((handlers[name] for name in files), key=lambda handler: handler.order)
    monkeypatch.setitem(handlers, last.name, dataclasses.replace(last, store=failing_step(last.store)))
    before = data_fingerprint()
    files = [(io.BytesIO(content), name) for name, content in files.items()]
    response = client_as("admin").post("/directory/import", data={"files": files}, content_type="multipart/form-data")
    assert_nothing_written(response, before, quiet)


def _upload_everywhere(app, client_as, case, token: str, users):
    """The same file through the three doors: the coordinator's page, the API, the patient's link."""
    from clinic.auth.services import issue_token

    pdf = factories.TINY_PDF + b"% fault\n"
    item = case.record_items[0]
    page = client_as("coordinator").post(f"/cases/{case.id}/records/upload",
                                         data={"record": item.id, "file": (io.BytesIO(pdf), "scan.pdf")})
    api = app.test_client().post(f"/api/v1/requests/{case.id}/documents",
                                 headers={"Authorization": "Bearer " + issue_token(None, users["coordinator"], "t")},
                                 data={"file": (io.BytesIO(pdf), "scan.pdf"), "kind": item.kind},
                                 content_type="multipart/form-data")
    link = app.test_client().post(f"/upload/{token}", data={"record": case.record_items[1].id,
                                                            "file": (io.BytesIO(pdf), "scan.pdf")})
    return page, api, link


@pytest.mark.parametrize("fault", ["disk full", "folder not writable"])
def test_a_full_or_unwritable_document_store_gives_a_clear_error_and_no_orphans(app, client_as, users, new_case,
                                                                               session, monkeypatch, tmp_path, quiet,
                                                                               fault):
    from clinic.records import links, storage

    case = new_case()
    token = links.issue_link(None, case)
    case.record_items[1].status, case.record_items[1].requested_from_kind = "requested", "patient"
    folder = tmp_path / "store"
    if fault == "disk full":
        folder.mkdir()

        def full(source, target, length=0):
            target.write(b"%PDF-1.4 half a file")
            raise OSError(errno.ENOSPC, "No space left on device")
        monkeypatch.setattr(storage.shutil, "copyfileobj", full)
    else:
        folder.write_text("a file where the folder should be")  # any mkdir below it fails, even for root
    monkeypatch.setitem(app.config, "UPLOAD_FOLDER", str(folder))
    app.extensions.pop("document_storage", None)
    session.flush()
    before = data_fingerprint()
    try:
        page, api, link = _upload_everywhere(app, client_as, case, token, users)
    finally:
        app.extensions.pop("document_storage", None)
    figures.add("faults simulated", 3)
    assert page.status_code == api.status_code == 503
    assert "document store is full or not writable" in page.get_data(as_text=True)
    assert "document store is full or not writable" in api.get_json()["error"]
    assert link.status_code == 422 and "Nothing was saved" in link.get_data(as_text=True)
    assert data_fingerprint() == before
    assert session.scalar(sa.select(sa.func.count()).select_from(Document)) == 0
    leftovers = [p for p in folder.rglob("*") if p.is_file()] if folder.is_dir() else []
    assert leftovers == [], "half-written files were left in the store"


@needs_postgres
@pytest.mark.postgres_only
def test_the_next_request_recovers_after_postgresql_drops_every_connection(tmp_path_factory):
    with scratch_postgres(tmp_path_factory) as (app, admin):
        with app.app_context():
            coordinator = factories.UserFactory(role="coordinator")
            db.session.commit()
            email = coordinator.email
            name = db.engine.url.database
        browser = app.test_client()
        assert browser.post("/login", data={"email": email, "password": factories.PASSWORD}).status_code == 302
        assert browser.get("/cases").status_code == 200

        def terminate_all() -> int:
            with admin.connect() as conn:
                return len(conn.execute(sa.text(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = :name"),
                    {"name": name}).all())

        for _ in range(3):
            assert terminate_all() >= 1
            figures.add("faults simulated")
            assert browser.get("/cases").status_code == 200, "pool pre-ping should replace the dead connection"
            assert browser.get("/healthz").status_code == 200


@needs_postgres
@pytest.mark.postgres_only
def test_a_connection_killed_in_the_middle_of_a_request_fails_that_request_cleanly_only(tmp_path_factory,
                                                                                       monkeypatch):
    from clinic.cases import services

    with scratch_postgres(tmp_path_factory) as (app, admin):
        with app.app_context():
            coordinator = factories.UserFactory(role="coordinator")
            case = services.submit_request(None, build_intake())
            db.session.commit()
            email, case_id = coordinator.email, case.id
        browser = app.test_client()
        assert browser.post("/login", data={"email": email, "password": factories.PASSWORD}).status_code == 302
        real_open = services.open_case

        def open_after_the_connection_died(actor, wanted):
            pid = db.session.execute(sa.text("SELECT pg_backend_pid()")).scalar()
            with admin.connect() as conn:
                conn.execute(sa.text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
            return real_open(actor, wanted)

        monkeypatch.setattr(services, "open_case", open_after_the_connection_died)
        failed = browser.get(f"/cases/{case_id}")
        figures.add("faults simulated")
        assert failed.status_code == 500 and "Traceback" not in failed.get_data(as_text=True)
        monkeypatch.setattr(services, "open_case", real_open)
        assert browser.get(f"/cases/{case_id}").status_code == 200
