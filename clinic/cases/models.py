"""Patient, Case (the request), its reasons, questions, named clinicians and timeline."""
from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from clinic.cases.vocabulary import CHANNELS, QUESTION_CATEGORIES, REASONS, URGENCIES
from clinic.cases.workflow import ENDED_STATUSES, FORWARD_PATH, OPEN_STATUSES, CaseStatus
from clinic.database import enum_check, utcnow
from clinic.extensions import db

STATUSES = tuple(str(status) for status in CaseStatus)
CLINICIAN_ROLES = ("referring", "first_opinion")
# Who a named clinician is in the directory: known from the NPI given (listed or not: the directory
# is keyed by NPI); unresolved (named without one); confirmed by a coordinator as a directory
# clinician; or stated by a coordinator not to be in the directory.
RESOLUTIONS = ("by_npi", "unresolved", "confirmed", "not_in_directory")


class Patient(db.Model):
    __tablename__ = "patients"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    birth_date: Mapped[date]
    email: Mapped[str] = mapped_column(sa.String(254))
    phone: Mapped[str | None] = mapped_column(sa.String(40))
    timezone: Mapped[str] = mapped_column(sa.String(64))
    language: Mapped[str] = mapped_column(sa.String(8), default="en")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Case(db.Model):
    __tablename__ = "cases"
    __table_args__ = (
        enum_check("status", STATUSES),
        enum_check("urgency", tuple(URGENCIES)),
        enum_check("channel", tuple(CHANNELS)),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str] = mapped_column(sa.String(16), unique=True)
    patient_id: Mapped[int] = mapped_column(sa.ForeignKey("patients.id"), index=True)
    channel: Mapped[str] = mapped_column(sa.String(20))
    diagnosis_text: Mapped[str] = mapped_column(sa.Text)
    icd10_code: Mapped[str | None] = mapped_column(sa.String(10))
    treatment_text: Mapped[str] = mapped_column(sa.Text, default="")
    treatment_invasive: Mapped[bool] = mapped_column(default=False)
    urgency: Mapped[str] = mapped_column(sa.String(10))
    consent_to_contact_first_doctor: Mapped[bool] = mapped_column(default=False)
    # Coverage as the request states it; verification is a later stage's record.
    self_pay: Mapped[bool] = mapped_column(default=False)
    payer: Mapped[str | None] = mapped_column(sa.String(120))
    plan_name: Mapped[str | None] = mapped_column(sa.String(120))
    member_id: Mapped[str | None] = mapped_column(sa.String(60))
    status: Mapped[str] = mapped_column(sa.String(20), default=str(CaseStatus.RECORDS_PENDING))
    status_changed_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    # Optimistic locking: two coordinators saving the same case cannot both win.
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}

    patient = relationship("Patient", lazy="joined")
    reasons = relationship("CaseReason", cascade="all, delete-orphan", order_by="CaseReason.reason")
    questions = relationship("CaseQuestion", cascade="all, delete-orphan", order_by="CaseQuestion.position")
    clinicians = relationship("CaseClinician", cascade="all, delete-orphan")
    timeline = relationship("TimelineEntry", cascade="all, delete-orphan",
                            order_by="TimelineEntry.id", back_populates="case")

    @property
    def reason_codes(self) -> list[str]:
        return [r.reason for r in self.reasons]

    def named(self, role: str) -> "CaseClinician | None":
        return next((c for c in self.clinicians if c.role == role), None)

    @property
    def first_doctor(self) -> "CaseClinician | None":
        """The doctor of the first opinion: the first-opinion clinician when named, else the referring one."""
        return self.named("first_opinion") or self.named("referring")

    @property
    def is_open(self) -> bool:
        return self.status not in ENDED_STATUSES

    @property
    def days_in_stage(self) -> int:
        return (utcnow() - self.status_changed_at).days


# The work queue's two orders, most urgent first and then newest (a backward scan of the
# ascending indexes) or longest waiting (the DESC ones), each walked straight from an index
# so a page costs the same at 100 or 100,000 cases: within a stage and across stages.
sa.Index("ix_cases_stage_newest", Case.status, Case.urgency, Case.created_at, Case.id)
sa.Index("ix_cases_newest", Case.urgency, Case.created_at, Case.id)
sa.Index("ix_cases_stage_oldest", Case.status, Case.urgency.desc(), Case.created_at, Case.id)
sa.Index("ix_cases_oldest", Case.urgency.desc(), Case.created_at, Case.id)
# The open cases alone (a few percent of a clinic with years of history): the default queue, its
# deep pages, its stage counts and flags walk these and never the archive. Queries must write the
# statuses as literals (workflow.open_condition) for SQLite to see that the index applies.
OPEN_WHERE = sa.text("status IN ({})".format(", ".join(f"'{s}'" for s in OPEN_STATUSES)))
sa.Index("ix_cases_open_newest", Case.urgency, Case.created_at, Case.id, Case.status,
         sqlite_where=OPEN_WHERE, postgresql_where=OPEN_WHERE)
sa.Index("ix_cases_open_oldest", Case.urgency.desc(), Case.created_at, Case.id, Case.status,
         sqlite_where=OPEN_WHERE, postgresql_where=OPEN_WHERE)


class CaseReason(db.Model):
    __tablename__ = "case_reasons"
    __table_args__ = (enum_check("reason", tuple(REASONS)), sa.Index("ix_case_reasons_reason", "reason", "case_id"))

    case_id: Mapped[int] = mapped_column(sa.ForeignKey("cases.id", ondelete="CASCADE"), primary_key=True)
    reason: Mapped[str] = mapped_column(sa.String(40), primary_key=True)


class CaseQuestion(db.Model):
    __tablename__ = "case_questions"
    __table_args__ = (enum_check("category", tuple(QUESTION_CATEGORIES)),
                      sa.UniqueConstraint("case_id", "position"))

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(sa.ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    position: Mapped[int]
    category: Mapped[str] = mapped_column(sa.String(20))
    text: Mapped[str] = mapped_column(sa.String(500))
    answer: Mapped[str | None] = mapped_column(sa.Text)


class CaseClinician(db.Model):
    """A clinician named on the request, as stated; linked to the directory when the NPI is known
    or a coordinator confirmed who they are (the independence rule needs their ties)."""

    __tablename__ = "case_clinicians"
    __table_args__ = (enum_check("role", CLINICIAN_ROLES), enum_check("resolution", RESOLUTIONS),
                      sa.UniqueConstraint("case_id", "role"))

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(sa.ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(sa.String(20))
    name: Mapped[str] = mapped_column(sa.String(200))
    npi: Mapped[str | None] = mapped_column(sa.String(10))
    organization: Mapped[str | None] = mapped_column(sa.String(200))
    clinician_id: Mapped[int | None] = mapped_column(sa.ForeignKey("clinicians.id"), index=True)
    resolution: Mapped[str] = mapped_column(sa.String(20), default="unresolved")
    resolved_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    resolved_at: Mapped[datetime | None]
    resolution_note: Mapped[str | None] = mapped_column(sa.String(500))  # why "not in the directory"

    clinician = relationship("Clinician")
    resolved_by = relationship("User", lazy="joined")

    @property
    def is_resolved(self) -> bool:
        return self.resolution != "unresolved"


class TimelineEntry(db.Model):
    __tablename__ = "timeline_entries"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(sa.ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    at: Mapped[datetime] = mapped_column(default=utcnow)
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    kind: Mapped[str] = mapped_column(sa.String(20))  # status, note, or the stage that wrote it
    from_status: Mapped[str | None] = mapped_column(sa.String(20))
    to_status: Mapped[str | None] = mapped_column(sa.String(20))
    note: Mapped[str | None] = mapped_column(sa.String(1000))

    case = relationship("Case", back_populates="timeline")
    actor = relationship("User", lazy="joined")


# The statuses of the forward path whose first reaching is kept per case (the outcomes dashboard's stage times).
MILESTONE_STATUSES = tuple(str(status) for status in FORWARD_PATH)


class CaseMilestones(db.Model):
    """When the case first reached each status of the forward path, in day numbers
    (clinic.database.day_number: fractional days since 1970-01-01 UTC).

    A fact kept from the timeline by the workflow, so the outcomes dashboard reads one narrow
    row per case instead of scanning every timeline line (clinic.cases.milestones)."""

    __tablename__ = "case_milestones"

    case_id: Mapped[int] = mapped_column(sa.ForeignKey("cases.id", ondelete="CASCADE"), primary_key=True,
                                         autoincrement=False)
    reached_records_pending: Mapped[float | None]
    reached_ready_to_match: Mapped[float | None]
    reached_matched: Mapped[float | None]
    reached_scheduled: Mapped[float | None]
    reached_consulted: Mapped[float | None]
    reached_opinion_recorded: Mapped[float | None]
    reached_closed: Mapped[float | None]
