"""Uploads through the case page: hostile files are refused and leave nothing behind;
documents are served only to coordinators, as attachments, and every download is audited."""
from __future__ import annotations

import io

import pytest
import sqlalchemy as sa

from clinic.audit import AuditEvent
from clinic.demo.files import make_pdf, make_png, make_text
from tests import factories

EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 200
HTML = b"<!DOCTYPE html><html><body><h1>Lab results</h1><script>steal()</script></body></html>"
SVG = b'<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><script>alert(document.cookie)</script></svg>'


def post_file(client, case, content, name="report.pdf", item=None, **extra):
    item = item or case.record_items[0]
    data = {"record": str(item.id), "source": "patient_portal", "file": (io.BytesIO(content), name), **extra}
    return client.post(f"/cases/{case.id}/records/upload", data=data, content_type="multipart/form-data")


@pytest.mark.parametrize("content, name, status, message", [
    (EXE, "lab-results.pdf", 422, "is a program"),
    (HTML, "results.html", 422, "web page code"),
    (SVG, "scan.svg", 422, "web page code"),
    (make_pdf("x"), "../../../etc/passwd.pdf", 422, "folder path"),
    (b"", "empty.pdf", 422, "The file is empty"),
    (b"\x00\x01\x02\x03binary junk", "data.bin", 422, "neither a known document type"),
])
def test_hostile_uploads_are_refused_with_a_reason_and_leave_nothing(client_as, case, stored, content, name,
                                                                      status, message):
    before = stored()
    response = post_file(client_as("coordinator"), case, content, name)
    assert response.status_code == status
    assert message in response.get_data(as_text=True)
    assert stored() == before
    assert case.record_items[0].status == "missing"


def test_a_file_over_the_size_cap_gets_a_clear_413_and_leaves_nothing(app, client_as, case, stored, monkeypatch):
    monkeypatch.setitem(app.config, "MAX_CONTENT_LENGTH", 2 * 1024 * 1024)
    before = stored()
    response = post_file(client_as("coordinator"), case, make_pdf("big") + b"0" * (3 * 1024 * 1024))
    assert response.status_code == 413
    assert "larger than the 2 MB limit" in response.get_data(as_text=True)
    assert stored() == before


def test_the_service_refuses_a_file_over_the_cap_even_without_a_request(app, case, coordinator, stored, monkeypatch):
    from clinic.records.errors import RecordError

    monkeypatch.setitem(app.config, "MAX_CONTENT_LENGTH", 1024 * 1024)
    with pytest.raises(RecordError) as refused:
        factories.attach(coordinator, case.record_items[0], make_pdf("big") + b"0" * (1024 * 1024))
    assert refused.value.status == 413 and stored() == (0, 0)


@pytest.mark.parametrize("content, name, mime", [
    (make_pdf("Visit summary", ["Seen 3 March"]), "visit.pdf", "application/pdf"),
    (make_png(), "xray.png", "image/png"),
    (make_text("Medication list", ["Tamoxifen 20 mg daily"]), "meds.txt", "text/plain; charset=utf-8"),
    (make_png(seed=9), "named-pdf-but-png.pdf", "image/png"),
])
def test_an_accepted_upload_is_stored_under_a_random_name_and_the_item_becomes_received(
        client_as, case, stored, session, content, name, mime):
    response = post_file(client_as("coordinator"), case, content, name)
    assert response.status_code == 302
    item = case.record_items[0]
    session.refresh(item)
    document = item.documents[0]
    assert (item.status, item.source, document.original_name, document.content_type) == \
        ("received", "patient_portal", name, mime)
    assert document.size == len(content) and len(document.sha256) == 64
    assert name not in document.storage_key and stored() == (1, 1)


def test_the_same_file_twice_on_a_case_is_refused_and_says_where_it_is(client_as, case, stored):
    coordinator = client_as("coordinator")
    content = make_pdf("Lab results")
    assert post_file(coordinator, case, content, item=case.record_items[1]).status_code == 302
    response = post_file(coordinator, case, content, "copy.pdf", item=case.record_items[2])
    assert response.status_code == 409
    assert "already attached to this case, as Lab results" in response.get_data(as_text=True)
    assert stored() == (1, 1)


def test_a_coordinator_downloads_a_document_as_an_attachment_and_it_is_audited(client_as, case, coordinator,
                                                                               session):
    content = make_png(seed=4)
    document = factories.attach(coordinator, case.record_items[3], content, name="chest x-ray.png")
    session.commit()
    response = client_as("coordinator").get(f"/documents/{document.id}")
    assert response.status_code == 200 and response.data == content
    assert response.headers["Content-Type"] == "image/png"
    assert response.headers["Content-Disposition"].startswith("attachment;")
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in response.headers["Cache-Control"]
    audited = session.scalars(sa.select(AuditEvent).where(AuditEvent.entity == "document",
                                                          AuditEvent.action == "export")).all()
    assert [(a.entity_id, a.user_id) for a in audited] == [(str(document.id), coordinator.id)]


def test_a_specialist_cannot_download_a_document_and_the_denial_is_audited(client_as, case, coordinator, users,
                                                                           session):
    document = factories.attach(coordinator, case.record_items[0])
    session.commit()
    response = client_as("specialist").get(f"/documents/{document.id}")
    assert response.status_code in (403, 404)
    assert document.storage_key.encode() not in response.data
    denied = session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "denied",
                                                         AuditEvent.user_id == users["specialist"].id)).all()
    assert denied and "records.download" in denied[-1].detail


def test_an_unknown_document_is_a_404_and_audited(client_as, session):
    assert client_as("coordinator").get("/documents/999999").status_code == 404
    assert session.scalar(sa.select(AuditEvent).where(AuditEvent.entity == "document",
                                                      AuditEvent.action == "denied")) is not None


def test_a_failed_transaction_removes_the_stored_file(app, case, coordinator, session, stored):
    factories.attach(coordinator, case.record_items[0])
    assert stored()[0] == 1
    session.rollback()
    assert stored() == (0, 0)


def test_the_case_page_shows_the_checklist_and_what_is_missing(client_as, case):
    page = client_as("coordinator").get(f"/cases/{case.id}").get_data(as_text=True)
    assert "Records" in page and "Imaging report: missing, not requested yet" in page
    assert "Coverage: not verified" in page and 'enctype="multipart/form-data"' in page


def test_the_work_queue_says_what_each_case_waits_for(client_as, case):
    page = client_as("coordinator").get("/cases").get_data(as_text=True)
    assert "Visit summary: missing, not requested yet" in page and "Records overdue" in page
