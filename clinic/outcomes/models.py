"""Decision (the patient's choice, recorded by the coordinator) and ReportLink (the first doctor's
private, expiring link to the report; only the token's hash is kept)."""
from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, backref, mapped_column, relationship

from clinic.database import enum_check, utcnow
from clinic.extensions import db
from clinic.outcomes.vocabulary import CHOICES

DECISION_CHANNELS = ("staff", "status_page", "api")


class Decision(db.Model):
    __tablename__ = "decisions"
    __table_args__ = (
        enum_check("choice", tuple(CHOICES)),
        enum_check("recorded_via", DECISION_CHANNELS),
        # "Undecided" keeps the case open: it says when to ask the patient again.
        sa.CheckConstraint("choice <> 'undecided' OR follow_up_on IS NOT NULL", name="undecided_has_follow_up"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(sa.ForeignKey("cases.id"), unique=True)
    choice: Mapped[str] = mapped_column(sa.String(20))
    note: Mapped[str | None] = mapped_column(sa.String(1000))
    recorded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)
    follow_up_on: Mapped[date | None]
    recorded_via: Mapped[str] = mapped_column(sa.String(20), default="staff")  # staff | status_page | api

    recorded_by = relationship("User", lazy="joined")
    case = relationship("Case", backref=backref("decision", uselist=False))

    @property
    def label(self) -> str:
        return CHOICES[self.choice]


class ReportLink(db.Model):
    __tablename__ = "report_links"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(sa.ForeignKey("cases.id"), index=True)
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    recipient: Mapped[str] = mapped_column(sa.String(254))
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    last_opened_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]  # replaced by a newer link for the case, or revoked by staff
    revoked_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))

    case = relationship("Case")
    revoked_by = relationship("User", foreign_keys=[revoked_by_id])

    @property
    def state(self) -> str:
        """"revoked", "expired" or "active", as the case page shows it."""
        if self.revoked_at is not None:
            return "revoked"
        return "expired" if self.expires_at <= utcnow() else "active"
