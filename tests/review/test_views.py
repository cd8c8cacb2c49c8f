"""The specialist's pages in the browser's terms: only their cases, every record viewable, the
opinion form's rules, and 404 (audited) for anything of another case."""
from __future__ import annotations

from html import unescape

import pytest
import sqlalchemy as sa

from clinic.audit.models import AuditEvent
from clinic.review.models import Opinion
from clinic.review.services import signed_opinion
from tests import factories


def form_data(case, **changes):
    facts = factories.opinion_facts(case)
    data = {"diagnosis_text": facts.diagnosis_text, "icd10_code": facts.icd10_code,
            "diagnosis_comparison": facts.diagnosis_comparison, "treatment_comparison": facts.treatment_comparison,
            "less_invasive": "yes", "less_invasive_option": facts.less_invasive_option,
            "if_patient_waits": facts.if_patient_waits, "recommendation": facts.recommendation}
    data |= {f"answer_{qid}": text for qid, text in facts.answers.items()}
    return data | changes


def denied(session, entity: str, entity_id) -> bool:
    return session.scalar(sa.select(AuditEvent.id).where(AuditEvent.action == "denied", AuditEvent.entity == entity,
                                                         AuditEvent.entity_id == str(entity_id))) is not None


def test_the_workspace_is_the_specialists_home_and_shows_only_their_cases(client_as, my_case, new_case, users):
    case = my_case()
    other = factories.accept(new_case(), factories.ClinicianFactory())
    specialist = client_as("specialist")
    page = specialist.get("/")
    assert page.status_code == 302 and page.headers["Location"].endswith("/specialist/cases")
    html = specialist.get("/specialist/cases").get_data(as_text=True)
    assert case.reference in html and other.reference not in html
    assert "Awaiting your opinion" in html


def test_the_case_page_lists_every_verified_record_with_viewer_and_download(client_as, my_case, session):
    case = my_case()
    html = client_as("specialist").get(f"/specialist/cases/{case.id}").get_data(as_text=True)
    documents = [d for item in case.record_items for d in item.documents]
    assert documents and all(f"/specialist/documents/{d.id}/download" in html for d in documents)
    assert all(f'href="/specialist/documents/{d.id}"' in html for d in documents)  # PDFs open in the viewer
    assert case.questions[0].text in html and case.diagnosis_text in html


def test_a_pdf_opens_in_a_frame_served_by_a_checked_route_that_runs_nothing(client_as, my_case, session):
    case = my_case()
    document = case.record_items[0].documents[0]
    specialist = client_as("specialist")
    viewer = specialist.get(f"/specialist/documents/{document.id}")
    policy = viewer.headers["Content-Security-Policy"]
    inline_url = f"http://localhost/specialist/documents/{document.id}/inline"
    assert f"frame-src {inline_url}" in policy and "script-src 'self'" in policy
    assert "<iframe" in viewer.get_data(as_text=True)
    shown = specialist.get(f"/specialist/documents/{document.id}/inline")
    assert shown.status_code == 200 and shown.mimetype == "application/pdf"
    assert shown.headers["Content-Disposition"].startswith("inline")
    assert shown.headers["Content-Security-Policy"].startswith("default-src 'none'")
    assert "script-src" not in shown.headers["Content-Security-Policy"]
    assert shown.headers["X-Frame-Options"] == "SAMEORIGIN"
    download = specialist.get(f"/specialist/documents/{document.id}/download")
    assert download.headers["Content-Disposition"].startswith("attachment")
    actions = session.scalars(sa.select(AuditEvent.action).where(AuditEvent.entity == "document",
                                                                 AuditEvent.entity_id == str(document.id))).all()
    assert actions.count("view") == 2 and "export" in actions


def test_text_and_dicom_are_offered_as_download_only(client_as, my_case, session):
    from clinic.records.services import add_item, verify_record

    case = my_case()
    item = add_item(None, case, "other", "Medication notes", False)
    document = factories.attach(None, item, b"Tamoxifen 20 mg daily\n", name="notes.txt")
    verify_record(None, item)
    session.flush()
    specialist = client_as("specialist")
    assert specialist.get(f"/specialist/documents/{document.id}/inline").status_code == 404
    assert "download it" in specialist.get(f"/specialist/documents/{document.id}").get_data(as_text=True)
    assert specialist.get(f"/specialist/documents/{document.id}/download").status_code == 200


@pytest.mark.parametrize("method, path", [
    ("get", "/specialist/cases/{case}"), ("get", "/specialist/cases/{case}/opinion"),
    ("post", "/specialist/cases/{case}/opinion"), ("post", "/specialist/cases/{case}/addenda"),
    ("get", "/specialist/documents/{document}"), ("get", "/specialist/documents/{document}/inline"),
    ("get", "/specialist/documents/{document}/download"),
])
def test_another_specialists_case_is_404_and_audited(client_as, new_case, session, method, path):
    other = factories.accept(new_case(), factories.ClinicianFactory())
    document = other.record_items[0].documents[0]
    response = getattr(client_as("specialist"), method)(path.format(case=other.id, document=document.id))
    assert response.status_code == 404
    assert denied(session, "document" if "{document}" in path else "case",
                  document.id if "{document}" in path else other.id)


def test_a_proposed_case_is_not_yet_open_in_the_workspace(client_as, new_case, users, session):
    case = factories.open_gate(None, new_case())
    session.add(factories.Assignment(case_id=case.id, specialist_id=users["specialist"].clinician_id))
    session.flush()
    assert client_as("specialist").get(f"/specialist/cases/{case.id}").status_code == 404


def test_an_unverified_record_is_not_reachable(client_as, my_case, session):
    from clinic.records.services import add_item

    case = my_case()
    item = add_item(None, case, "other", "Unchecked scan", False)
    document = factories.attach(None, item)
    session.flush()
    assert client_as("specialist").get(f"/specialist/documents/{document.id}").status_code == 404


def test_a_missing_answer_is_shown_beside_its_question_and_nothing_is_signed(client_as, my_case, session):
    case = my_case()
    question = case.questions[4]
    response = client_as("specialist").post(f"/specialist/cases/{case.id}/opinion",
                                            data=form_data(case, **{f"answer_{question.id}": "", "sign": "1"}))
    html = unescape(response.get_data(as_text=True))
    assert response.status_code == 422
    assert f"Answer the patient's question 5: “{question.text}”" in html
    assert signed_opinion(case) is None and case.status == "consulted"


def test_the_form_saves_a_draft_then_signs_and_the_signed_opinion_is_final(client_as, my_case, session):
    case = my_case()
    specialist = client_as("specialist")
    draft = specialist.post(f"/specialist/cases/{case.id}/opinion", data=form_data(case, save="1"))
    assert draft.status_code == 302
    signed = specialist.post(f"/specialist/cases/{case.id}/opinion", data=form_data(case, sign="1"))
    assert signed.status_code == 302
    session.expire_all()
    opinion = signed_opinion(case)
    assert opinion is not None and case.status == "opinion_recorded"
    again = specialist.post(f"/specialist/cases/{case.id}/opinion",
                            data=form_data(case, recommendation="Changed my mind", save="1"))
    assert again.status_code == 302
    session.expire_all()
    assert session.get(Opinion, opinion.id).recommendation != "Changed my mind"


def test_signing_is_not_offered_before_the_consultation(client_as, my_case):
    case = my_case(held=False)
    html = client_as("specialist").get(f"/specialist/cases/{case.id}/opinion").get_data(as_text=True)
    assert "Sign the opinion" not in html and "Signing opens once the consultation has been held" in html
    refused = client_as("specialist").post(f"/specialist/cases/{case.id}/opinion", data=form_data(case, sign="1"))
    assert refused.status_code == 409


def test_an_addendum_shows_with_its_date(client_as, signed_case, session):
    case = signed_case()
    specialist = client_as("specialist")
    assert specialist.post(f"/specialist/cases/{case.id}/addenda", data={"text": "Receptor status confirmed."}
                           ).status_code == 302
    html = specialist.get(f"/specialist/cases/{case.id}").get_data(as_text=True)
    assert "Receptor status confirmed." in html and "Signed 20" in html


def test_hostile_input_is_shown_as_text_never_run(client_as, my_case, session):
    case = my_case()
    specialist = client_as("specialist")
    specialist.post(f"/specialist/cases/{case.id}/opinion",
                    data=form_data(case, recommendation="<script>alert(1)</script>", save="1"))
    html = specialist.get(f"/specialist/cases/{case.id}/opinion").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in html and "&lt;script&gt;" in html


def test_an_accepted_case_whose_records_reopened_stays_in_the_workspace(client_as, new_case, users, session):
    """A record rejected while the proposal was out: the specialist accepted a case back in records."""
    case = new_case()
    session.add(factories.Assignment(case_id=case.id, specialist_id=users["specialist"].clinician_id,
                                     status="accepted"))
    session.flush()
    assert case.status == "records_pending"
    html = client_as("specialist").get("/specialist/cases").get_data(as_text=True)
    assert case.reference in html


@pytest.mark.parametrize("ending", ["withdrawn", "cancelled"])
def test_a_withdrawn_or_cancelled_case_is_no_longer_the_specialists_to_read(client_as, my_case, users, session,
                                                                             ending):
    from clinic.cases.services import end_case

    case = my_case(held=False)
    specialist = client_as("specialist")
    assert specialist.get(f"/specialist/cases/{case.id}").status_code == 200
    end_case(users["coordinator"], case, ending, "The patient chose another clinic.")
    session.flush()
    assert specialist.get(f"/specialist/cases/{case.id}").status_code == 404
    assert case.reference not in specialist.get("/specialist/cases").get_data(as_text=True)


def test_a_refused_addendum_is_named_beside_its_field_and_kept(client_as, signed_case):
    from clinic.review.services import MAX_TEXT

    case = signed_case()
    text = "Receptor status confirmed. " * (MAX_TEXT // 20)
    response = client_as("specialist").post(f"/specialist/cases/{case.id}/addenda", data={"text": text})
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'id="text-error"' in html and "Receptor status confirmed. Receptor" in html
