"""The record viewer: PDFs and images shown inside the page, other files offered as downloads.

The file is served by its own route (which re-checks the assignment) with headers that
let only our own pages frame it and let nothing in it run or load; the viewer page's CSP
in turn allows a frame or an image from that one URL and nothing else.
"""
from __future__ import annotations

import sqlalchemy as sa
from flask import Response, abort, current_app, send_file

from clinic.records.models import Document, RecordItem
from clinic.records.sniff import download_name
from clinic.records.storage import file_response, get_storage
from clinic.records.vocabulary import RecordStatus
from clinic.security import CSP

INLINE_TYPES = {"application/pdf": "frame", "image/png": "image", "image/jpeg": "image"}


def display(document: Document) -> str:
    """How the viewer shows the file: in a frame, as an image, or as a download only."""
    return INLINE_TYPES.get(document.content_type, "download")


def verified_documents(case_id: int) -> list[tuple[RecordItem, Document]]:
    """Every file of the case's verified records, in checklist order (one query); a rejected file is
    never part of a verified record, even when a replacement made the record verified again."""
    rows = sa.select(RecordItem, Document).join(Document, Document.record_item_id == RecordItem.id) \
        .where(RecordItem.case_id == case_id, RecordItem.status == RecordStatus.VERIFIED, Document.rejected_at.is_(None)) \
        .order_by(RecordItem.id, Document.id)
    from clinic.extensions import db

    return [(item, document) for item, document in db.session.execute(rows)]


def viewer_policy(inline_url: str) -> str:
    """The page's CSP: the usual one, with frames and images allowed from the file's URL alone."""
    base = CSP.replace("img-src 'self' data:", f"img-src {inline_url}")
    return f"{base}; frame-src {inline_url}; child-src {inline_url}"


def serve_inline(document: Document) -> Response:
    if display(document) == "download":
        abort(404)
    try:
        stream = get_storage().open(document.storage_key)
    except FileNotFoundError:
        current_app.logger.error("document %s: stored file is missing", document.id)
        abort(404)
    response = file_response(send_file(stream, mimetype=document.content_type, as_attachment=False,
                                       download_name=download_name(document.original_name), conditional=False,
                                       etag=False, max_age=0), document)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["X-Frame-Options"] = "SAMEORIGIN"
    # Nothing inside the file may run script, load anything, or be framed by another site. No `sandbox`:
    # Chromium refuses to show a PDF in a sandboxed frame (its viewer is a plugin, which sandboxing
    # disables), and it needs object-src for the same reason. Images go in an <img>, which runs nothing.
    response.headers["Content-Security-Policy"] = "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; " \
                                                  "object-src 'self'; frame-ancestors 'self'"
    response.headers["Cache-Control"] = "no-store"
    return response
