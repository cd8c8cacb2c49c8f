"""Matching operations: the shortlist, proposing a specialist, their answer. They flush, never commit."""
from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from flask import current_app, url_for
from sqlalchemy.orm import contains_eager

from clinic import audit
from clinic.auth.models import User
from clinic.cases import workflow
from clinic.cases.models import Case
from clinic.cases.workflow import CaseStatus
from clinic.database import utcnow
from clinic.directory.models import Clinician, Subspecialty
from clinic.errors import DomainError
from clinic.extensions import db
from clinic.mail.compose import render_mail
from clinic.mail.outbox import enqueue
from clinic.matching import engine, facts
from clinic.matching.facts import case_assignments
from clinic.matching.models import LIVE_STATUSES, Assignment, AssignmentStatus



class MatchingError(DomainError):
    """A refused matching step (wrong stage, a proposal already out), worded for the user."""


class IndependenceIncomplete(MatchingError):
    """A doctor of the case is not yet identified in the directory and no reason to go ahead was given."""


class NotEligible(MatchingError):
    """The specialist fails a hard rule for this case; `reasons` says which."""

    status = 422

    def __init__(self, message: str, reasons: list[str] | None = None):
        super().__init__(message, fields={"npi": reasons or [message]})
        self.reasons = reasons or []


def specialist_accepted(case: Case) -> list[str]:
    live = live_assignment(case)
    if live is not None and live.status == AssignmentStatus.ACCEPTED:
        return []
    if live is not None:
        return [f"{live.specialist.name} to accept or decline the proposal"]
    return ["A specialist to be proposed and to accept the case"]


def shortlist(case: Case, on: date | None = None, subspecialty: str | None = None,
              top: int | None = None) -> engine.Shortlist:
    """Every panel specialist, ranked or excluded with reasons, for this case on day `on`.

    With `top`, only the first `top` candidates are exact (with their earliest slot): the slot
    is searched only for those who can reach them (the case page shows the best few)."""
    case_facts, plan_id = facts.case_facts(case, on or utcnow().date(), subspecialty)
    result = engine.match(case_facts, *facts.specialists(case_facts, plan_id))
    ids = [c.specialist.id for c in _contenders(result.candidates, top)]
    for source in facts.slot_sources():
        if ids:
            result = engine.with_slots(case_facts, result, source(ids, case_facts.on, case_facts.window_days))
    return result


def _contenders(candidates: list[engine.Candidate], top: int | None) -> list[engine.Candidate]:
    """The candidates whose slot can bring them into the first `top`: the slot ranks after subspecialty
    fit, volume and setting, so whoever is behind the top-th on those three stays behind it."""
    if top is None or len(candidates) <= top:
        return candidates
    cut = _before_slot(candidates[top - 1])
    return [c for c in candidates if _before_slot(c) <= cut]


def _before_slot(candidate: engine.Candidate) -> tuple:
    return engine.rank_key(candidate.specialist, candidate.factors)[:3]


def active_subspecialties() -> list[Subspecialty]:
    return list(db.session.scalars(sa.select(Subspecialty).where(Subspecialty.active.is_(True))
                                   .order_by(Subspecialty.name)))


def live_assignment(case: Case) -> Assignment | None:
    return next((a for a in case_assignments(case) if a.status in LIVE_STATUSES), None)


def latest_assignment(case: Case) -> Assignment | None:
    return next(iter(case_assignments(case)), None)


def specialist_assignments(clinician_id: int) -> list[Assignment]:
    """The specialist's proposals and accepted cases still in progress (the closed ones are history:
    listing them all would grow the page with every year of the specialist's work)."""
    return list(db.session.scalars(
        sa.select(Assignment).join(Case, Case.id == Assignment.case_id).options(contains_eager(Assignment.case))
        .where(Assignment.specialist_id == clinician_id, Assignment.status.in_(LIVE_STATUSES), workflow.open_condition())
        .order_by(Assignment.status.desc(), Case.urgency.desc(), Assignment.proposed_at)))


def propose_specialist(actor, case: Case, npi: str, subspecialty: str | None = None,
                       override: str | None = None) -> Assignment:
    """Offer the case to a specialist who passes every hard rule today.

    While a doctor named without an NPI is not identified, the independence rule cannot see their
    ties: proposing then needs `override`, the coordinator's reason, kept on the proposal."""
    if case.status != CaseStatus.READY_TO_MATCH:
        raise MatchingError(f"Case {case.reference} is {workflow.STATUS_LABELS[case.status].lower()}: "
                            "only a case ready to match can be offered to a specialist.")
    workflow.claim(case)
    live = live_assignment(case)
    if live is not None:
        raise MatchingError(f"{live.specialist.name} already has this case ({live.status}). "
                            "Withdraw that proposal first.")
    person = db.session.scalar(sa.select(Clinician).where(Clinician.npi == (npi or "").strip(),
                                                          Clinician.kind == "specialist"))
    if person is None:
        raise NotEligible("No specialist on the panel has this NPI.")
    result = shortlist(case, subspecialty=subspecialty)
    chosen = result.candidate(person.id)
    if chosen is None:
        details = [r.text for x in result.excluded if x.specialist.id == person.id for r in x.reasons]
        raise NotEligible(f"{person.name} cannot take this case: "
                          f"{'; '.join(details) or 'choose the subspecialty first'}.", details)
    override = ((override or "").strip()[:500] or None) if result.incomplete else None
    if result.incomplete and override is None:
        raise IndependenceIncomplete(" ".join(result.incomplete) + " Confirm the doctor on the case page, "
                                     "or give the reason to propose before that.", field="independence_override")
    sub_id = db.session.scalar(sa.select(Subspecialty.id).where(Subspecialty.code == chosen.factors.subspecialty_code))
    assignment = Assignment(case_id=case.id, specialist_id=person.id, subspecialty_id=sub_id,
                            proposed_by_id=getattr(actor, "id", None), status=AssignmentStatus.PROPOSED,
                            independence_override=override)
    try:
        with db.session.begin_nested():
            db.session.add(assignment)
    except sa.exc.IntegrityError:
        raise MatchingError("Another coordinator proposed a specialist for this case a moment ago. "
                            "Reload the page.") from None
    db.session.expire(case, ["assignments"])  # read again with the new one, should a guard ask
    note = f"Proposed to {person.name} (rank {chosen.rank})."
    if override:
        note += f" Independence check incomplete, proposed anyway: {override}"
    workflow.note(actor, case, "matching", note)
    audit.record(actor, "create", "assignment", assignment.id,
                 detail=f"case={case.id} rank={chosen.rank}" + (" independence_override=yes" if override else ""))
    _tell_specialist(person, case, assignment)
    db.session.flush()
    return assignment


def _tell_specialist(person: Clinician, case: Case, assignment: Assignment) -> None:
    # No diagnosis in a subject or body that leaves the clinic: the reference and a link only.
    account = db.session.scalar(sa.select(User).where(User.clinician_id == person.id, User.active.is_(True)))
    address = account.email if account is not None else person.email
    if not address:
        return
    with current_app.test_request_context(base_url=current_app.config["PUBLIC_URL"]):
        link = url_for("matching.assignment", assignment_id=assignment.id, _external=True)  # outside requests too
    text, html = render_mail("case_proposed", specialist_name=person.name, reference=case.reference, url=link)
    enqueue(address, "A second-opinion case is waiting for your answer", text, html, case_id=case.id)


def accept_assignment(actor, assignment: Assignment) -> None:
    """The specialist takes the case; the case moves to matched as soon as it is ready to."""
    if assignment.status != AssignmentStatus.PROPOSED:
        raise MatchingError(f"This proposal is already {assignment.status}.")
    workflow.claim(assignment.case)
    assignment.status = AssignmentStatus.ACCEPTED
    assignment.responded_at = utcnow()
    case = assignment.case
    workflow.note(actor, case, "matching", f"{assignment.specialist.name} accepted the case.")
    audit.record(actor, "update", "assignment", assignment.id, detail=AssignmentStatus.ACCEPTED)
    db.session.flush()
    workflow.advance(actor, case)
    db.session.flush()


def decline_assignment(actor, assignment: Assignment, reason: str, conflict: bool) -> None:
    """The specialist declines (or gives back an accepted case); a declared tie is honoured from now on."""
    reason = (reason or "").strip()
    if not reason:
        raise MatchingError("Give the reason for declining.")
    note = f"{assignment.specialist.name} declined: {reason}"
    if conflict:
        note += " (declared a tie to the first doctor: not proposed again for this case)"
    _end(actor, assignment, AssignmentStatus.DECLINED, note)
    assignment.decline_reason = reason[:500]
    assignment.conflict_declared = bool(conflict)
    audit.record(actor, "update", "assignment", assignment.id, detail=f"declined conflict={'yes' if conflict else 'no'}")
    db.session.flush()


def withdraw_proposal(actor, assignment: Assignment) -> None:
    """The coordinator takes the case back from a specialist (no answer, or a better match)."""
    _end(actor, assignment, AssignmentStatus.WITHDRAWN, f"Proposal to {assignment.specialist.name} withdrawn by the coordinator.")
    audit.record(actor, "update", "assignment", assignment.id, detail=AssignmentStatus.WITHDRAWN)
    db.session.flush()


def _end(actor, assignment: Assignment, status: str, note: str) -> None:
    case = assignment.case
    if assignment.status not in LIVE_STATUSES:
        raise MatchingError(f"This proposal is already {assignment.status}.")
    workflow.claim(case)
    if assignment.status == AssignmentStatus.ACCEPTED and case.status not in (CaseStatus.READY_TO_MATCH, CaseStatus.MATCHED, CaseStatus.RECORDS_PENDING):
        raise MatchingError(f"Case {case.reference} is {workflow.STATUS_LABELS[case.status].lower()}: "
                            "cancel the appointment before the specialist gives the case back.")
    was_accepted = assignment.status == AssignmentStatus.ACCEPTED
    assignment.status = status
    assignment.responded_at = utcnow()
    if was_accepted and case.status == CaseStatus.MATCHED:
        workflow.transition(actor, case, CaseStatus.READY_TO_MATCH, note)
    else:
        workflow.note(actor, case, "matching", note)
