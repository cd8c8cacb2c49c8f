"""A record the patient sent and the clinic rejected: the patient is told, in plain words and
without the condition, with a new private upload link; the earlier link stops working."""
from __future__ import annotations

import sqlalchemy as sa

from clinic.demo.files import make_png
from clinic.extensions import db
from clinic.mail.models import OutboxMessage
from clinic.records import services
from clinic.records.vocabulary import REJECTION_PROBLEMS
from tests import factories
from tests.records.test_links import ask_patient, send

# The coordinator's own words, which may name the condition: they stay inside the clinic.
REASON = "Carcinoma pathology: margins page missing"


def mails_to(session, case) -> list[OutboxMessage]:
    return list(session.scalars(sa.select(OutboxMessage).where(OutboxMessage.recipient == case.patient.email,
                                                              factories.besides_acknowledgement())
                                .order_by(OutboxMessage.id)))


def link_in(message: OutboxMessage) -> str:
    return "/upload/" + message.text_body.split("/upload/")[1].split()[0]


def patient_sent_imaging(client_as, case, coordinator, session):
    """The patient asked by link, the imaging sent through it: (the link, the item)."""
    url = ask_patient(case, coordinator, session)
    item = next(i for i in case.record_items if i.kind == "imaging")
    assert send(client_as("anonymous"), url, item, make_png(seed=11)).status_code == 302
    session.expire_all()  # the upload went through another request
    return url, item


def test_the_patient_is_mailed_a_new_link_and_the_problem_in_plain_words(client_as, case, coordinator, session):
    old_url, item = patient_sent_imaging(client_as, case, coordinator, session)
    before = len(mails_to(session, case))
    services.reject_record(coordinator, item, REASON, "illegible")
    session.commit()
    mails = mails_to(session, case)
    assert len(mails) == before + 1
    mail = mails[-1]
    assert mail.case_id == case.id and mail.html_body
    assert REJECTION_PROBLEMS["illegible"][1] in mail.text_body and item.name in mail.text_body
    for private in (REASON, "Carcinoma", case.diagnosis_text, case.treatment_text, case.icd10_code):
        assert private.lower() not in (mail.subject + mail.text_body + mail.html_body).lower()
    assert item.name not in mail.subject  # the subject names no record, as the records request's does
    new_url = link_in(mail)
    assert new_url != old_url
    anonymous = client_as("anonymous")
    assert anonymous.get(old_url).status_code == 404
    page = anonymous.get(new_url)
    assert page.status_code == 200 and item.name in page.get_data(as_text=True)
    assert send(anonymous, new_url, item, make_png(seed=12)).status_code == 302


def test_the_mail_is_written_in_the_rejections_transaction(client_as, case, coordinator, session):
    _, item = patient_sent_imaging(client_as, case, coordinator, session)
    before = len(mails_to(session, case))
    services.reject_record(coordinator, item, REASON, "incomplete")
    assert len(mails_to(session, case)) == before + 1  # in the outbox before the commit...
    db.session.rollback()
    assert len(mails_to(session, case)) == before  # ...and gone with a rejection that did not happen


def test_a_record_from_the_patients_portal_is_asked_of_the_patient_again(new_case, coordinator, session):
    case = new_case(coordinator)
    item = case.record_items[0]
    factories.attach(coordinator, item)
    item.source = "patient_portal"
    services.reject_record(coordinator, item, "Illegible", "illegible")
    assert (item.requested_from_kind, item.request_method, item.status) == ("patient", "upload_link", "rejected")
    assert len(mails_to(session, case)) == 1
    assert any("new upload link emailed" in (entry.note or "") for entry in case.timeline)


def test_a_record_from_a_facility_sends_the_patient_nothing(new_case, coordinator, session):
    case = new_case(coordinator)
    item = case.record_items[0]
    services.request_records(coordinator, case, [item], "facility", "fax", facility="Northgate Imaging Center")
    factories.attach(coordinator, item)
    services.reject_record(coordinator, item, "Illegible")
    assert mails_to(session, case) == []


def test_the_item_page_asks_what_the_patient_is_told_and_an_unknown_answer_is_refused(client_as, case, coordinator,
                                                                                   session):
    _, item = patient_sent_imaging(client_as, case, coordinator, session)
    browser = client_as("coordinator")
    assert "What the patient is told" in browser.get(f"/records/{item.id}").get_data(as_text=True)
    refused = browser.post(f"/records/{item.id}/reject", data={"reject-reason": "x", "reject-problem": "made-up"})
    assert refused.status_code == 422 and 'id="reject-problem-error"' in refused.get_data(as_text=True)
    assert browser.post(f"/records/{item.id}/reject",
                        data={"reject-reason": REASON, "reject-problem": "wrong_record"}).status_code == 302
    assert REJECTION_PROBLEMS["wrong_record"][1] in mails_to(session, case)[-1].text_body


def test_the_api_rejection_tells_the_patient_too_and_refuses_an_unknown_problem(client_as, case, coordinator,
                                                                                session, bearer):
    _, item = patient_sent_imaging(client_as, case, coordinator, session)
    api, headers = client_as("anonymous"), bearer("coordinator")
    refused = api.post(f"/api/v1/records/{item.id}/reject", headers=headers, json={"reason": "x", "problem": "?"})
    assert refused.status_code == 422 and "problem" in refused.get_json()["fields"]
    before = len(mails_to(session, case))
    done = api.post(f"/api/v1/records/{item.id}/reject", headers=headers, json={"reason": REASON,
                                                                                "problem": "incomplete"})
    assert done.status_code == 200 and len(mails_to(session, case)) == before + 1
