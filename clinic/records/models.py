"""RecordItem (one piece of the record a case needs), Document (a stored file), UploadLink."""
from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, backref, mapped_column, relationship

from clinic.database import enum_check, utcnow
from clinic.extensions import db
from clinic.records.vocabulary import (RECORD_KINDS, RECORD_SOURCES, RECORD_STATUSES, REJECTION_PROBLEMS,
                                       REQUEST_METHODS, REQUEST_TARGETS, UPLOAD_CHANNELS)


class RecordItem(db.Model):
    __tablename__ = "record_items"
    __table_args__ = (
        enum_check("kind", tuple(RECORD_KINDS)),
        enum_check("status", tuple(RECORD_STATUSES)),
        enum_check("source", tuple(RECORD_SOURCES)),
        enum_check("requested_from_kind", tuple(REQUEST_TARGETS)),
        enum_check("request_method", tuple(REQUEST_METHODS)),
        enum_check("rejection_problem", tuple(REJECTION_PROBLEMS)),
        # The records gate counts "not applicable" only with its reason; a rejection keeps its reason.
        sa.CheckConstraint("status <> 'not_applicable' OR not_applicable_reason IS NOT NULL",
                           name="not_applicable_has_reason"),
        sa.CheckConstraint("status <> 'rejected' OR rejection_reason IS NOT NULL", name="rejected_has_reason"),
        # The work queue's "records overdue" and "to verify" flags, asked of each open case.
        sa.Index("ix_record_items_overdue", "status", "due_on", "case_id"),
        sa.Index("ix_record_items_case_status", "case_id", "status", "due_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(sa.ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(sa.String(20))
    label: Mapped[str | None] = mapped_column(sa.String(120))  # a coordinator's own name for an added item
    required: Mapped[bool] = mapped_column(default=True)
    status: Mapped[str] = mapped_column(sa.String(20), default="missing")
    source: Mapped[str | None] = mapped_column(sa.String(20))
    requested_from_kind: Mapped[str | None] = mapped_column(sa.String(10))
    requested_from: Mapped[str | None] = mapped_column(sa.String(200))
    request_method: Mapped[str | None] = mapped_column(sa.String(20))
    requested_at: Mapped[datetime | None]
    due_on: Mapped[date | None]
    follow_ups: Mapped[int] = mapped_column(default=0)
    last_follow_up_at: Mapped[datetime | None]
    received_at: Mapped[datetime | None]
    verified_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    verified_at: Mapped[datetime | None]
    rejection_reason: Mapped[str | None] = mapped_column(sa.String(500))
    # What the patient is told of the rejection (a key of REJECTION_PROBLEMS), never the reason above.
    rejection_problem: Mapped[str | None] = mapped_column(sa.String(20))
    not_applicable_reason: Mapped[str | None] = mapped_column(sa.String(500))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    # selectin: the work queue and the gate read every case's checklist in one query per page.
    case = relationship("Case", backref=backref("record_items", lazy="selectin", order_by="RecordItem.id"))
    documents = relationship("Document", back_populates="record_item", order_by="Document.id")
    verified_by = relationship("User")

    @property
    def name(self) -> str:
        return self.label or RECORD_KINDS[self.kind]

    @property
    def live_documents(self) -> list[Document]:
        """The files not rejected: the only ones a verification can stand on."""
        return [document for document in self.documents if document.rejected_at is None]


class Document(db.Model):
    __tablename__ = "documents"
    __table_args__ = (
        enum_check("uploaded_via", UPLOAD_CHANNELS),
        # The same file twice on one case is refused (sha256 of the content).
        sa.UniqueConstraint("case_id", "sha256"),
        sa.CheckConstraint("size > 0", name="not_empty"),
        sa.CheckConstraint("rejected_at IS NULL OR rejection_reason IS NOT NULL", name="rejected_has_reason"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(sa.ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    record_item_id: Mapped[int] = mapped_column(sa.ForeignKey("record_items.id", ondelete="CASCADE"), index=True)
    storage_key: Mapped[str] = mapped_column(sa.String(64), unique=True)
    original_name: Mapped[str] = mapped_column(sa.String(200))  # display text only, never a path
    content_type: Mapped[str] = mapped_column(sa.String(60))
    size: Mapped[int]
    sha256: Mapped[str] = mapped_column(sa.String(64))
    uploaded_via: Mapped[str] = mapped_column(sa.String(20))
    uploaded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    uploaded_at: Mapped[datetime] = mapped_column(default=utcnow)
    # A rejected file stays stored and listed for staff (the audit needs it), but it is never a
    # part of a verified record: no specialist page, download or count includes it.
    rejected_at: Mapped[datetime | None]
    rejected_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    rejection_reason: Mapped[str | None] = mapped_column(sa.String(500))

    record_item = relationship("RecordItem", back_populates="documents")
    uploaded_by = relationship("User", foreign_keys=[uploaded_by_id])
    rejected_by = relationship("User", foreign_keys=[rejected_by_id])

    @property
    def is_rejected(self) -> bool:
        return self.rejected_at is not None


class UploadLink(db.Model):
    """A patient's private upload link for one case; only the token's hash is kept."""

    __tablename__ = "upload_links"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(sa.ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    last_used_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]  # replaced by a newer link for the case, or revoked by staff
    revoked_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))

    case = relationship("Case")
