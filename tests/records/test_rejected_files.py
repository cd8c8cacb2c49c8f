"""A rejected file stays with its record for staff and the audit, marked as rejected, and never
reaches a specialist: not listed, not viewable, not downloadable, not counted as part of a
verified record, even after a replacement made the record verified again."""
from __future__ import annotations

import io

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from clinic.audit.models import AuditEvent
from clinic.auth.access import PUBLIC
from clinic.database import utcnow
from clinic.records import services
from clinic.records.errors import RejectedFileAgain
from clinic.records.storage import get_storage
from clinic.records.uploads import attach_document
from clinic.review.viewer import verified_documents
from tests import factories

REASON = "Pages 2 and 3 are missing"


@pytest.fixture
def replaced(my_case, users, session):
    """A case accepted by users['specialist'] whose first record was rejected after it was verified,
    then replaced and verified again: (case, item, rejected file, replacement)."""
    coordinator = users["coordinator"]
    case = my_case(held=False)
    item = case.record_items[0]
    rejected = item.documents[0]
    rejected.original_name = "first-scan.pdf"  # display text only: the name to look for on every page
    services.reject_record(coordinator, item, REASON, "incomplete")
    replacement = factories.attach(coordinator, item, name="complete-copy.pdf")
    services.verify_record(coordinator, item)
    session.commit()
    assert item.status == "verified"
    return case, item, rejected, replacement


def specialist_file_routes(app) -> list[str]:
    """Every route a specialist may call that takes a document id: the viewer, the inline file, the download."""
    return sorted(rule.rule for rule in app.url_map.iter_rules()
                  if "document_id" in rule.arguments and "GET" in rule.methods
                  and "specialist" in (getattr(app.view_functions[rule.endpoint], "allowed_roles", None) or ())
                  and app.view_functions[rule.endpoint].allowed_roles != PUBLIC)


def test_a_rejected_file_reaches_no_specialist_door_after_its_replacement_is_verified(app, replaced, client_as,
                                                                                    session):
    case, item, rejected, replacement = replaced
    routes = specialist_file_routes(app)
    assert len(routes) >= 3, routes
    specialist = client_as("specialist")
    for route in routes:
        assert specialist.get(route.replace("<id:document_id>", str(rejected.id))).status_code == 404, route
        assert specialist.get(route.replace("<id:document_id>", str(replacement.id))).status_code == 200, route
    assert session.scalar(sa.select(sa.func.count()).select_from(AuditEvent).where(
        AuditEvent.action == "denied", AuditEvent.entity == "document",
        AuditEvent.entity_id == str(rejected.id))) == len(routes)
    page = specialist.get(f"/specialist/cases/{case.id}").get_data(as_text=True)
    assert f"/specialist/documents/{rejected.id}" not in page and f"/specialist/documents/{replacement.id}" in page
    verified = [document for _, document in verified_documents(case.id)]
    assert rejected not in verified and replacement in verified
    # Counted as the files of the verified records, the rejected one is not among them.
    live = sum(len(i.live_documents) for i in case.record_items if i.status == "verified")
    assert len(verified) == live and f"{live} files" in page


def test_no_specialist_page_or_api_answer_names_the_rejected_file(app, replaced, client_as, bearer):
    case, item, rejected, replacement = replaced
    specialist, headers = client_as("specialist"), bearer("specialist")
    for rule in app.url_map.iter_rules():
        roles = getattr(app.view_functions[rule.endpoint], "allowed_roles", None) or ()
        if "GET" not in rule.methods or roles == PUBLIC or "specialist" not in roles \
                or not set(rule.arguments) <= {"case_id"}:
            continue
        url = rule.build({"case_id": case.id} if rule.arguments else {})[1]
        body = (specialist.get(url, headers=headers) if url.startswith("/api/") else specialist.get(url))
        assert rejected.original_name not in body.get_data(as_text=True), url


def test_staff_see_the_rejected_file_marked_with_the_reason_who_and_when(replaced, client_as, users):
    case, item, rejected, replacement = replaced
    coordinator = client_as("coordinator")
    for url in (f"/records/{item.id}", f"/cases/{case.id}"):
        html = coordinator.get(url).get_data(as_text=True)
        row = html.split(f"/documents/{rejected.id}\"", 1)[1].split("</tr>", 1)[0]
        assert "Rejected" in row and REASON in row and users["coordinator"].name in row, url
        assert rejected.rejected_at.strftime("%Y") in row
        after = html.split(f"/documents/{replacement.id}\"", 1)[1].split("</tr>", 1)[0]
        assert "Rejected</span>" not in after.split("<br>", 1)[0]


def test_the_rejection_keeps_the_file_stored_and_audited(replaced, client_as, session, users):
    case, item, rejected, replacement = replaced
    assert (rejected.rejection_reason, rejected.rejected_by_id) == (REASON, users["coordinator"].id)
    assert get_storage().open(rejected.storage_key).read()
    assert session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "update", AuditEvent.entity == "document",
                                                      AuditEvent.entity_id == str(rejected.id),
                                                      AuditEvent.detail.like("rejected%"))) is not None
    assert client_as("coordinator").get(f"/documents/{rejected.id}").status_code == 200  # staff keep the file


def test_the_api_marks_the_rejected_file(replaced, client_as, bearer):
    case, item, rejected, replacement = replaced
    body = client_as("coordinator").get(f"/api/v1/requests/{case.id}", headers=bearer("coordinator")).get_json()
    files = {f["id"]: f for record in body["records"] for f in record["documents"]}
    assert files[rejected.id]["rejected"] is True and files[rejected.id]["rejection_reason"] == REASON
    assert files[rejected.id]["rejected_by"] and files[rejected.id]["rejected_at"]
    assert files[replacement.id]["rejected"] is False


def test_every_file_in_hand_is_rejected_with_the_record_and_only_those(new_case, users, session):
    coordinator = users["coordinator"]
    case = new_case(coordinator)
    item = case.record_items[0]
    first, second = factories.attach(coordinator, item), factories.attach(coordinator, item)
    services.reject_record(coordinator, item, "Illegible")
    later = factories.attach(coordinator, item)
    assert first.is_rejected and second.is_rejected and not later.is_rejected
    assert item.live_documents == [later]


def test_the_rejected_file_sent_again_is_refused_saying_it_was_rejected(new_case, users, session):
    coordinator = users["coordinator"]
    case = new_case(coordinator)
    item = case.record_items[0]
    content = factories.TINY_PDF + b"% the same scan\n"
    factories.attach(coordinator, item, content)
    services.reject_record(coordinator, item, "Illegible")
    with pytest.raises(RejectedFileAgain) as refused:
        attach_document(coordinator, item, "again.pdf", io.BytesIO(content), via="coordinator")
    assert "rejected" in refused.value.message and "Illegible" in refused.value.message
    assert refused.value.field == "file"


def test_the_database_refuses_a_rejected_file_without_its_reason(new_case, users, session):
    document = factories.attach(users["coordinator"], new_case(users["coordinator"]).record_items[0])
    document.rejected_at = utcnow()
    with pytest.raises(IntegrityError):
        with session.begin_nested():
            session.flush()
