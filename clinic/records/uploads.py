"""Attaching a file to a record item: checked in full before anything is stored.

Order matters for "leave nothing behind": name, size, type and duplicate are checked
on the bytes in hand; only then is the file stored and its row added, inside a
savepoint so a lost race on the duplicate constraint removes the file again.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import BinaryIO

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.exc import IntegrityError

from clinic import audit
from clinic.cases import workflow
from clinic.cases.models import Case
from clinic.database import utcnow
from clinic.extensions import db
from clinic.records.errors import RecordError, RejectedFileAgain
from clinic.records.gate import settle
from clinic.records.models import Document, RecordItem
from clinic.records.sniff import EMPTY, TEXT, FileType, TextCheck, check_image, display_name, sniff_binary
from clinic.records.storage import get_storage, store_document
from clinic.records.vocabulary import RECORD_KINDS, RECORD_SOURCES, SETTLED, RecordStatus

CHUNK = 1024 * 1024
VIA_LABELS = {"coordinator": "uploaded by the clinic", "patient_link": "uploaded by the patient",
              "api": "sent through the API"}
VIA_SOURCES = {"patient_link": "patient_upload"}
STORE_DOWN = ("The file could not be stored: the document store is full or not writable. Nothing was saved. "
              "Try again later, and tell an administrator if it happens again.")


@dataclass(frozen=True)
class CheckedFile:
    name: str
    file_type: FileType
    size: int
    sha256: str


def check_file(filename: str | None, stream: BinaryIO, max_bytes: int) -> CheckedFile:
    """Name, size, real type and digest of an upload; RecordError says why one is refused."""
    name = display_name(filename)
    stream.seek(0)
    digest, size, file_type, text = hashlib.sha256(), 0, None, TextCheck()
    while chunk := stream.read(CHUNK):
        if size == 0:
            file_type = sniff_binary(chunk)  # the first chunk holds every signature we read
            if file_type and file_type.mime.startswith("image/"):
                check_image(chunk, file_type.mime)  # and an image's declared size (1 MB of headers)
        size += len(chunk)
        if size > max_bytes:
            raise RecordError(f"The file is larger than the {max_bytes // (1024 * 1024)} MB limit. "
                              "Send a smaller file, or split it.", field="file", status=413)
        digest.update(chunk)
        if file_type is None:
            text.feed(chunk)
    if size == 0:
        raise RecordError(EMPTY, field="file")
    if file_type is None:
        text.feed(b"", final=True)
        if text.problem:
            raise RecordError(text.problem, field="file")
        file_type = TEXT
    return CheckedFile(name, file_type, size, digest.hexdigest())


def human_size(size: int) -> str:
    for unit in ("bytes", "KB", "MB"):
        if size < 1024 or unit == "MB":
            return f"{size} {unit}" if unit == "bytes" else f"{size:.1f} {unit}"
        size /= 1024
    return ""


def _duplicate_message(existing: Document) -> str:
    return (f"This file is already attached to this case, as {existing.record_item.name} "
            f"(uploaded {existing.uploaded_at:%Y-%m-%d}). Nothing was added. If it also holds another record, "
            "mark that record not applicable with the reason 'in the same document'.")


def item_for_kind(case: Case, kind: str) -> RecordItem:
    """Where a document of this kind goes: the first item still awaited, else one marked not
    applicable, else a new optional item (a verified item is never reopened by a stray upload)."""
    if kind not in RECORD_KINDS:
        raise RecordError(f"Use one of: {', '.join(RECORD_KINDS)}.", field="kind")
    items = [item for item in case.record_items if item.kind == kind]
    for wanted in (lambda i: i.status not in SETTLED, lambda i: i.status == RecordStatus.NOT_APPLICABLE):
        found = next((item for item in items if wanted(item)), None)
        if found is not None:
            return found
    item = RecordItem(case=case, kind=kind, required=False)
    db.session.add(item)
    db.session.flush()
    return item


def attach_document(actor, item: RecordItem, filename: str | None, stream: BinaryIO, *, via: str,
                    source: str | None = None) -> Document:
    """Store the file on the item, which becomes received (to be verified again if it was verified)."""
    case = item.case
    if not case.is_open:
        raise RecordError(f"Case {case.reference} has ended; documents can no longer be added.", status=409)
    workflow.claim(case)
    if source is not None and source not in RECORD_SOURCES:
        raise RecordError(f"Use one of: {', '.join(RECORD_SOURCES)}.", field="source")
    checked = check_file(filename, stream, current_app.config["MAX_CONTENT_LENGTH"])
    existing = db.session.scalar(sa.select(Document).where(Document.case_id == case.id,
                                                           Document.sha256 == checked.sha256))
    if existing is not None and existing.is_rejected:
        raise RejectedFileAgain(f"This file was rejected on {existing.rejected_at:%Y-%m-%d} "
                                f"({existing.rejection_reason.rstrip('.')}). Nothing was added: "
                                f"send a new copy of {existing.record_item.name}.", field="file", status=409)
    if existing is not None:
        raise RecordError(_duplicate_message(existing), field="file", status=409)
    try:
        key = store_document(db.session, stream)
    except OSError as error:  # disk full, folder missing or not writable: say so, keep nothing
        current_app.logger.error("document store refused a file for case %s: %s", case.id, error.strerror or error)
        raise RecordError(STORE_DOWN, field="file", status=503) from None
    document = Document(case_id=case.id, storage_key=key, original_name=checked.name,
                        content_type=checked.file_type.mime, size=checked.size, sha256=checked.sha256,
                        uploaded_via=via, uploaded_by_id=getattr(actor, "id", None))
    try:
        with db.session.begin_nested():
            db.session.add(document)
            document.record_item = item
            db.session.flush()
    except IntegrityError:  # the same file arrived at the same moment through another door
        get_storage().delete(key)
        raise RecordError("This file is already attached to this case. Nothing was added.",
                          field="file", status=409) from None
    was = item.status
    item.status, item.received_at = RecordStatus.RECEIVED, utcnow()
    item.verified_by_id = item.verified_at = None
    item.source = source or VIA_SOURCES.get(via) or item.source
    audit.record(actor, "create", "document", document.id,
                 detail=f"record_item={item.id} type={checked.file_type.mime.split(';')[0]} via={via}")
    again = ", to be verified again" if was == RecordStatus.VERIFIED else ""
    workflow.note(actor, case, "records", f"{item.name}: {checked.file_type.label} received "
                                          f"({human_size(checked.size)}, {VIA_LABELS[via]}){again}.")
    settle(actor, case, f"A new document for {item.name} needs verifying.")
    db.session.flush()
    return document


def attach_from_patient(item: RecordItem | None, filename: str | None, stream: BinaryIO) -> Document:
    """The patient's own file (upload link or status page). Refusals speak to the patient and name
    nothing of the case."""
    if item is None:
        raise RecordError("Choose what the file is.", field="record")
    if not item.case.is_open:
        raise RecordError("Your case has ended, so files can no longer be sent. Please call us.", status=409)
    try:
        return attach_document(None, item, filename, stream, via="patient_link")
    except RejectedFileAgain:
        raise RecordError("We could not use this file before. Please send a new copy.", field="file") from None
    except RecordError as error:
        if error.status != 409:
            raise
        raise RecordError("You have already sent this file; there is no need to send it again.", field="file") from None


def open_document(actor, document_id: int) -> Document | None:
    """The document for download, with the download written to the audit log."""
    document = db.session.get(Document, document_id)
    if document is not None:
        audit.record(actor, "export", "document", document.id, detail="download")
    return document
