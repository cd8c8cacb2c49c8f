"""Directory models: Clinician, Organization, Affiliation, Relationship, Subspecialty, Plan, networks."""
from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from clinic.database import enum_check, utcnow
from clinic.extensions import db

CLINICIAN_KINDS = ("specialist", "external")
ORGANIZATION_KINDS = ("hospital", "practice", "academic_center", "group")
RELATIONSHIP_KINDS = ("co_practice", "training", "family", "financial", "co_author", "other")


def normalize_name(name: str) -> str:
    """The matching key of an organization name: case, spacing and punctuation folded."""
    kept = "".join(ch if ch.isalnum() else " " for ch in name.casefold())
    return " ".join(kept.split())


class Clinician(db.Model):
    __tablename__ = "clinicians"
    __table_args__ = (enum_check("kind", CLINICIAN_KINDS),)

    id: Mapped[int] = mapped_column(primary_key=True)
    npi: Mapped[str] = mapped_column(sa.String(10), unique=True)
    name: Mapped[str] = mapped_column(sa.String(200), index=True)
    kind: Mapped[str] = mapped_column(sa.String(20), index=True)
    specialty: Mapped[str | None] = mapped_column(sa.String(120))
    languages: Mapped[str] = mapped_column(sa.String(100), default="en")  # ISO 639-1 codes, ';'-separated
    academic: Mapped[bool] = mapped_column(default=False)
    email: Mapped[str | None] = mapped_column(sa.String(254))
    timezone: Mapped[str] = mapped_column(sa.String(64), default="America/New_York")
    active: Mapped[bool] = mapped_column(default=True, index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    affiliations = relationship("Affiliation", back_populates="clinician")

    @property
    def language_codes(self) -> list[str]:
        return [code for code in self.languages.split(";") if code]


class Organization(db.Model):
    __tablename__ = "organizations"
    __table_args__ = (enum_check("kind", ORGANIZATION_KINDS),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    normalized_name: Mapped[str] = mapped_column(sa.String(200), unique=True)
    kind: Mapped[str] = mapped_column(sa.String(20))
    active: Mapped[bool] = mapped_column(default=True, server_default=sa.true())


class Affiliation(db.Model):
    __tablename__ = "affiliations"
    __table_args__ = (
        sa.UniqueConstraint("clinician_id", "organization_id", "start"),
        sa.CheckConstraint('"end" IS NULL OR "end" >= start', name="dates_ordered"),
        sa.Index("ix_affiliations_organization", "organization_id", "clinician_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    clinician_id: Mapped[int] = mapped_column(sa.ForeignKey("clinicians.id"), index=True)
    organization_id: Mapped[int] = mapped_column(sa.ForeignKey("organizations.id"))
    start: Mapped[date]
    end: Mapped[date | None]

    clinician = relationship("Clinician", back_populates="affiliations")
    organization = relationship("Organization", lazy="joined")


class Relationship(db.Model):
    """A declared tie between two clinicians; symmetric (stored once, read both ways)."""

    __tablename__ = "relationships"
    __table_args__ = (
        enum_check("kind", RELATIONSHIP_KINDS),
        sa.UniqueConstraint("clinician_a_id", "clinician_b_id", "kind", "start"),
        sa.CheckConstraint("clinician_a_id <> clinician_b_id", name="distinct_clinicians"),
        sa.CheckConstraint('"end" IS NULL OR "end" >= start', name="dates_ordered"),
        sa.Index("ix_relationships_b", "clinician_b_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    clinician_a_id: Mapped[int] = mapped_column(sa.ForeignKey("clinicians.id"), index=True)
    clinician_b_id: Mapped[int] = mapped_column(sa.ForeignKey("clinicians.id"))
    kind: Mapped[str] = mapped_column(sa.String(20))
    start: Mapped[date | None]
    end: Mapped[date | None]

    clinician_a = relationship("Clinician", foreign_keys=[clinician_a_id])
    clinician_b = relationship("Clinician", foreign_keys=[clinician_b_id])


class Subspecialty(db.Model):
    __tablename__ = "subspecialties"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(40), unique=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    icd10_prefixes: Mapped[str] = mapped_column(sa.String(500))  # ';'-separated, dotless upper case
    active: Mapped[bool] = mapped_column(default=True, server_default=sa.true())

    @property
    def prefixes(self) -> list[str]:
        return [p for p in self.icd10_prefixes.split(";") if p]


class SpecialistSubspecialty(db.Model):
    __tablename__ = "specialist_subspecialties"
    __table_args__ = (sa.CheckConstraint("annual_volume >= 0", name="volume_positive"),)

    specialist_id: Mapped[int] = mapped_column(sa.ForeignKey("clinicians.id"), primary_key=True)
    subspecialty_id: Mapped[int] = mapped_column(sa.ForeignKey("subspecialties.id"), primary_key=True, index=True)
    annual_volume: Mapped[int] = mapped_column(default=0)

    specialist = relationship("Clinician")
    subspecialty = relationship("Subspecialty", lazy="joined")


class Plan(db.Model):
    __tablename__ = "plans"
    __table_args__ = (sa.UniqueConstraint("payer", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    payer: Mapped[str] = mapped_column(sa.String(120))
    name: Mapped[str] = mapped_column(sa.String(120))
    active: Mapped[bool] = mapped_column(default=True, server_default=sa.true())

    @property
    def label(self) -> str:
        return f"{self.payer} {self.name}"


class NetworkMembership(db.Model):
    __tablename__ = "network_memberships"
    __table_args__ = (
        sa.UniqueConstraint("specialist_id", "plan_id", "start"),
        sa.CheckConstraint('"end" IS NULL OR "end" >= start', name="dates_ordered"),
        sa.Index("ix_network_memberships_plan", "plan_id", "specialist_id"),
        # Matching asks who is in the plan's network on a day: answered from this index alone.
        sa.Index("ix_network_memberships_plan_days", "plan_id", "start", "end", "specialist_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    specialist_id: Mapped[int] = mapped_column(sa.ForeignKey("clinicians.id"), index=True)
    plan_id: Mapped[int] = mapped_column(sa.ForeignKey("plans.id"))
    start: Mapped[date]
    end: Mapped[date | None]

    plan = relationship("Plan", lazy="joined")
