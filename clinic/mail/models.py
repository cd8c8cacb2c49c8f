"""OutboxMessage: one email waiting for delivery, with its attempts."""
from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from clinic.database import enum_check, utcnow
from clinic.extensions import db

MAIL_STATUSES = ("pending", "sent", "failed")


class OutboxMessage(db.Model):
    __tablename__ = "outbox_messages"
    __table_args__ = (
        enum_check("status", MAIL_STATUSES),
        sa.Index("ix_outbox_due", "status", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    recipient: Mapped[str] = mapped_column(sa.String(254))
    subject: Mapped[str] = mapped_column(sa.String(200))  # never a diagnosis: subjects leave the clinic
    text_body: Mapped[str] = mapped_column(sa.Text)
    html_body: Mapped[str | None] = mapped_column(sa.Text)
    ics: Mapped[str | None] = mapped_column(sa.Text)
    ics_method: Mapped[str | None] = mapped_column(sa.String(20))
    case_id: Mapped[int | None] = mapped_column(sa.ForeignKey("cases.id"), index=True)
    status: Mapped[str] = mapped_column(sa.String(10), default="pending")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    claimed_until: Mapped[datetime | None]
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(sa.String(500))
    sent_at: Mapped[datetime | None]
    message_id: Mapped[str] = mapped_column(sa.String(200), unique=True)


class MailAttempt(db.Model):
    """One delivery attempt of a message, kept so an admin can see what happened and when."""

    __tablename__ = "mail_attempts"

    id: Mapped[int] = mapped_column(primary_key=True)
    message_id: Mapped[int] = mapped_column(sa.ForeignKey("outbox_messages.id", ondelete="CASCADE"), index=True)
    at: Mapped[datetime] = mapped_column(default=utcnow)
    delivered: Mapped[bool] = mapped_column(default=False)
    error: Mapped[str | None] = mapped_column(sa.String(500))
