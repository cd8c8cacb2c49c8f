"""InboundMessage (every message the clinic's mailbox received), AttendeeResponse (an answer to an
invite, applied) and CounterProposal (a new time an attendee proposed)."""
from __future__ import annotations

from datetime import datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from clinic.database import enum_check, utcnow
from clinic.extensions import db


class Outcome(StrEnum):
    """What became of a message: acted on, an answer to an older version of the invite, kept aside
    for an admin (never acted on), or ordinary mail without a calendar."""

    APPLIED = "applied"
    STALE = "stale"
    KEPT_ASIDE = "kept_aside"
    NOT_CALENDAR = "not_calendar"


class AttendeeRole(StrEnum):
    PATIENT = "patient"
    SPECIALIST = "specialist"


class Answer(StrEnum):
    """The PARTSTAT values a reply may carry (RFC 5545 3.2.12, those meaning an answer)."""

    ACCEPTED = "ACCEPTED"
    TENTATIVE = "TENTATIVE"
    DECLINED = "DECLINED"


class CounterStatus(StrEnum):
    PENDING = "pending"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    SUPERSEDED = "superseded"  # a newer proposal of the same appointment came in


OUTCOME_LABELS = {Outcome.APPLIED: "Applied", Outcome.STALE: "Older version", Outcome.KEPT_ASIDE: "Kept aside",
                  Outcome.NOT_CALENDAR: "Not a calendar reply"}
ANSWER_LABELS = {Answer.ACCEPTED: "Accepted", Answer.TENTATIVE: "Tentative", Answer.DECLINED: "Declined"}
ROLE_LABELS = {AttendeeRole.PATIENT: "Patient", AttendeeRole.SPECIALIST: "Specialist"}
MAX_RAW = 2 * 1024 * 1024
CURRENT_ONLY = sa.text("is_current")


class InboundMessage(db.Model):
    """One message as received, once: a message fetched or piped twice has the same sha256 of its
    bytes and is found here instead of being processed again."""

    __tablename__ = "inbound_messages"
    __table_args__ = (
        enum_check("outcome", tuple(str(o) for o in Outcome)),
        sa.CheckConstraint("size >= 0", name="size_positive"),
        sa.Index("ix_inbound_messages_outcome", "outcome", "received_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    sha256: Mapped[str] = mapped_column(sa.String(64), unique=True)
    message_id: Mapped[str] = mapped_column(sa.String(300), default="")
    sender: Mapped[str] = mapped_column(sa.String(254), default="")
    subject: Mapped[str] = mapped_column(sa.String(300), default="")
    method: Mapped[str] = mapped_column(sa.String(40), default="")
    received_at: Mapped[datetime] = mapped_column(default=utcnow)
    size: Mapped[int]
    raw: Mapped[bytes | None] = mapped_column(sa.LargeBinary)  # None when over MAX_RAW
    outcome: Mapped[str] = mapped_column(sa.String(12))
    reason: Mapped[str] = mapped_column(sa.String(500), default="")
    appointment_id: Mapped[int | None] = mapped_column(sa.ForeignKey("appointments.id", ondelete="SET NULL"),
                                                       index=True)

    appointment = relationship("Appointment")

    @property
    def raw_text(self) -> str:
        return (self.raw or b"").decode("utf-8", "replace")


class AttendeeResponse(db.Model):
    """An attendee's applied answer. The latest of each attendee of an appointment is_current (the
    database keeps one at most); its `sequence` says which version of the invite it answered."""

    __tablename__ = "attendee_responses"
    __table_args__ = (
        enum_check("role", tuple(str(r) for r in AttendeeRole)),
        enum_check("partstat", tuple(str(a) for a in Answer)),
        sa.CheckConstraint("sequence >= 0", name="sequence_positive"),
        sa.Index("uq_attendee_responses_current", "appointment_id", "role", unique=True,
                 sqlite_where=CURRENT_ONLY, postgresql_where=CURRENT_ONLY),
        # The work queue's "Invite declined" flag: the current declines, a handful at any time.
        sa.Index("ix_attendee_responses_declined", "partstat", "is_current", "appointment_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    appointment_id: Mapped[int] = mapped_column(sa.ForeignKey("appointments.id", ondelete="CASCADE"))
    role: Mapped[str] = mapped_column(sa.String(12))
    address: Mapped[str] = mapped_column(sa.String(254))
    partstat: Mapped[str] = mapped_column(sa.String(12))
    sequence: Mapped[int]
    stamp: Mapped[datetime | None]  # the reply's DTSTAMP: orders two answers to one version
    received_at: Mapped[datetime] = mapped_column(default=utcnow)
    is_current: Mapped[bool] = mapped_column(default=True)
    inbound_message_id: Mapped[int] = mapped_column(sa.ForeignKey("inbound_messages.id"), unique=True)

    appointment = relationship("Appointment")


class CounterProposal(db.Model):
    """A new time an attendee proposed (iTIP COUNTER), waiting for the coordinator's decision."""

    __tablename__ = "counter_proposals"
    __table_args__ = (
        enum_check("status", tuple(str(s) for s in CounterStatus)),
        enum_check("role", tuple(str(r) for r in AttendeeRole)),
        sa.CheckConstraint('"end" > start', name="times_ordered"),
        sa.CheckConstraint("sequence >= 0", name="sequence_positive"),
        # The work queue's "New time proposed" flag and the case page: pending proposals.
        sa.Index("ix_counter_proposals_status", "status", "appointment_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    appointment_id: Mapped[int] = mapped_column(sa.ForeignKey("appointments.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(sa.String(12))
    proposer: Mapped[str] = mapped_column(sa.String(254))
    proposer_name: Mapped[str] = mapped_column(sa.String(200), default="")
    start: Mapped[datetime]
    end: Mapped[datetime]
    sequence: Mapped[int]
    comment: Mapped[str] = mapped_column(sa.String(1000), default="")
    status: Mapped[str] = mapped_column(sa.String(12), default=CounterStatus.PENDING)
    received_at: Mapped[datetime] = mapped_column(default=utcnow)
    inbound_message_id: Mapped[int] = mapped_column(sa.ForeignKey("inbound_messages.id"), unique=True)
    decided_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    decided_at: Mapped[datetime | None]

    appointment = relationship("Appointment")
    decided_by = relationship("User")
