"""An email field holds exactly one address, through every door (issue 14): the API, the roster CSV
import and the admin's directory form checked a pattern that let "a,b@y.test" through, which the
mail library reads as two recipients ("a" on the mail server itself, and b@y.test). Now
email-validator decides everywhere (text.one_address; the forms' Email validator is the same
package), and the outbox refuses any recipient that is not one address."""
from __future__ import annotations

import pytest
import sqlalchemy as sa

from clinic.text import EMAIL_MESSAGE, one_address
from tests.api.test_requests import body as api_body
from tests.cases.test_public_form import form_data

MANY = ("a@x.test,b@y.test", "a,b@y.test", "a;b@y.test", "Ana <a@x.test>", "a@x.test, b@y.test",
        '"a,b"@y.test', "a@x.test\nb@y.test")


@pytest.mark.parametrize("value", MANY + ("", "@y.test", "a@", "a@@y.test"))
def test_anything_but_one_address_is_refused(value):
    with pytest.raises(ValueError, match=EMAIL_MESSAGE):
        one_address(value)


@pytest.mark.parametrize("value", ("ana@example.org", " ada@panel.test ", "o'neil+second@clinic.example"))
def test_one_address_passes_as_written(value):
    assert one_address(value) == value.strip()


@pytest.mark.parametrize("value", MANY[:4])
def test_the_api_refuses_several_addresses_in_the_patients_email(app, bearer, session, value):
    from clinic.cases.models import Case

    data = api_body()
    data["patient"]["email"] = value
    response = app.test_client().post("/api/v1/requests", json=data, headers=bearer("coordinator"))
    assert response.status_code == 422 and response.json["fields"]["patient.email"] == [EMAIL_MESSAGE]
    assert session.scalar(sa.select(sa.func.count()).select_from(Case)) == 0


@pytest.mark.parametrize("value", MANY[:4])
def test_the_public_form_refuses_several_addresses(client, value):
    assert client.post("/request", data=form_data(email=value)).status_code == 422


@pytest.mark.parametrize("value", MANY[:4])
def test_the_roster_import_and_directory_form_refuse_several_addresses(value):
    from clinic.directory import rules

    with pytest.raises(ValueError, match=EMAIL_MESSAGE):
        rules.email(value)


def test_a_roster_row_with_two_addresses_is_reported_on_its_line(app, client_as, session):
    import io

    from clinic.directory.models import Clinician

    csv = ("npi,name,kind,specialty,languages,academic,email,timezone\n"
           "1234567893,Dr. Ada Stone,specialist,Breast oncology,en,yes,\"a,b@panel.test\",America/New_York\n")
    response = client_as("admin").post("/directory/import", data={"files": [(io.BytesIO(csv.encode()), "clinicians.csv")]})
    assert EMAIL_MESSAGE in response.get_data(as_text=True)
    assert session.scalar(sa.select(sa.func.count()).select_from(Clinician).where(Clinician.npi == "1234567893")) == 0


def test_the_outbox_refuses_a_recipient_that_is_not_one_address(app):
    from clinic.mail import outbox

    with app.test_request_context(), pytest.raises(ValueError, match=EMAIL_MESSAGE):
        outbox.enqueue("a,b@y.test", "Your appointment", "Hello.")


def test_a_stored_message_to_several_addresses_fails_for_good_and_is_never_sent(app, session):
    from clinic.mail import outbox
    from clinic.mail.models import OutboxMessage

    with app.test_request_context():
        message = outbox.enqueue("ana@example.org", "Your appointment", "Hello.")
        session.flush()
        message.recipient = "a,b@y.test"  # written before the door was closed
        session.commit()
        sent = []
        outbox.deliver_due(via=type("Recorder", (), {"send": lambda self, mime: sent.append(mime)})())
        stored = session.get(OutboxMessage, message.id)
        assert sent == [] and stored.status == "failed" and "PermanentFailure" in stored.last_error


def test_an_address_longer_than_smtp_allows_is_refused_before_the_parser_reads_it(monkeypatch):
    """A megabyte in an email field cost the worker about a second in email-validator's parser, for
    every such field of every request; the length is checked first."""
    import clinic.text

    def parser(*args, **kwargs):
        raise AssertionError("email-validator was given an over-long value")

    monkeypatch.setattr(clinic.text, "validate_email", parser)
    with pytest.raises(ValueError, match=EMAIL_MESSAGE):
        one_address("a" * 250 + "@x.test")
    with pytest.raises(ValueError, match=EMAIL_MESSAGE):
        one_address("x" * 1024 * 1024)


def test_the_public_form_names_the_email_field_once_for_a_megabyte(client, session):
    response = client.post("/request", data=form_data(email="x" * 1024 * 1024))
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Field cannot be longer than 254 characters." in page
    assert EMAIL_MESSAGE not in page
