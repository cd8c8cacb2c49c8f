"""The patient's side: the status link, the report released to the patient, messages from the
patient, and the reminders sent before a consultation."""
from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from clinic.database import utcnow
from clinic.extensions import db


class StatusLink(db.Model):
    """The patient's private status page for one case; only the token's hash is kept."""

    __tablename__ = "status_links"

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

    @property
    def state(self) -> str:
        if self.revoked_at is not None:
            return "revoked"
        return "expired" if self.expires_at <= utcnow() else "active"


class ReportRelease(db.Model):
    """The coordinator gave the patient their report (the patient's own record: no consent needed)."""

    __tablename__ = "report_releases"

    case_id: Mapped[int] = mapped_column(sa.ForeignKey("cases.id", ondelete="CASCADE"), primary_key=True,
                                         autoincrement=False)
    released_at: Mapped[datetime] = mapped_column(default=utcnow)
    released_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    first_read_at: Mapped[datetime | None]

    released_by = relationship("User", lazy="joined")


class PatientMessage(db.Model):
    """A message the patient wrote to the coordinator on the status page; open until staff mark it handled."""

    __tablename__ = "patient_messages"
    __table_args__ = (
        sa.CheckConstraint("length(body) > 0", name="not_empty"),
        sa.Index("ix_patient_messages_open", "handled_at", "case_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(sa.ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    body: Mapped[str] = mapped_column(sa.String(2000))
    received_at: Mapped[datetime] = mapped_column(default=utcnow)
    handled_at: Mapped[datetime | None]
    handled_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))

    handled_by = relationship("User", lazy="joined")


class Reminder(db.Model):
    """One reminder sent for one version (SEQUENCE) of an appointment at one lead time. The unique
    key is what stops two workers from sending the same reminder: the second insert fails."""

    __tablename__ = "reminders"
    __table_args__ = (sa.UniqueConstraint("appointment_id", "sequence", "lead_minutes"),
                      sa.CheckConstraint("lead_minutes > 0", name="lead_positive"))

    id: Mapped[int] = mapped_column(primary_key=True)
    appointment_id: Mapped[int] = mapped_column(sa.ForeignKey("appointments.id", ondelete="CASCADE"))
    sequence: Mapped[int]
    lead_minutes: Mapped[int]
    sent_at: Mapped[datetime] = mapped_column(default=utcnow)
    outbox_message_id: Mapped[int | None] = mapped_column(sa.ForeignKey("outbox_messages.id"))
