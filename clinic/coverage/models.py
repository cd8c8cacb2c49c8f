"""CoverageCheck: one verification of the patient's insurance (the latest one counts)."""
from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, backref, mapped_column, relationship

from clinic.coverage.vocabulary import CHECK_METHODS, RESULTS
from clinic.database import enum_check, utcnow
from clinic.extensions import db


class CoverageCheck(db.Model):
    __tablename__ = "coverage_checks"
    __table_args__ = (enum_check("result", tuple(RESULTS)), enum_check("method", tuple(CHECK_METHODS)))

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(sa.ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    plan_id: Mapped[int | None] = mapped_column(sa.ForeignKey("plans.id"), index=True)
    payer: Mapped[str | None] = mapped_column(sa.String(120))
    plan_name: Mapped[str | None] = mapped_column(sa.String(120))
    member_id: Mapped[str | None] = mapped_column(sa.String(60))
    result: Mapped[str] = mapped_column(sa.String(30))
    prior_auth_required: Mapped[bool] = mapped_column(default=False)
    auth_number: Mapped[str | None] = mapped_column(sa.String(60))
    method: Mapped[str | None] = mapped_column(sa.String(20))
    notes: Mapped[str | None] = mapped_column(sa.String(1000))
    # Out of network goes ahead only with the patient's recorded agreement to the cost.
    patient_agreed_out_of_network: Mapped[bool] = mapped_column(default=False)
    checked_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    checked_at: Mapped[datetime] = mapped_column(default=utcnow)

    # selectin: the gate reads the latest check of every case on a queue page in one query.
    case = relationship("Case", backref=backref("coverage_checks", lazy="selectin", order_by="CoverageCheck.id"))
    plan = relationship("Plan")
    checked_by = relationship("User", lazy="joined")

    @property
    def plan_label(self) -> str:
        return " ".join(part for part in (self.payer, self.plan_name) if part)
