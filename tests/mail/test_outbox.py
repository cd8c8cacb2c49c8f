"""The outbox: MIME as calendar apps expect it, real SMTP on loopback, retries, and exactly-once delivery."""
from __future__ import annotations

import email
import socket
import time
from datetime import timedelta
from email import policy

import pytest
import sqlalchemy as sa
from aiosmtpd.controller import Controller

from clinic.database import utcnow
from clinic.mail import outbox
from clinic.mail.models import MailAttempt, OutboxMessage
from clinic.scheduling import services

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


class Inbox:
    """An aiosmtpd handler keeping every message it accepts."""

    def __init__(self):
        self.messages: list[email.message.EmailMessage] = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(email.message_from_bytes(envelope.content, policy=policy.default))
        return "250 OK"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def smtp(app, monkeypatch):
    """A real SMTP server on a free loopback port, with the app pointed at it; .stop() and .start() it."""
    inbox, port = Inbox(), free_port()

    class Server:
        messages = inbox.messages

        def start(self):
            self.controller = Controller(inbox, hostname="127.0.0.1", port=port)
            self.controller.start()

        def stop(self):
            self.controller.stop()

    server = Server()
    server.start()
    monkeypatch.setitem(app.config, "MAIL_SERVER", "127.0.0.1")
    monkeypatch.setitem(app.config, "MAIL_PORT", port)
    yield server
    try:
        server.stop()
    except (AssertionError, RuntimeError):
        pass


def invite_message(session, ics_method="REQUEST") -> OutboxMessage:
    from clinic.scheduling import invites
    from datetime import datetime, timezone

    start = datetime(2026, 7, 13, 13, tzinfo=timezone.utc)
    calendar = invites.Invite(uid="u-1@test", sequence=0, start=start, end=start + timedelta(hours=1),
                              timezone="America/New_York", organizer="scheduling@clinic.example", organizer_name="C",
                              attendees=(invites.Person("Jane Roe", "jane@example.org"),), reference="SO-TEST-0001",
                              modality="video", location="https://video.example/1", specialist_name="Dr. P")
    build = invites.cancel if ics_method == "CANCEL" else invites.request
    ics = build(calendar, utcnow())
    message = outbox.enqueue("jane@example.org", "Your second-opinion consultation", "Text body", "<p>HTML body</p>",
                             ics=ics, ics_method=ics_method)
    session.flush()
    return message


@pytest.mark.parametrize("method", ["REQUEST", "CANCEL"])
def test_an_invite_email_is_mixed_holding_alternative_text_html_calendar_and_the_ics(app, session, method):
    mime = outbox.build(invite_message(session, method), "scheduling@clinic.example")
    parsed = email.message_from_bytes(mime.as_bytes(), policy=policy.default)
    assert parsed.get_content_type() == "multipart/mixed"
    alternative, attachment = parsed.get_payload()
    assert alternative.get_content_type() == "multipart/alternative"
    assert [p.get_content_type() for p in alternative.get_payload()] == ["text/plain", "text/html", "text/calendar"]
    calendar = alternative.get_payload()[2]
    assert calendar.get_param("method") == method
    assert f"METHOD:{method}\r\n".encode() in calendar.get_payload(decode=True)
    assert attachment.get_filename().endswith(".ics") and attachment.get_content_disposition() == "attachment"
    assert attachment.get_payload(decode=True) == calendar.get_payload(decode=True)


def test_mail_without_a_calendar_is_plain_alternative(app, session):
    message = outbox.enqueue("a@example.org", "Hello", "Text", "<p>HTML</p>")
    session.flush()
    assert outbox.build(message, "s@clinic.example").get_content_type() == "multipart/alternative"


def test_a_real_smtp_server_receives_the_invite_with_its_mime_structure(app, session, smtp):
    message = invite_message(session)
    assert outbox.deliver_due(limit=None) == (1, 0)
    (received,) = smtp.messages
    assert received["Message-ID"] == message.message_id
    assert received["Subject"] == "Your second-opinion consultation"
    assert received.get_content_type() == "multipart/mixed"
    calendar = next(p for p in received.walk() if p.get_content_type() == "text/calendar")
    assert calendar.get_param("method") == "REQUEST" and b"METHOD:REQUEST" in calendar.get_payload(decode=True)
    assert (message.status, message.attempts) == ("sent", 1)


def test_an_unreachable_server_is_retried_with_backoff_and_every_attempt_recorded(app, session, smtp):
    smtp.stop()
    message = invite_message(session)
    assert outbox.deliver_due() == (0, 1)
    first_retry = message.next_attempt_at
    assert message.status == "pending" and message.attempts == 1 and "Error" in message.last_error
    assert outbox.deliver_due() == (0, 0), "not due again before its backoff"
    assert outbox.deliver_due(include_waiting=True) == (0, 1)
    assert message.next_attempt_at - utcnow() > first_retry - utcnow() + timedelta(seconds=30)
    attempts = session.scalars(sa.select(MailAttempt).where(MailAttempt.message_id == message.id)).all()
    assert [a.delivered for a in attempts] == [False, False]
    message.attempts = outbox.MAX_ATTEMPTS - 1
    outbox.deliver_due(include_waiting=True)
    assert message.status == "failed"


def test_a_permanent_refusal_fails_at_once(app, session, smtp):
    class Refusing:
        async def handle_RCPT(self, server, session, envelope, address, options):
            return "550 no such user"

    smtp.stop()
    smtp.controller = Controller(Refusing(), hostname="127.0.0.1", port=app.config["MAIL_PORT"])
    smtp.controller.start()
    message = invite_message(session)
    outbox.deliver_due()
    assert (message.status, message.attempts) == ("failed", 1)
    assert "550" in message.last_error


def test_server_down_while_booking_then_drained_delivers_every_invite_exactly_once(app, session, smtp, matched_case,
                                                                                 next_slot, client_as):
    case = matched_case()
    specialist = services.accepted_assignment(case).specialist
    outbox.deliver_due(limit=None)  # the case's acknowledgement, sent while the server was up
    smtp.messages.clear()
    smtp.stop()
    browser = client_as("coordinator")
    response = browser.post(f"/cases/{case.id}/booking", data={"start": next_slot(specialist).isoformat()})
    assert response.status_code == 302, "the booking succeeds while mail is down"
    queued = session.scalars(sa.select(OutboxMessage).where(OutboxMessage.case_id == case.id,
                                                            OutboxMessage.ics.is_not(None))).all()
    assert len(queued) == 2 and {m.status for m in queued} == {"pending"} and {m.attempts for m in queued} == {1}
    smtp.start()
    result = app.test_cli_runner().invoke(args=["outbox", "send", "--all"])
    assert result.exit_code == 0 and "sent 2, failed 0" in result.output
    app.test_cli_runner().invoke(args=["outbox", "send", "--all"])  # a second drain finds nothing to send
    ids = [m["Message-ID"] for m in smtp.messages]
    assert sorted(ids) == sorted(m.message_id for m in queued)
    assert {m["To"] for m in smtp.messages} == {case.patient.email, specialist.email}


def test_a_message_claimed_by_another_sender_is_not_sent_twice(app, session):
    message = invite_message(session)
    message.claimed_until = utcnow() + timedelta(minutes=1)
    session.flush()
    sent = []

    class Recorder:
        def send(self, mime):
            sent.append(mime["Message-ID"])

    assert outbox.deliver_due(via=Recorder()) == (0, 0) and sent == []
    message.claimed_until = utcnow() - timedelta(seconds=1)  # the other sender died: its claim lapsed
    session.flush()
    assert outbox.deliver_due(via=Recorder()) == (1, 0) and sent == [message.message_id]


def test_the_file_transport_writes_one_eml_per_message_even_if_delivered_twice(app, session, tmp_path):
    message = invite_message(session)
    transport = outbox.FileTransport(str(tmp_path))
    mime = outbox.build(message, "s@clinic.example")
    transport.send(mime)
    transport.send(mime)
    files = list(tmp_path.glob("*.eml"))
    assert len(files) == 1
    opened = email.message_from_bytes(files[0].read_bytes(), policy=policy.default)
    assert opened["Message-ID"] == message.message_id and opened.get_content_type() == "multipart/mixed"


def test_the_admin_sees_waiting_and_failed_mail_without_bodies_and_can_retry(app, session, client_as):
    message = outbox.enqueue("jane@example.org", "Your consultation", "SECRET BODY TEXT", "<p>SECRET HTML</p>")
    message.status, message.attempts, message.last_error = "failed", 8, "SMTPServerDisconnected: gone"
    session.flush()
    admin = client_as("admin")
    page = admin.get("/admin/outbox").get_data(as_text=True)
    assert "jane@example.org" in page and "Your consultation" in page and "SMTPServerDisconnected" in page
    assert "SECRET" not in page
    response = admin.post(f"/admin/outbox/{message.id}/retry")
    assert response.status_code == 302
    session.refresh(message)
    assert message.status == "sent"  # delivered right after the retry (the .eml transport in tests)


def test_retrying_an_unknown_message_is_a_neutral_404(client_as):
    assert client_as("admin").post("/admin/outbox/999999/retry").status_code == 404


def test_delivery_after_a_request_never_breaks_the_response(app, session, smtp, matched_case, next_slot, client_as):
    smtp.stop()
    case = matched_case()
    start = next_slot(services.accepted_assignment(case).specialist)
    started = time.monotonic()
    response = client_as("coordinator").post(f"/cases/{case.id}/booking", data={"start": start.isoformat()})
    assert response.status_code == 302 and time.monotonic() - started < 15
