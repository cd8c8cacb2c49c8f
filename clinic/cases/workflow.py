"""The case workflow: the only place a case's status changes (shared/DESIGN.md section 2).

Each allowed move is a row of TRANSITIONS. A move whose guard is a fact ("every
required record verified", "the specialist accepted") is automatic: the stage
that owns the fact adds a guard returning what is still missing (add_guard, from
its init_app), and advance() takes every automatic move whose guard has nothing
left to wait for. This module imports none of those stages.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING

import sqlalchemy as sa
from flask import Flask

from clinic import audit
from clinic.database import utcnow
from clinic.errors import DomainError
from clinic.extensions import db
from clinic.wiring import wiring

if TYPE_CHECKING:
    from clinic.cases.models import Case, TimelineEntry


class CaseStatus(StrEnum):
    """Where a case is. The models derive their CHECK constraint and indexes from it."""

    RECORDS_PENDING = "records_pending"
    READY_TO_MATCH = "ready_to_match"
    MATCHED = "matched"
    SCHEDULED = "scheduled"
    CONSULTED = "consulted"
    OPINION_RECORDED = "opinion_recorded"
    CLOSED = "closed"
    WITHDRAWN = "withdrawn"
    CANCELLED = "cancelled"

    @property
    def label(self) -> str:
        return STATUS_LABELS[self]


S = CaseStatus
OPEN_STATUSES = (S.RECORDS_PENDING, S.READY_TO_MATCH, S.MATCHED, S.SCHEDULED, S.CONSULTED, S.OPINION_RECORDED)
ENDED_STATUSES = (S.CLOSED, S.WITHDRAWN, S.CANCELLED)
# Ended without an opinion: nobody reads or writes the case any more.
ABANDONED_STATUSES = (S.WITHDRAWN, S.CANCELLED)
# The forward path whose first reaching is kept per case (milestones; the outcomes dashboard's stage times).
FORWARD_PATH = (*OPEN_STATUSES, S.CLOSED)
# A specialist writes the opinion from accepting the case until signing it.
DRAFTING_STATUSES = (S.MATCHED, S.SCHEDULED, S.CONSULTED)

STATUS_LABELS = {
    S.RECORDS_PENDING: "Records pending",
    S.READY_TO_MATCH: "Ready to match",
    S.MATCHED: "Matched",
    S.SCHEDULED: "Scheduled",
    S.CONSULTED: "Consulted",
    S.OPINION_RECORDED: "Opinion recorded",
    S.CLOSED: "Closed",
    S.WITHDRAWN: "Withdrawn",
    S.CANCELLED: "Cancelled",
}


@dataclass(frozen=True)
class Move:
    automatic: bool  # taken by advance() as soon as its guard is satisfied
    waiting: str     # what the case waits for while the guard is unmet (no guard added yet)
    needs_note: bool = False


TRANSITIONS: dict[tuple[str, str], Move] = {
    (S.RECORDS_PENDING, S.READY_TO_MATCH): Move(True, "Records and coverage to be verified"),
    (S.READY_TO_MATCH, S.RECORDS_PENDING): Move(False, "", needs_note=True),  # a record rejected
    (S.READY_TO_MATCH, S.MATCHED): Move(True, "A specialist to accept the case"),
    (S.MATCHED, S.READY_TO_MATCH): Move(False, "", needs_note=True),          # the specialist withdrew
    (S.MATCHED, S.SCHEDULED): Move(True, "The consultation to be booked"),
    (S.SCHEDULED, S.MATCHED): Move(False, "", needs_note=True),               # appointment cancelled
    (S.SCHEDULED, S.CONSULTED): Move(True, "The consultation to take place"),
    (S.CONSULTED, S.OPINION_RECORDED): Move(True, "The specialist to sign the opinion"),
    (S.OPINION_RECORDED, S.CLOSED): Move(True, "The patient's decision to be recorded"),
    **{(s, S.WITHDRAWN): Move(False, "", needs_note=True) for s in OPEN_STATUSES},
    **{(s, S.CANCELLED): Move(False, "", needs_note=True) for s in OPEN_STATUSES},
}


def label(status: str) -> str:
    return STATUS_LABELS[CaseStatus(status)]


def is_open(status: str) -> bool:
    return status in OPEN_STATUSES


def open_condition() -> sa.ColumnElement[bool]:
    """`status IN (the open statuses)` with the values written into the SQL: SQLite uses the partial
    indexes on open cases (models.OPEN_WHERE) only when it can see the values, not behind parameters."""
    from clinic.cases.models import Case  # the models read this module's vocabulary at import

    return Case.status.in_(sa.bindparam(None, [str(s) for s in OPEN_STATUSES], expanding=True,
                                        literal_execute=True))


Guard = Callable[["Case"], list[str]]


class WorkflowError(DomainError):
    """A refused move, worded for the person who asked for it."""

    status = 409


def add_guard(app: Flask, source: CaseStatus, target: CaseStatus, check: Guard) -> None:
    """The fact a move waits for: a function of the case returning what is still missing."""
    if (source, target) not in TRANSITIONS:
        raise ValueError(f"no transition {source} -> {target}")
    wiring(app).guards[(source, target)] = check


def _guard(source: str, target: str) -> Guard | None:
    return wiring().guards.get((source, target))


def missing_for(case: Case, target: CaseStatus) -> list[str]:
    """What stops the case from moving to `target` now (empty when nothing does)."""
    move = TRANSITIONS.get((case.status, target))
    if move is None:
        return [f"A case that is {label(case.status).lower()} cannot become {label(target).lower()}."]
    check = _guard(case.status, target)
    if check is None:
        return [move.waiting] if move.automatic else []
    return check(case)


def can_move(case: Case, target: CaseStatus) -> bool:
    return not missing_for(case, target)
def waiting_for(case: Case) -> list[str]:
    """What the case is waiting for, item by item (empty for an ended case)."""
    for (source, target), move in TRANSITIONS.items():
        if source == case.status and move.automatic:
            return missing_for(case, target)
    return []


def claim(case: Case) -> None:
    """Take the case for this change, first thing: its version goes up now, in the database.

    Case.version is an optimistic lock. Bumping it at the start of a change makes a second
    coordinator changing the same case at the same moment wait for the first, then fail with
    StaleDataError (a "reload" page or a JSON 409) instead of deciding from facts the first one
    has just changed: a record verified and rejected at once, the gate left shut after the last
    two records were verified together, a decision or a draft written twice.
    """
    case.updated_at = utcnow()
    db.session.flush()


def transition(actor, case: Case, target: str, note: str | None = None) -> None:
    """Move the case, writing the timeline and the audit log; raises WorkflowError if refused."""
    move = TRANSITIONS.get((case.status, target))
    blockers = missing_for(case, target)
    if blockers:
        raise WorkflowError(" ".join(blockers))
    note = (note or "").strip() or None
    if move.needs_note and not note:
        raise WorkflowError(f"Give a reason for moving the case to {label(target).lower()}.")
    from clinic.cases import milestones
    from clinic.cases.models import TimelineEntry

    source, now = case.status, utcnow()
    case.status = str(target)
    case.status_changed_at = case.updated_at = now
    db.session.add(TimelineEntry(case=case, at=now, actor_id=getattr(actor, "id", None), kind="status",
                                 from_status=source, to_status=target, note=note))
    milestones.reached(case.id, target, now)
    audit.record(actor, "update", "case", case.id, detail=f"status {source} -> {target}")


def advance(actor, case: Case) -> list[str]:
    """Take every automatic move whose fact is now true; returns the statuses passed through."""
    passed = []
    moved = True
    while moved:
        moved = False
        for (source, target), move in TRANSITIONS.items():
            check = _guard(source, target) if source == case.status and move.automatic else None
            if check is not None and not check(case):
                transition(actor, case, target)
                passed.append(target)
                moved = True
                break
    return passed


def note(actor, case: Case, kind: str, text: str) -> TimelineEntry:
    """A line on the case timeline written by a stage (a record requested, a slot booked...)."""
    from clinic.cases.models import TimelineEntry

    entry = TimelineEntry(case=case, actor_id=getattr(actor, "id", None), kind=kind, note=text[:1000])
    db.session.add(entry)
    case.updated_at = utcnow()  # every change that writes the timeline raises the case's version
    return entry
