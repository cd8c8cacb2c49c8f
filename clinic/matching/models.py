"""Assignment: a specialist proposed for a case, and their answer."""
from __future__ import annotations

from datetime import datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, backref, mapped_column, relationship

from clinic.database import enum_check, utcnow
from clinic.extensions import db

class AssignmentStatus(StrEnum):
    PROPOSED = "proposed"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    WITHDRAWN = "withdrawn"  # by the coordinator, or by the specialist after accepting


ASSIGNMENT_STATUSES = tuple(str(status) for status in AssignmentStatus)
LIVE_STATUSES = (AssignmentStatus.PROPOSED, AssignmentStatus.ACCEPTED)  # at most one per case
LIVE_WHERE = sa.text("status IN ({})".format(", ".join(f"'{s}'" for s in LIVE_STATUSES)))


class Assignment(db.Model):
    __tablename__ = "assignments"
    __table_args__ = (
        enum_check("status", ASSIGNMENT_STATUSES),
        # At most one live (proposed or accepted) assignment per case.
        sa.Index("uq_assignments_live_case", "case_id", unique=True,
                 sqlite_where=LIVE_WHERE, postgresql_where=LIVE_WHERE),
        sa.Index("ix_assignments_specialist", "specialist_id", "status"),
        # Matching's caseload count reads the live assignments of open cases from this index alone.
        sa.Index("ix_assignments_case_status", "case_id", "status", "specialist_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(sa.ForeignKey("cases.id"), index=True)
    specialist_id: Mapped[int] = mapped_column(sa.ForeignKey("clinicians.id"))
    # The subspecialty the case was matched on (what the specialist is asked to judge).
    subspecialty_id: Mapped[int | None] = mapped_column(sa.ForeignKey("subspecialties.id"))
    status: Mapped[str] = mapped_column(sa.String(10), default=str(AssignmentStatus.PROPOSED))
    decline_reason: Mapped[str | None] = mapped_column(sa.String(500))
    conflict_declared: Mapped[bool] = mapped_column(default=False)
    proposed_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    proposed_at: Mapped[datetime] = mapped_column(default=utcnow)
    responded_at: Mapped[datetime | None]
    # Proposed before the first doctor was confirmed in the directory: the coordinator's stated reason.
    independence_override: Mapped[str | None] = mapped_column(sa.String(500))

    # Case.assignments: eager-loaded by the work queue and the case page (their guards read it).
    case = relationship("Case", backref=backref("assignments", order_by="Assignment.id"))
    specialist = relationship("Clinician", lazy="joined")
    subspecialty = relationship("Subspecialty", lazy="joined")

    @property
    def is_live(self) -> bool:
        return self.status in LIVE_STATUSES
