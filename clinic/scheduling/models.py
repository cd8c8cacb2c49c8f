"""AvailabilityRule, DayOff, Appointment and CalendarFeed."""
from __future__ import annotations

from datetime import date, datetime, time
from enum import StrEnum

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql
from sqlalchemy.orm import Mapped, backref, mapped_column, relationship

from clinic.database import enum_check, utcnow
from clinic.extensions import db
from clinic.i18n import N_

class AppointmentStatus(StrEnum):
    BOOKED = "booked"
    CANCELLED = "cancelled"
    COMPLETED = "completed"  # held
    NO_SHOW = "no_show"


MODALITIES = {"in_person": N_("In person"), "video": N_("Video")}
APPOINTMENT_STATUSES = tuple(str(status) for status in AppointmentStatus)
APPOINTMENT_LABELS = {AppointmentStatus.BOOKED: "Booked", AppointmentStatus.CANCELLED: "Cancelled",
                      AppointmentStatus.COMPLETED: "Held", AppointmentStatus.NO_SHOW: "No-show"}
ACTIVE = AppointmentStatus.BOOKED
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
ACTIVE_ONLY = sa.text(f"status = '{ACTIVE}'")


class AvailabilityRule(db.Model):
    """A weekly opening in the specialist's own time zone: every <weekday>, start to end, cut in slots."""

    __tablename__ = "availability_rules"
    __table_args__ = (
        enum_check("modality", tuple(MODALITIES)),
        sa.CheckConstraint("weekday BETWEEN 0 AND 6", name="weekday_range"),
        sa.CheckConstraint("slot_minutes BETWEEN 10 AND 480", name="slot_minutes_range"),
        sa.CheckConstraint("end_time > start_time", name="times_ordered"),
        sa.UniqueConstraint("specialist_id", "weekday", "start_time"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    specialist_id: Mapped[int] = mapped_column(sa.ForeignKey("clinicians.id"), index=True)
    weekday: Mapped[int]  # Monday = 0, as Python's date.weekday()
    start_time: Mapped[time]
    end_time: Mapped[time]
    slot_minutes: Mapped[int]
    timezone: Mapped[str] = mapped_column(sa.String(64))
    modality: Mapped[str] = mapped_column(sa.String(10))
    location: Mapped[str] = mapped_column(sa.String(300), default="")  # an address, or the video link
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    specialist = relationship("Clinician")

    @property
    def weekday_name(self) -> str:
        return WEEKDAYS[self.weekday]


class DayOff(db.Model):
    """A local date on which the specialist takes no consultations (holiday, congress)."""

    __tablename__ = "days_off"
    __table_args__ = (sa.UniqueConstraint("specialist_id", "day"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    specialist_id: Mapped[int] = mapped_column(sa.ForeignKey("clinicians.id"))
    day: Mapped[date]
    reason: Mapped[str] = mapped_column(sa.String(200), default="")


class Appointment(db.Model):
    """A booked consultation. The database refuses a second active booking of the same
    specialist at the same start (both backends) or overlapping in any way (PostgreSQL)."""

    __tablename__ = "appointments"
    __table_args__ = (
        enum_check("status", APPOINTMENT_STATUSES),
        enum_check("modality", tuple(MODALITIES)),
        sa.CheckConstraint('"end" > start', name="times_ordered"),
        sa.Index("uq_appointments_active_slot", "specialist_id", "start", unique=True,
                 sqlite_where=ACTIVE_ONLY, postgresql_where=ACTIVE_ONLY),
        sa.Index("uq_appointments_active_case", "case_id", unique=True,
                 sqlite_where=ACTIVE_ONLY, postgresql_where=ACTIVE_ONLY),
        sa.Index("ix_appointments_specialist_start", "specialist_id", "status", "start"),
        # Overlaps of any length: created by the migration on PostgreSQL only (btree_gist).
        postgresql.ExcludeConstraint(
            ("specialist_id", "="), (sa.text('tstzrange(start, "end")'), "&&"),
            name="ex_appointments_no_overlap", using="gist", where=ACTIVE_ONLY,
        ).ddl_if(dialect="postgresql"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(sa.ForeignKey("cases.id"), index=True)
    specialist_id: Mapped[int] = mapped_column(sa.ForeignKey("clinicians.id"))
    start: Mapped[datetime]
    end: Mapped[datetime]
    timezone: Mapped[str] = mapped_column(sa.String(64))  # the specialist's zone, for invites
    modality: Mapped[str] = mapped_column(sa.String(10))
    location: Mapped[str] = mapped_column(sa.String(300), default="")
    status: Mapped[str] = mapped_column(sa.String(10), default=ACTIVE)
    ical_uid: Mapped[str] = mapped_column(sa.String(120), unique=True)
    ical_sequence: Mapped[int] = mapped_column(default=0)
    status_reason: Mapped[str | None] = mapped_column(sa.String(500))
    booked_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    # When the invites of the current version (this SEQUENCE) were sent: a reminder due before it is not sent.
    invited_at: Mapped[datetime | None]
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}

    # Case.appointments: eager-loaded by the work queue and the case page (their guards read it).
    case = relationship("Case", backref=backref("appointments", order_by="Appointment.id"))
    specialist = relationship("Clinician", lazy="joined")

    @property
    def is_active(self) -> bool:
        return self.status == ACTIVE


class CalendarFeed(db.Model):
    """A specialist's private subscription URL; only the hash of its token is kept."""

    __tablename__ = "calendar_feeds"

    id: Mapped[int] = mapped_column(primary_key=True)
    specialist_id: Mapped[int] = mapped_column(sa.ForeignKey("clinicians.id"), index=True)
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_used_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]
