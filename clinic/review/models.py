"""Opinion (the specialist's second opinion), its answers to the patient's questions, and addenda.

A signed opinion never changes: the service refuses, an ORM check refuses before any
flush, and database triggers (migration 0005_review) refuse the UPDATE or DELETE of a
signed opinion, any change to its answers, and any change to an addendum.

Answers live in their own table rather than in CaseQuestion.answer: a draft's answers
belong to the draft (a specialist who gives the case back takes them along), and the
same immutability rule then covers the whole signed opinion in one place.
"""
from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.orm import Mapped, Session, backref, mapped_column, relationship

from clinic.database import enum_check, utcnow
from clinic.extensions import db
from clinic.review.vocabulary import DIAGNOSIS_COMPARISONS, TREATMENT_COMPARISONS

SIGNED = sa.text("signed_at IS NOT NULL")


class SignedOpinionImmutable(RuntimeError):
    """Raised when code tries to change a signed opinion, its answers or an addendum."""


class Opinion(db.Model):
    __tablename__ = "opinions"
    __table_args__ = (
        enum_check("diagnosis_comparison", tuple(DIAGNOSIS_COMPARISONS)),
        enum_check("treatment_comparison", tuple(TREATMENT_COMPARISONS)),
        # One signed opinion per case; the dashboard reads signed opinions only, from this covering
        # index (its two queries never read the opinions' texts).
        sa.Index("uq_opinions_signed_case", "case_id", unique=True, sqlite_where=SIGNED, postgresql_where=SIGNED),
        sa.Index("ix_opinions_signed_outcome", "signed_at", "case_id", "assignment_id", "diagnosis_comparison",
                 "treatment_comparison", "less_invasive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(sa.ForeignKey("cases.id"), index=True)
    assignment_id: Mapped[int] = mapped_column(sa.ForeignKey("assignments.id"), unique=True)
    specialist_id: Mapped[int] = mapped_column(sa.ForeignKey("clinicians.id"), index=True)
    diagnosis_text: Mapped[str] = mapped_column(sa.Text, default="")
    icd10_code: Mapped[str | None] = mapped_column(sa.String(10))
    diagnosis_comparison: Mapped[str | None] = mapped_column(sa.String(10))
    treatment_comparison: Mapped[str | None] = mapped_column(sa.String(10))
    less_invasive: Mapped[bool | None]  # None: not stated yet
    less_invasive_option: Mapped[str] = mapped_column(sa.Text, default="")
    if_patient_waits: Mapped[str] = mapped_column(sa.Text, default="")
    recommendation: Mapped[str] = mapped_column(sa.Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    signed_at: Mapped[datetime | None]
    signed_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))

    case = relationship("Case", backref=backref("opinions", order_by="Opinion.id"))
    assignment = relationship("Assignment")
    specialist = relationship("Clinician", lazy="joined")
    answers = relationship("OpinionAnswer", back_populates="opinion", lazy="selectin",
                           cascade="all, delete-orphan", order_by="OpinionAnswer.question_id")
    addenda = relationship("Addendum", back_populates="opinion", lazy="selectin", order_by="Addendum.id")

    @property
    def is_signed(self) -> bool:
        return self.signed_at is not None

    def answer_to(self, question_id: int) -> str:
        return next((a.text for a in self.answers if a.question_id == question_id), "")


class OpinionAnswer(db.Model):
    __tablename__ = "opinion_answers"
    __table_args__ = (sa.UniqueConstraint("opinion_id", "question_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    opinion_id: Mapped[int] = mapped_column(sa.ForeignKey("opinions.id"), index=True)
    question_id: Mapped[int] = mapped_column(sa.ForeignKey("case_questions.id"), index=True)
    text: Mapped[str] = mapped_column(sa.Text, default="")

    opinion = relationship("Opinion", back_populates="answers")
    question = relationship("CaseQuestion")


class Addendum(db.Model):
    """A dated note added after signing, signed by the opinion's own specialist; never changed."""

    __tablename__ = "opinion_addenda"

    id: Mapped[int] = mapped_column(primary_key=True)
    opinion_id: Mapped[int] = mapped_column(sa.ForeignKey("opinions.id"), index=True)
    text: Mapped[str] = mapped_column(sa.Text)
    signed_at: Mapped[datetime] = mapped_column(default=utcnow)
    signed_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))

    opinion = relationship("Opinion", back_populates="addenda")
    signed_by = relationship("User", lazy="joined")


def _was_signed(opinion: Opinion | None) -> bool:
    """Signed before this flush (the committed value), so the signing flush itself passes."""
    if opinion is None:
        return False
    history = sa.inspect(opinion).attrs.signed_at.history
    before = [*history.unchanged, *history.deleted]
    return any(value is not None for value in before)


@event.listens_for(Session, "before_flush")
def _signed_stays_signed(session, flush_context, instances):
    for obj in (*session.dirty, *session.deleted):
        changed = obj in session.deleted or session.is_modified(obj, include_collections=False)
        if not changed:
            continue
        if isinstance(obj, Addendum) or (isinstance(obj, Opinion) and _was_signed(obj)):
            raise SignedOpinionImmutable("a signed opinion and its addenda cannot be changed")
    for obj in (*session.new, *session.dirty, *session.deleted):
        if isinstance(obj, OpinionAnswer) and _was_signed(obj.opinion):
            raise SignedOpinionImmutable("the answers of a signed opinion cannot be changed")
