"""`clinic mail fetch` against a real IMAP server (Dovecot): replies put in the mailbox with APPEND
are fetched, applied or kept aside, flagged \\Seen, and never acted on twice."""
from __future__ import annotations

import imaplib
import os
import time
from datetime import timedelta

import pytest
import sqlalchemy as sa

from clinic.cases.models import Case
from clinic.cases.queue import flags
from clinic.inbox.models import AttendeeResponse, CounterProposal, InboundMessage
from tests.inbox import dovecot
from tests.inbox.conftest import reply_for

pytestmark = pytest.mark.skipif(not os.path.exists(dovecot.DOVECOT),
                                reason="Dovecot is not installed (.ci/run installs dovecot-imapd)")


@pytest.fixture(scope="session")
def imap_server():
    with dovecot.running() as mailbox:
        yield mailbox


@pytest.fixture
def mailbox(app, imap_server, monkeypatch):
    """An empty INBOX on the server, and the app's settings pointing at it."""
    for key, value in {"INBOX_IMAP_HOST": imap_server.host, "INBOX_IMAP_PORT": imap_server.port,
                       "INBOX_IMAP_USER": imap_server.user, "INBOX_IMAP_PASSWORD": imap_server.password,
                       "INBOX_IMAP_SSL": False, "INBOX_IMAP_STARTTLS": False, "INBOX_IMAP_FOLDER": "INBOX"}.items():
        monkeypatch.setitem(app.config, key, value)
    client = imaplib.IMAP4(imap_server.host, imap_server.port, timeout=10)
    client.login(imap_server.user, imap_server.password)
    client.select("INBOX")
    uids = client.uid("SEARCH", None, "ALL")[1][0].split()
    if uids:
        client.uid("STORE", b",".join(uids), "+FLAGS", "(\\Deleted)")
        client.expunge()
    yield client
    client.logout()


def append(client, raw: bytes) -> None:
    status, _ = client.append("INBOX", None, imaplib.Time2Internaldate(time.time()), raw)
    assert status == "OK"


def unseen(client) -> list[bytes]:
    client.noop()
    return client.uid("SEARCH", None, "UNSEEN")[1][0].split()


def fetch(app):
    result = app.test_cli_runner().invoke(args=["mail", "fetch"])
    assert result.exit_code == 0, result.output
    return result.output.strip()


def test_fetched_replies_are_applied_flagged_seen_and_never_twice(app, booked, mailbox, client_as, session):
    declined, proposed = booked(), booked()
    append(mailbox, reply_for(declined, "gmail", partstat="DECLINED"))
    start = proposed.start + timedelta(days=1)
    append(mailbox, reply_for(proposed, "outlook_counter", role="specialist", proposed_start=start,
                              proposed_end=start + timedelta(hours=1), comment="I operate that morning."))
    append(mailbox, reply_for(declined, "apple", sender="mallory@example.org"))  # forged: kept aside
    append(mailbox, b"From: a@example.org\r\nSubject: scan\r\n\r\n" + b"A" * (3 * 1024 * 1024))  # too large
    assert fetch(app) == "fetched 4: applied 2, kept_aside 2; already received 0; failed 0"
    huge = session.scalar(sa.select(InboundMessage).where(InboundMessage.subject == "scan"))
    assert "too large" in huge.reason and huge.size == 2 * 1024 * 1024 + 1  # only that much was downloaded
    assert unseen(mailbox) == []
    declined_cases = set(session.scalars(sa.select(Case.id).where(flags()["invite_declined"].condition())))
    assert declined_cases == {declined.case_id}
    page = client_as("coordinator").get(f"/cases/{proposed.case_id}").get_data(as_text=True)
    assert "proposed a new time" in page and "I operate that morning." in page
    assert fetch(app) == "fetched 0; already received 0; failed 0"
    # A crash after the commit but before \Seen: the message is unseen again, received once all the same.
    uid = mailbox.uid("SEARCH", None, "ALL")[1][0].split()[0]
    mailbox.uid("STORE", uid, "-FLAGS", "(\\Seen)")
    assert fetch(app) == "fetched 1; already received 1; failed 0"
    assert session.scalar(sa.select(sa.func.count()).select_from(InboundMessage)) == 4
    assert session.scalar(sa.select(sa.func.count()).select_from(AttendeeResponse)) == 1
    assert session.scalar(sa.select(sa.func.count()).select_from(CounterProposal)) == 1
    assert unseen(mailbox) == []


def test_a_wrong_password_or_a_silent_server_asks_to_try_again(app, mailbox, monkeypatch):
    monkeypatch.setitem(app.config, "INBOX_IMAP_PASSWORD", "wrong")
    result = app.test_cli_runner().invoke(args=["mail", "fetch"])
    assert result.exit_code == 75 and "Could not sign in" in result.output
    monkeypatch.setitem(app.config, "INBOX_IMAP_PORT", dovecot._free_port())
    assert app.test_cli_runner().invoke(args=["mail", "fetch"]).exit_code == 75
