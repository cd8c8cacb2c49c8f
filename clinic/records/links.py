"""Patients' private upload links: a random token (only its hash is stored), one case, an expiry.

The link page and the email name what to upload and nothing else of the case: the
email leaves the clinic, and whoever holds the link needs no login.
"""
from __future__ import annotations

import hashlib
import re
import secrets
from datetime import timedelta

import sqlalchemy as sa
from flask import current_app

from clinic.cases.models import Case
from clinic.database import utcnow
from clinic.extensions import db
from clinic.mail.outbox import enqueue
from clinic.records.models import RecordItem, UploadLink
from clinic.records.vocabulary import OUTSTANDING

LINK_PATH = "/upload/"
_TOKEN_SHAPE = re.compile(r"^[A-Za-z0-9_-]{20,100}$")


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def new_token() -> str:
    """A private link's token: shown once, only its token_hash is stored."""
    return secrets.token_urlsafe(32)


def well_formed(token: str | None) -> bool:
    """Whether `token` could be one of ours (anything else is refused before the database is asked)."""
    return bool(_TOKEN_SHAPE.match(token or ""))


def public_url(path: str, token: str) -> str:
    """The address a link opens, for mail that leaves the clinic."""
    return current_app.config["PUBLIC_URL"].rstrip("/") + path + token


def issue_link(actor, case: Case) -> str:
    """A new link for the case; returns the token (shown once, in the email)."""
    token = new_token()
    days = current_app.config["UPLOAD_LINK_DAYS"]
    db.session.add(UploadLink(case=case, token_hash=token_hash(token), expires_at=utcnow() + timedelta(days=days),
                              created_by_id=getattr(actor, "id", None)))
    return token


def resolve_link(token: str) -> UploadLink | None:
    """The link for this token while it is valid (unexpired, its case still open), else None."""
    if not well_formed(token):
        return None
    link = db.session.scalar(sa.select(UploadLink).where(UploadLink.token_hash == token_hash(token)))
    if link is None or link.expires_at <= utcnow() or not link.case.is_open:
        return None
    return link


def items_for_patient(case: Case) -> list[RecordItem]:
    """What the patient has been asked for and not yet sent."""
    return [item for item in case.record_items if item.requested_from_kind == "patient" and item.status in OUTSTANDING]


def email_link(actor, case: Case, items: list[RecordItem]) -> None:
    """Ask the patient for records by email, with a fresh private upload link.

    The subject names no condition (mail leaves the clinic); the body lists the records.
    """
    token = issue_link(actor, case)
    clinic = current_app.config["CLINIC_NAME"]
    days = current_app.config["UPLOAD_LINK_DAYS"]
    wanted = "\n".join(f"  - {item.name}" + (f" (by {item.due_on:%d %b %Y})" if item.due_on else "") for item in items)
    text = (f"Hello {case.patient.name},\n\n"
            f"To prepare your second opinion, our specialist needs to see your full record, not summaries. "
            f"Please send us:\n\n{wanted}\n\n"
            f"You can upload the files here (PDF, photos as JPEG or PNG, DICOM images, or plain text):\n\n"
            f"  {public_url(LINK_PATH, token)}\n\n"
            f"The link is private to you and works for {days} days. You do not need an account.\n"
            f"Your patient portal, the clinic or hospital that treated you, or your health app "
            f"can give you copies of these records.\n\n"
            f"If you have questions, reply to this email or call us and give your case reference {case.reference}.\n\n"
            f"{clinic}")
    enqueue(case.patient.email, f"{clinic}: please send your medical records", text, case_id=case.id)
