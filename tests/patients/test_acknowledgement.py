"""Every new case tells the patient we have it: the reference, what happens next, the status link.
Whatever door the request came through, and never a word of the condition."""
from __future__ import annotations

import pytest
import sqlalchemy as sa

from clinic.cases.models import Case
from clinic.patients.models import StatusLink
from tests.api.test_requests import api, body  # noqa: F401
from tests.cases.test_public_form import form_data
from tests.cases.test_staff_intake_and_queue import staff_data
from tests.patients.conftest import mails_to, status_path


def _acknowledgement(session, case):
    [mail] = [m for m in mails_to(session, case) if "we received your request" in m.subject]
    return mail


def _check(session, client, case, diagnosis: str, code: str):
    mail = _acknowledgement(session, case)
    assert case.reference in mail.subject and case.reference in mail.text_body and case.reference in mail.html_body
    for part in (mail.subject, mail.text_body, mail.html_body):
        assert diagnosis.lower() not in part.lower() and code not in part
        for question in case.questions:
            assert question.text not in part
    assert "What happens next" in mail.text_body and "two to four weeks" in mail.text_body
    path = status_path(mail)
    assert path in mail.html_body, "the button and the plain-text part lead to the same page"
    token = path.rsplit("/", 1)[1]
    assert not session.scalar(sa.select(sa.func.count()).select_from(StatusLink)
                              .where(StatusLink.token_hash == token)), "only the token's hash is stored"
    page = client.get(path)
    assert page.status_code == 200 and case.reference in page.get_data(as_text=True)
    assert "We are gathering your medical records" in page.get_data(as_text=True)


def test_the_public_form_acknowledges_with_a_status_link(client, session):
    assert client.post("/request", data=form_data()).status_code == 302
    case = session.scalars(sa.select(Case).order_by(Case.id.desc())).first()
    _check(session, client, case, "Breast cancer, stage II", "C50.911")


def test_a_staff_intake_acknowledges_too(client_as, client, session):
    assert client_as("coordinator").post("/cases/new", data=staff_data()).status_code == 302
    case = session.scalars(sa.select(Case).order_by(Case.id.desc())).first()
    _check(session, client, case, case.diagnosis_text, case.icd10_code)


def test_a_request_through_the_api_acknowledges_too(api, client, session):  # noqa: F811
    created = api("POST", "/api/v1/requests", body()).get_json()
    case = session.get(Case, created["id"])
    _check(session, client, case, "Invasive ductal carcinoma", "C50.911")


@pytest.mark.parametrize("door", ["form", "api"])
def test_a_refused_request_sends_nothing(client, api, session, door):  # noqa: F811
    before = session.scalar(sa.select(sa.func.count()).select_from(StatusLink))
    if door == "form":
        assert client.post("/request", data=form_data(email="not an address")).status_code == 422
    else:
        assert api("POST", "/api/v1/requests", body(urgency="whenever")).status_code == 422
    assert session.scalar(sa.select(sa.func.count()).select_from(StatusLink)) == before
