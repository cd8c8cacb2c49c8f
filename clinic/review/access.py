"""Object-level access for the specialist's pages: only cases they accepted exist for them."""
from __future__ import annotations

from flask_login import current_user

from clinic.auth.access import deny
from clinic.extensions import db
from clinic.matching.models import Assignment
from clinic.records.models import Document
from clinic.records.vocabulary import RecordStatus
from clinic.review.services import assignment_of


def assigned(case_id: int) -> Assignment:
    """The signed-in specialist's accepted assignment on the case; otherwise 404, audited."""
    assignment = assignment_of(current_user.clinician_id, case_id)
    if assignment is None:
        deny("case", case_id)
    return assignment


def reviewable_document(document_id: int) -> Document:
    """A verified record's file, not rejected, on one of the specialist's cases; anything else is 404, audited."""
    document = db.session.get(Document, document_id)
    if document is None or document.is_rejected or document.record_item.status != RecordStatus.VERIFIED \
            or assignment_of(current_user.clinician_id, document.case_id) is None:
        deny("document", document_id)
    return document
