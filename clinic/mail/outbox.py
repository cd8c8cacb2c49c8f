"""Enqueue mail inside the caller's transaction; deliver it after commit, retrying with backoff.

Delivery is at-least-once: a row is claimed (compare-and-set on claimed_until) so
two senders never pick the same message, and marked sent after the server took
it. A crash between the two sends it again with the same Message-ID, which mail
clients use to fold duplicates.
"""
from __future__ import annotations

import smtplib
import uuid
from datetime import timedelta
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from pathlib import Path

import sqlalchemy as sa
from flask import current_app, g

from clinic.database import utcnow
from clinic.extensions import db
from clinic.mail.models import OutboxMessage

MAX_ATTEMPTS = 8
CLAIM = timedelta(minutes=5)


def enqueue(recipient: str, subject: str, text: str, html: str | None = None, *, ics: str | None = None,
            ics_method: str | None = None, case_id: int | None = None) -> OutboxMessage:
    domain = current_app.config["MAIL_FROM"].rpartition("@")[2] or "clinic.example"
    message = OutboxMessage(recipient=recipient, subject=subject[:200], text_body=text, html_body=html, ics=ics,
                            ics_method=ics_method, case_id=case_id,
                            message_id=make_msgid(idstring=uuid.uuid4().hex[:12], domain=domain))
    db.session.add(message)
    g.outbox_dirty = True  # the request delivers after its commit (see register_delivery)
    return message


def build(message: OutboxMessage, sender: str) -> EmailMessage:
    """The MIME message. With an invite: multipart/mixed holding multipart/alternative
    (text, HTML, text/calendar; method=...) and the same calendar as an .ics attachment
    (RFC 6047: the method parameter must equal the calendar's METHOD)."""
    mime = EmailMessage()
    mime["From"] = sender
    mime["To"] = message.recipient
    mime["Subject"] = message.subject
    mime["Message-ID"] = message.message_id
    mime["Date"] = format_datetime(message.created_at)
    mime.set_content(message.text_body)
    if message.html_body:
        mime.add_alternative(message.html_body, subtype="html")
    if message.ics:
        method = message.ics_method or "REQUEST"
        mime.add_alternative(message.ics.encode(), maintype="text", subtype="calendar",
                             params={"method": method, "charset": "utf-8"})
        mime.make_mixed()
        mime.add_attachment(message.ics.encode(), maintype="application", subtype="ics",
                            filename="invite.ics" if method != "CANCEL" else "cancellation.ics")
    return mime


class SMTPTransport:
    def __init__(self, config):
        self.config = config

    def send(self, mime: EmailMessage) -> None:
        with smtplib.SMTP(self.config["MAIL_SERVER"], self.config["MAIL_PORT"], timeout=20) as smtp:
            if self.config["MAIL_USE_TLS"]:
                smtp.starttls()
            if self.config["MAIL_USERNAME"]:
                smtp.login(self.config["MAIL_USERNAME"], self.config["MAIL_PASSWORD"])
            smtp.send_message(mime)


class FileTransport:
    """The embedded default: each message becomes an .eml file anyone can open in a mail client."""

    def __init__(self, folder: str):
        self.folder = Path(folder)

    def send(self, mime: EmailMessage) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        stamp = utcnow().strftime("%Y%m%dT%H%M%S")
        name = f"{stamp}-{mime['Message-ID'].strip('<>').split('@')[0]}.eml"
        (self.folder / name).write_bytes(bytes(mime))


def transport(config):
    return SMTPTransport(config) if config["MAIL_SERVER"] else FileTransport(config["MAIL_FOLDER"])


def _claim(message_id: int) -> bool:
    now = utcnow()
    claimed = db.session.execute(
        sa.update(OutboxMessage)
        .where(OutboxMessage.id == message_id, OutboxMessage.status == "pending",
               sa.or_(OutboxMessage.claimed_until.is_(None), OutboxMessage.claimed_until < now))
        .values(claimed_until=now + CLAIM)
    ).rowcount
    db.session.commit()
    return claimed == 1


def deliver_due(limit: int = 100, via=None) -> tuple[int, int]:
    """Send what is due; returns (sent, failed attempts). Commits after each message."""
    via = via or transport(current_app.config)
    sender = current_app.config["MAIL_FROM"]
    due = db.session.scalars(
        sa.select(OutboxMessage.id)
        .where(OutboxMessage.status == "pending", OutboxMessage.next_attempt_at <= utcnow())
        .order_by(OutboxMessage.id).limit(limit)
    ).all()
    sent = failed = 0
    for message_id in due:
        if not _claim(message_id):
            continue
        message = db.session.get(OutboxMessage, message_id)
        message.attempts += 1
        try:
            via.send(build(message, sender))
        except (OSError, smtplib.SMTPException) as error:
            failed += 1
            message.last_error = f"{type(error).__name__}: {error}"[:500]
            message.next_attempt_at = utcnow() + timedelta(minutes=2 ** min(message.attempts, 10))
            if message.attempts >= MAX_ATTEMPTS:
                message.status = "failed"
        else:
            sent += 1
            message.status = "sent"
            message.sent_at = utcnow()
            message.last_error = None
        message.claimed_until = None
        db.session.commit()
    return sent, failed


def retry(message: OutboxMessage) -> None:
    """Put a failed message back in line (an admin's decision after fixing the cause)."""
    message.status = "pending"
    message.next_attempt_at = utcnow()
    message.attempts = 0


def register_delivery(app) -> None:
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
