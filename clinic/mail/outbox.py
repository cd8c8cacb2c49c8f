"""Enqueue mail inside the caller's transaction; deliver it after commit, retrying with backoff.

Delivery is at-least-once: a row is claimed (compare-and-set on claimed_until) so
two senders never pick the same message, and marked sent after the server took
it. A crash between the two sends it again with the same Message-ID, which mail
clients use to fold duplicates (and the .eml folder overwrites). Every attempt
is recorded (MailAttempt). A refusal the server calls permanent (5xx) stops the
retries at once; anything else is retried with doubling delays, MAX_ATTEMPTS in all.
"""
from __future__ import annotations

import os
import smtplib
import uuid
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path

import sqlalchemy as sa
from flask import current_app, g

from clinic.database import begin_write, utcnow
from clinic.extensions import db
from clinic.mail.models import MailAttempt, OutboxMessage
from clinic.text import one_address, strip_control

MAX_ATTEMPTS = 8
CLAIM = timedelta(minutes=5)
SMTP_TIMEOUT = 20


class PermanentFailure(Exception):
    """The server refused the message for good (a 5xx answer): retrying cannot help."""


def enqueue(recipient: str, subject: str, text: str, html: str | None = None, *, ics: str | None = None,
            ics_method: str | None = None, case_id: int | None = None) -> OutboxMessage:
    one_address(recipient)  # one field, one recipient: never a list smuggled into the To header
    domain = current_app.config["MAIL_FROM"].rpartition("@")[2].strip("> ") or "clinic.example"
    # No control character leaves in a header or a body (ESC sequences drive the reader's terminal).
    message = OutboxMessage(recipient=recipient, subject=strip_control(subject, multi_line=False)[:200],
                            text_body=strip_control(text), html_body=html and strip_control(html), ics=ics,
                            ics_method=ics_method, case_id=case_id,
                            message_id=f"<{uuid.uuid4().hex}@{domain}>")  # short: never folded
    db.session.add(message)
    g.outbox_dirty = True  # the request delivers after its commit (see register_delivery)
    return message


def _calendar_method(ics: str, fallback: str | None) -> str:
    for line in ics.splitlines():
        if line.upper().startswith("METHOD:"):
            return line.split(":", 1)[1].strip().upper()
    return (fallback or "PUBLISH").upper()


def build(message: OutboxMessage, sender: str) -> EmailMessage:
    """The MIME message. With an invite: multipart/mixed holding multipart/alternative
    (text, HTML, text/calendar; method=...) and the same calendar as an .ics attachment
    (RFC 6047: the method parameter must equal the calendar's METHOD, so it is read from it)."""
    mime = EmailMessage()
    mime["From"] = sender
    mime["To"] = one_address(message.recipient)  # a row stored before the check: refused, never sent
    mime["Subject"] = message.subject
    mime["Message-ID"] = message.message_id
    mime["Date"] = format_datetime(message.created_at)
    mime.set_content(message.text_body)
    if message.html_body:
        mime.add_alternative(message.html_body, subtype="html")
    if message.ics:
        method = _calendar_method(message.ics, message.ics_method)
        mime.add_alternative(message.ics.encode(), maintype="text", subtype="calendar",
                             params={"method": method, "charset": "utf-8"})
        mime.make_mixed()
        mime.add_attachment(message.ics.encode(), maintype="application", subtype="ics",
                            filename="cancellation.ics" if method == "CANCEL" else "invite.ics")
    return mime


class SMTPTransport:
    def __init__(self, config):
        self.config = config

    def send(self, mime: EmailMessage) -> None:
        try:
            with smtplib.SMTP(self.config["MAIL_SERVER"], self.config["MAIL_PORT"], timeout=SMTP_TIMEOUT) as smtp:
                if self.config["MAIL_USE_TLS"]:
                    smtp.starttls()
                if self.config["MAIL_USERNAME"]:
                    smtp.login(self.config["MAIL_USERNAME"], self.config["MAIL_PASSWORD"])
                smtp.send_message(mime)
        except smtplib.SMTPRecipientsRefused as error:
            codes = [code for code, _ in error.recipients.values()]
            if all(code >= 500 for code in codes):
                raise PermanentFailure(f"recipient refused ({codes[0]})") from None
            raise
        except smtplib.SMTPResponseException as error:
            if error.smtp_code >= 500 and not isinstance(error, smtplib.SMTPAuthenticationError):
                raise PermanentFailure(f"refused by the server ({error.smtp_code})") from None
            raise


class FileTransport:
    """The embedded default: each message becomes an .eml file anyone can open in a mail client.

    Named by Message-ID and written atomically, so a repeated delivery replaces the file."""

    def __init__(self, folder: str):
        self.folder = Path(folder)

    def send(self, mime: EmailMessage) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        name = mime["Message-ID"].strip("<>").split("@")[0]
        partial = self.folder / f".{name}.partial"
        partial.write_bytes(mime.as_bytes())
        os.replace(partial, self.folder / f"{name}.eml")


def transport(config):
    return SMTPTransport(config) if config["MAIL_SERVER"] else FileTransport(config["MAIL_FOLDER"])


def _claim(message_id: int, now: datetime) -> bool:
    """Take the message for this sender; a concurrent sender's identical UPDATE finds nothing to take."""
    begin_write(db.session())
    claimed = db.session.execute(
        sa.update(OutboxMessage)
        .where(OutboxMessage.id == message_id, OutboxMessage.status == "pending",
               sa.or_(OutboxMessage.claimed_until.is_(None), OutboxMessage.claimed_until < now))
        .values(claimed_until=now + CLAIM)
        .execution_options(synchronize_session=False)
    ).rowcount
    db.session.commit()
    return claimed == 1


def _due(limit: int | None, now: datetime, include_waiting: bool) -> list[int]:
    query = sa.select(OutboxMessage.id).where(OutboxMessage.status == "pending").order_by(OutboxMessage.id)
    if not include_waiting:
        query = query.where(OutboxMessage.next_attempt_at <= now)
    return list(db.session.scalars(query.limit(limit) if limit else query))


def has_due() -> bool:
    return bool(_due(1, utcnow(), include_waiting=False))


def deliver_due(limit: int | None = 100, via=None, include_waiting: bool = False) -> tuple[int, int]:
    """Send what is due (or every pending message with include_waiting), each message at most once
    per call; returns (sent, failed attempts). `limit=None` drains everything due now.

    Commits after each message, so a crash loses at most the record of one attempt."""
    via = via or transport(current_app.config)
    sender = current_app.config["MAIL_FROM"]
    sent = failed = 0
    for message_id in _due(limit, utcnow(), include_waiting):
        if not _claim(message_id, utcnow()):
            continue
        message = db.session.get(OutboxMessage, message_id)
        error = None
        try:
            mime = build(message, sender)
            db.session.commit()  # no transaction stays open while the mail server answers
            via.send(mime)
        except ValueError as problem:  # a header the email package refuses: no retry can fix it
            error = PermanentFailure(f"malformed message: {problem}")
        except (OSError, smtplib.SMTPException, PermanentFailure) as problem:
            error = problem
        begin_write(db.session())
        _record(db.session.get(OutboxMessage, message_id), error)
        sent, failed = (sent + 1, failed) if error is None else (sent, failed + 1)
        db.session.commit()
    return sent, failed


def _record(message: OutboxMessage, error: Exception | None) -> None:
    now = utcnow()
    message.attempts += 1
    message.claimed_until = None
    if error is None:
        message.status, message.sent_at, message.last_error = "sent", now, None
    else:
        message.last_error = f"{type(error).__name__}: {error}"[:500]
        message.next_attempt_at = now + timedelta(minutes=2 ** min(message.attempts, 10))
        if isinstance(error, PermanentFailure) or message.attempts >= MAX_ATTEMPTS:
            message.status = "failed"
    db.session.add(MailAttempt(message_id=message.id, at=now, delivered=error is None,
                               error=message.last_error if error else None))


def retry(message: OutboxMessage) -> None:
    """Put a failed message back in line for one more attempt (an admin's decision after fixing the cause)."""
    message.status = "pending"
    message.next_attempt_at = utcnow()
    message.claimed_until = None
    g.outbox_dirty = True


def deliver_after_commit(app) -> None:
    """After a request that queued mail has committed, try to deliver it at once."""

    @app.after_request
    def _deliver(response):
        if g.get("outbox_dirty") and response.status_code < 400 and app.config.get("MAIL_DELIVER_ON_COMMIT", True):
            try:
                deliver_due(limit=20)
            except Exception:  # delivery must never break the response; the outbox keeps the mail
                db.session.rollback()
                app.logger.exception("outbox delivery failed; messages stay queued")
        return response
