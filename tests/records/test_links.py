"""The patient's upload link: private, single-case, expiring, and showing nothing but what to upload."""
from __future__ import annotations

import io
from datetime import timedelta

import pytest
import sqlalchemy as sa

from clinic.audit import AuditEvent
from clinic.demo.files import make_pdf, make_png
from clinic.mail.models import OutboxMessage
from clinic.records import services
from clinic.records.models import UploadLink


def ask_patient(case, coordinator, session, kinds=("imaging", "imaging_report")):
    items = [item for item in case.record_items if item.kind in kinds]
    services.request_records(coordinator, case, items, "patient", "upload_link")
    session.commit()
    mail = session.scalars(sa.select(OutboxMessage).where(OutboxMessage.case_id == case.id)
                           .order_by(OutboxMessage.id.desc())).first()
    return "/upload/" + mail.text_body.split("/upload/")[1].split()[0]


def send(client, url, item, content, name="scan.png"):
    return client.post(url, data={"record": str(item.id), "file": (io.BytesIO(content), name)},
                       content_type="multipart/form-data")


def test_the_link_page_lists_what_to_upload_and_nothing_else_of_the_case(client_as, case, coordinator, session):
    url = ask_patient(case, coordinator, session)
    page = client_as("anonymous").get(url)
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Imaging (the images)" in text and "Imaging report" in text
    for private in (case.patient.name, case.reference, "carcinoma", "Mastectomy", "Lab results", case.patient.email):
        assert private not in text


def test_the_patient_uploads_through_the_link_and_the_item_becomes_received(client_as, case, coordinator, session):
    url = ask_patient(case, coordinator, session)
    item = next(i for i in case.record_items if i.kind == "imaging")
    response = send(client_as("anonymous"), url, item, make_png(seed=2))
    assert response.status_code == 302 and response.headers["Location"].endswith(url)
    session.refresh(item)
    assert (item.status, item.source) == ("received", "patient_upload")
    assert item.documents[0].uploaded_via == "patient_link" and item.documents[0].uploaded_by_id is None
    page = client_as("anonymous").get(url).get_data(as_text=True)
    assert "Imaging (the images)" not in page and "Imaging report" in page


def test_a_hostile_upload_through_the_link_is_refused_and_leaves_nothing(client_as, case, coordinator, session,
                                                                        stored):
    url = ask_patient(case, coordinator, session)
    item = next(i for i in case.record_items if i.kind == "imaging")
    before = stored()
    response = send(client_as("anonymous"), url, item, b"<html><script>x()</script></html>", "scan.html")
    assert response.status_code == 422 and "web page code" in response.get_data(as_text=True)
    assert stored() == before


def test_the_link_cannot_reach_another_case_or_an_item_not_asked_for(client_as, case, new_case, coordinator,
                                                                     session, stored):
    other = new_case(coordinator)
    url = ask_patient(case, coordinator, session)
    ask_patient(other, coordinator, session)
    before = stored()
    for item in (other.record_items[3], next(i for i in case.record_items if i.kind == "lab_result")):
        response = send(client_as("anonymous"), url, item, make_pdf(f"item {item.id}"), "x.pdf")
        assert response.status_code == 422
    assert stored() == before


def test_the_link_expires_after_upload_link_days(app, client_as, case, coordinator, session):
    url = ask_patient(case, coordinator, session)
    link = session.scalars(sa.select(UploadLink).where(UploadLink.case_id == case.id)).one()
    days = app.config["UPLOAD_LINK_DAYS"]
    assert days == 14
    assert timedelta(days=days - 1) < link.expires_at - link.created_at <= timedelta(days=days)
    link.expires_at = link.created_at - timedelta(seconds=1)
    session.commit()
    response = client_as("anonymous").get(url)
    assert response.status_code == 404 and "This link is not valid" in response.get_data(as_text=True)
    item = next(i for i in case.record_items if i.kind == "imaging")
    assert send(client_as("anonymous"), url, item, make_png()).status_code == 404


def test_the_setting_sets_the_life_of_new_links(app, case, coordinator, session, monkeypatch):
    monkeypatch.setitem(app.config, "UPLOAD_LINK_DAYS", 3)
    ask_patient(case, coordinator, session)
    link = session.scalars(sa.select(UploadLink).where(UploadLink.case_id == case.id)).one()
    assert link.expires_at - link.created_at <= timedelta(days=3)


@pytest.mark.parametrize("token", ["x" * 43, "short", "A" * 101, "not a token!", "..%2e"])
def test_a_wrong_token_shows_the_same_neutral_page_and_is_audited(client_as, session, token):
    response = client_as("anonymous").get(f"/upload/{token}")
    assert response.status_code == 404 and "This link is not valid" in response.get_data(as_text=True)
    assert session.scalar(sa.select(AuditEvent).where(AuditEvent.entity == "upload_link",
                                                      AuditEvent.action == "denied")) is not None


def test_a_link_of_an_ended_case_no_longer_works(client_as, case, coordinator, session):
    from clinic.cases.services import end_case

    url = ask_patient(case, coordinator, session)
    end_case(coordinator, case, "withdrawn", "The patient withdrew")
    session.commit()
    assert client_as("anonymous").get(url).status_code == 404


def test_the_same_file_sent_twice_is_refused_without_naming_anything(client_as, case, coordinator, session):
    url = ask_patient(case, coordinator, session)
    image, report = (next(i for i in case.record_items if i.kind == k) for k in ("imaging", "imaging_report"))
    content = make_pdf("scan")
    assert send(client_as("anonymous"), url, image, content, "a.pdf").status_code == 302
    response = send(client_as("anonymous"), url, report, content, "b.pdf")
    assert response.status_code == 422
    assert "already sent this file" in response.get_data(as_text=True)
