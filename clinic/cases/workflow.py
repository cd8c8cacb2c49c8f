"""The case workflow: the only place a case's status changes (shared/DESIGN.md section 2).

Each allowed move is a row of TRANSITIONS. A move whose guard is a fact ("every
required record verified", "the specialist accepted") is automatic: the stage
that owns the fact registers a guard returning what is still missing, and
advance() takes every automatic move whose guard has nothing left to wait for.
Later stages register their guards here; this module imports none of them.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import sqlalchemy as sa

from clinic import audit
from clinic.cases import milestones
from clinic.cases.models import Case, TimelineEntry
from clinic.database import utcnow
from clinic.extensions import db

OPEN_STATUSES = ("records_pending", "ready_to_match", "matched", "scheduled", "consulted", "opinion_recorded")
ENDED_STATUSES = ("closed", "withdrawn", "cancelled")

STATUS_LABELS = {
    "records_pending": "Records pending",
    "ready_to_match": "Ready to match",
    "matched": "Matched",
    "scheduled": "Scheduled",
    "consulted": "Consulted",
    "opinion_recorded": "Opinion recorded",
    "closed": "Closed",
    "withdrawn": "Withdrawn",
    "cancelled": "Cancelled",
}


@dataclass(frozen=True)
class Move:
    automatic: bool  # taken by advance() as soon as its guard is satisfied
    waiting: str     # what the case waits for while the guard is unmet (no guard registered yet)
    needs_note: bool = False


TRANSITIONS: dict[tuple[str, str], Move] = {
    ("records_pending", "ready_to_match"): Move(True, "Records and coverage to be verified"),
    ("ready_to_match", "records_pending"): Move(False, "", needs_note=True),  # a record rejected
    ("ready_to_match", "matched"): Move(True, "A specialist to accept the case"),
    ("matched", "ready_to_match"): Move(False, "", needs_note=True),          # the specialist withdrew
    ("matched", "scheduled"): Move(True, "The consultation to be booked"),
    ("scheduled", "matched"): Move(False, "", needs_note=True),               # appointment cancelled
    ("scheduled", "consulted"): Move(True, "The consultation to take place"),
    ("consulted", "opinion_recorded"): Move(True, "The specialist to sign the opinion"),
    ("opinion_recorded", "closed"): Move(True, "The patient's decision to be recorded"),
    **{(s, "withdrawn"): Move(False, "", needs_note=True) for s in OPEN_STATUSES},
    **{(s, "cancelled"): Move(False, "", needs_note=True) for s in OPEN_STATUSES},
}

def open_condition() -> sa.ColumnElement[bool]:
    """`status IN (the open statuses)` with the values written into the SQL: SQLite uses the partial
    indexes on open cases (models.OPEN_WHERE) only when it can see the values, not behind parameters."""
    return Case.status.in_(sa.bindparam(None, list(OPEN_STATUSES), expanding=True, literal_execute=True))


Guard = Callable[[Case], list[str]]
_GUARDS: dict[tuple[str, str], Guard] = {}


class WorkflowError(Exception):
    """A refused move, worded for the person who asked for it."""


def guard(source: str, target: str):
    """Register the fact a move waits for: a function returning what is still missing."""
    if (source, target) not in TRANSITIONS:
        raise ValueError(f"no transition {source} -> {target}")

    def register(fn: Guard) -> Guard:
        _GUARDS[(source, target)] = fn
        return fn

    return register


def missing_for(case: Case, target: str) -> list[str]:
    """What stops the case from moving to `target` now (empty when nothing does)."""
    move = TRANSITIONS.get((case.status, target))
    if move is None:
        return [f"A case that is {STATUS_LABELS[case.status].lower()} cannot become "
                f"{STATUS_LABELS[target].lower()}."]
    check = _GUARDS.get((case.status, target))
    if check is None:
        return [move.waiting] if move.automatic else []
    return check(case)


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
        raise WorkflowError(f"Give a reason for moving the case to {STATUS_LABELS[target].lower()}.")
    source, now = case.status, utcnow()
    case.status = target
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
            if source == case.status and move.automatic and (source, target) in _GUARDS \
                    and not _GUARDS[(source, target)](case):
                transition(actor, case, target)
                passed.append(target)
                moved = True
                break
    return passed


def note(actor, case: Case, kind: str, text: str) -> TimelineEntry:
    """A line on the case timeline written by a stage (a record requested, a slot booked...)."""
    entry = TimelineEntry(case=case, actor_id=getattr(actor, "id", None), kind=kind, note=text[:1000])
    db.session.add(entry)
    case.updated_at = utcnow()  # every change that writes the timeline raises the case's version
    return entry
