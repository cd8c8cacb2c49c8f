"""`fetch_new()`: the clinic's IMAP mailbox polled for unseen messages. Each is received in its own
transaction, then flagged \\Seen; a crash between the two leaves it unseen, and the next fetch finds
the same bytes already received (their sha256) and only flags it. Needs an application context
(`clinic mail fetch`, or the worker's loop)."""
from __future__ import annotations

import imaplib
import ssl
from collections import Counter
from dataclasses import dataclass, field

import sqlalchemy as sa
from flask import current_app

from clinic.database import begin_write
from clinic.extensions import db
from clinic.inbox import itip, services

IMAP_TIMEOUT = 30   # seconds for any one answer of the server
BATCH = 200         # messages taken in one fetch; the rest wait for the next
DATABASE_DOWN = (sa.exc.OperationalError, sa.exc.InterfaceError)


class MailboxError(Exception):
    """The mailbox could not be reached, signed in to or read: nothing was taken; try again later."""


@dataclass
class FetchSummary:
    outcomes: Counter = field(default_factory=Counter)
    repeated: int = 0   # received before (the same bytes): flagged \Seen only
    failed: int = 0     # could not be processed: left unseen for the next fetch

    @property
    def fetched(self) -> int:
        return sum(self.outcomes.values()) + self.repeated + self.failed

    def line(self) -> str:
        outcomes = ", ".join(f"{name} {count}" for name, count in sorted(self.outcomes.items()))
        return f"fetched {self.fetched}" + (f": {outcomes}" if outcomes else "") + \
            f"; already received {self.repeated}; failed {self.failed}"


def fetch_for_worker() -> str | None:
    """`clinic worker`'s task: read the mailbox when one is set up (an MTA pipe needs no worker)."""
    if not configured():
        return None
    summary = fetch_new()
    return summary.line() if summary.fetched else None


def configured() -> bool:
    return bool(current_app.config["INBOX_IMAP_HOST"])


def _connect(config) -> imaplib.IMAP4:
    host, port = config["INBOX_IMAP_HOST"], config["INBOX_IMAP_PORT"]
    context = ssl.create_default_context()
    if config["INBOX_IMAP_SSL"]:
        client = imaplib.IMAP4_SSL(host, port, ssl_context=context, timeout=IMAP_TIMEOUT)
    else:
        client = imaplib.IMAP4(host, port, timeout=IMAP_TIMEOUT)
        if config["INBOX_IMAP_STARTTLS"]:
            client.starttls(context)
    client.login(config["INBOX_IMAP_USER"], config["INBOX_IMAP_PASSWORD"])
    return client


def _checked(answer, what: str):
    status, data = answer
    if status != "OK":
        raise MailboxError(f"The mailbox refused to {what}: {itip.clean(data, 200)}")
    return data


def _body(client: imaplib.IMAP4, uid: bytes) -> bytes | None:
    """The message's bytes, at most one past the size limit (the IMAP partial fetch): a huge message
    is recognised as too large without being downloaded. PEEK leaves it unseen until received."""
    data = _checked(client.uid("FETCH", uid, f"(BODY.PEEK[]<0.{itip.MAX_BYTES + 1}>)"), "hand over a message")
    return next((item[1] for item in data if isinstance(item, tuple) and len(item) == 2), None)


def fetch_new() -> FetchSummary:
    """Receive every unseen message of the configured folder (BATCH at most), each committed alone.
    Raises MailboxError when the mailbox cannot be used, and the database's error when it is down
    (what was committed stays; the rest stays unseen)."""
    config = current_app.config
    if not configured():
        raise MailboxError("INBOX_IMAP_HOST is not set: there is no mailbox to fetch from.")
    try:
        client = _connect(config)
    except (OSError, imaplib.IMAP4.error) as error:
        raise MailboxError(f"Could not sign in to {config['INBOX_IMAP_HOST']}:{config['INBOX_IMAP_PORT']} "
                           f"as {config['INBOX_IMAP_USER']}: {itip.clean(error, 200)}") from None
    summary = FetchSummary()
    try:
        _checked(client.select(config["INBOX_IMAP_FOLDER"]), f"open the folder {config['INBOX_IMAP_FOLDER']}")
        uids = _checked(client.uid("SEARCH", None, "UNSEEN"), "list unseen messages")[0].split()[:BATCH]
        for uid in uids:
            raw = _body(client, uid)
            if raw is None:
                continue  # removed since the search
            if _receive(raw, summary):
                _checked(client.uid("STORE", uid, "+FLAGS", "(\\Seen)"), "flag a message as seen")
    except (OSError, imaplib.IMAP4.error) as error:
        raise MailboxError(f"The mailbox stopped answering: {itip.clean(error, 200)}") from None
    finally:
        try:
            client.logout()
        except (OSError, imaplib.IMAP4.error):
            pass
    return summary


def _receive(raw: bytes, summary: FetchSummary) -> bool:
    """Receive one message in a transaction of its own; True when it is now recorded."""
    try:
        begin_write(db.session())
        repeated = services.received(raw) is not None
        message = services.receive(raw)
        db.session.commit()
    except DATABASE_DOWN:
        db.session.rollback()
        raise
    except Exception:  # one message the code cannot handle must not stop the others; it stays unseen
        db.session.rollback()
        current_app.logger.exception("inbox: a message could not be processed; it stays unseen")
        summary.failed += 1
        return False
    if repeated:
        summary.repeated += 1
    else:
        summary.outcomes[str(message.outcome)] += 1
    return True
