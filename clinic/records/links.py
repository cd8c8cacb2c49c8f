"""Private links for outsiders: a random token (only its hash is stored), one case, an expiry.

The patient's upload link lives here; the first doctor's report link (outcomes) is issued
and resolved by the same rules: issuing a link for the same purpose and case revokes the
earlier ones, and a revoked link is as dead as an unknown one.

The link page and the email name what to upload and nothing else of the case: the
email leaves the clinic, and whoever holds the link needs no login.
"""
from __future__ import annotations

import hashlib
import re
import secrets
from datetime import timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _

from clinic import audit, i18n
from clinic.cases.models import Case
from clinic.database import utcnow
from clinic.extensions import db
from clinic.mail.compose import long_date, render_mail
from clinic.mail.outbox import enqueue
from clinic.records.models import RecordItem, UploadLink
from clinic.records.vocabulary import OUTSTANDING, REJECTION_PROBLEMS

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


def _entity(model) -> str:
    return model.__tablename__.removesuffix("s")  # "upload_link", "report_link": the audit's names


def revoke_link(actor, link, why: str) -> None:
    """The link stops working now; its row and its audit trail stay."""
    link.revoked_at, link.revoked_by_id = utcnow(), getattr(actor, "id", None)
    audit.record(actor, "update", _entity(type(link)), link.id, detail=f"revoked: {why}")


def issue(actor, model, case_id: int, lifetime: timedelta, *, replace: bool = True, **fields) -> tuple[str, object]:
    """A new private link of `model` (its purpose) for the case (its target); returns (token, link).

    Replaced = revoked: every earlier link for the same purpose and case that still works
    stops working, so only the newest mail opens anything. `replace=False` keeps them (the
    patient's status link is in every mail of the case: an older mail must still open it;
    staff revoke them all at once)."""
    now = utcnow()
    for earlier in live_links(model, case_id) if replace else ():
        revoke_link(actor, earlier, "replaced by a new link")
    token = new_token()
    link = model(case_id=case_id, token_hash=token_hash(token), expires_at=now + lifetime,
                 created_by_id=getattr(actor, "id", None), **fields)
    db.session.add(link)
    db.session.flush()
    audit.record(actor, "create", _entity(model), link.id, detail=f"case={case_id}")
    return token, link


def live_links(model, case_id: int) -> list:
    """The case's links of `model` that still open (not revoked, not expired)."""
    return list(db.session.scalars(sa.select(model).where(model.case_id == case_id, model.revoked_at.is_(None),
                                                          model.expires_at > utcnow())))


def valid_link(model, token: str):
    """The link of `model` for this token while it works (well formed, known, not revoked, unexpired), else None."""
    if not well_formed(token):
        return None
    link = db.session.scalar(sa.select(model).where(model.token_hash == token_hash(token)))
    if link is None or link.revoked_at is not None or link.expires_at <= utcnow():
        return None
    return link


def issue_link(actor, case: Case) -> str:
    """A new upload link for the case (earlier ones stop working); returns the token (shown once, in the email)."""
    return _issue_upload_link(actor, case)[0]


def _issue_upload_link(actor, case: Case) -> tuple[str, UploadLink]:
    return issue(actor, UploadLink, case.id, timedelta(days=current_app.config["UPLOAD_LINK_DAYS"]))


def _link_mail(case: Case, token: str, link: UploadLink) -> dict:
    """What both upload-link mails say of the link: its address, its life and the day it stops
    working on the patient's own calendar."""
    return dict(patient_name=case.patient.name, url=public_url(LINK_PATH, token),
                days=current_app.config["UPLOAD_LINK_DAYS"], reference=case.reference,
                last_day=long_date(link.expires_at.astimezone(ZoneInfo(case.patient.timezone)).date()))


def resolve_link(token: str) -> UploadLink | None:
    """The link for this token while it is valid (unexpired, not revoked, its case still open), else None."""
    link = valid_link(UploadLink, token)
    if link is None or not link.case.is_open:
        return None
    return link


def items_for_patient(case: Case) -> list[RecordItem]:
    """What the patient has been asked for and not yet sent."""
    return [item for item in case.record_items if item.requested_from_kind == "patient" and item.status in OUTSTANDING]


def email_link(actor, case: Case, items: list[RecordItem]) -> None:
    """Ask the patient for records by email, with a fresh private upload link.

    The subject names no condition (mail leaves the clinic); the body lists the records.
    """
    token, link = _issue_upload_link(actor, case)
    with i18n.patient_language(case):
        records = [_("%(record)s, by %(day)s", record=_(item.name), day=long_date(item.due_on)) if item.due_on
                   else _(item.name) for item in items]
        text, html = render_mail("records_request", records=records, **_link_mail(case, token, link))
        enqueue(case.patient.email, _("%(clinic)s: please send your medical records",
                                      clinic=current_app.config["CLINIC_NAME"]), text, html, case_id=case.id)


def email_rejection(actor, case: Case, item: RecordItem, problem: str) -> None:
    """Tell the patient a file they sent cannot be used, in plain words, with a fresh upload link.

    The mail names the record as the records request does, and the problem from a fixed list:
    never the coordinator's own reason, which may name the condition."""
    token, link = _issue_upload_link(actor, case)
    with i18n.patient_language(case):
        text, html = render_mail("record_rejected", record_name=_(item.name), problem=_(REJECTION_PROBLEMS[problem][1]),
                                 due_on=long_date(item.due_on) if item.due_on else None,
                                 **_link_mail(case, token, link))
        enqueue(case.patient.email, _("%(clinic)s: please send a new copy of a record",
                                      clinic=current_app.config["CLINIC_NAME"]), text, html, case_id=case.id)
