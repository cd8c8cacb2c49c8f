"""The specialist's work: their cases, the opinion draft, signing, addenda. They flush, never commit.

Signing is the fact behind consulted -> opinion_recorded: the guard below is met by a
signed opinion on the case, and sign_opinion() asks the workflow to move.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlalchemy.orm import contains_eager, lazyload

from clinic import audit
from clinic.cases import icd10, workflow
from clinic.cases.models import Case, CaseQuestion
from clinic.cases.workflow import CaseStatus
from clinic.database import is_loaded, utcnow
from clinic.errors import DomainError
from clinic.extensions import db
from clinic.matching.models import Assignment, AssignmentStatus
from clinic.matching.services import specialist_assignments
from clinic.review.models import Addendum, Opinion, OpinionAnswer
from clinic.review.vocabulary import DIAGNOSIS_COMPARISONS, TREATMENT_COMPARISONS

MAX_TEXT = 8000
RECENT_CLOSED = 20  # closed cases listed on the specialist's home


class OpinionError(DomainError):
    """A refused opinion step, worded for the specialist; `fields` names what to fix where."""

    status = 422

    def __init__(self, message: str, fields: dict[str, str] | None = None):
        super().__init__(message, fields={name: [text] for name, text in (fields or {}).items()})


class OpinionSigned(OpinionError):
    """The opinion is signed: nothing in it changes any more (an addendum can follow)."""

    status = 409


class NotReadyToSign(OpinionError):
    status = 409


@dataclass
class OpinionFacts:
    """What the specialist wrote, as plain values (from the form or the API)."""

    diagnosis_text: str = ""
    icd10_code: str | None = None
    diagnosis_comparison: str | None = None
    treatment_comparison: str | None = None
    less_invasive: bool | None = None
    less_invasive_option: str = ""
    if_patient_waits: str = ""
    recommendation: str = ""
    answers: dict[int, str] = field(default_factory=dict)


def opinion_signed(case: Case) -> list[str]:
    return [] if signed_opinion(case) else ["The specialist to sign the opinion"]


def signed_opinion(case: Case) -> Opinion | None:
    """From memory when the page loaded the case's opinions with it (the work queue does: its guards
    then cost no query per case), else from the database."""
    if is_loaded(case, "opinions"):
        return next((opinion for opinion in case.opinions if opinion.signed_at is not None), None)
    return db.session.scalar(sa.select(Opinion).where(Opinion.case_id == case.id, Opinion.signed_at.is_not(None)))


def assignment_of(clinician_id: int | None, case_id: int) -> Assignment | None:
    """The specialist's accepted assignment on this case, or None (they may not see it). A withdrawn or
    cancelled case is no longer theirs to read: its record stays with the clinic."""
    if clinician_id is None:
        return None
    return db.session.scalar(sa.select(Assignment).join(Case, Case.id == Assignment.case_id).where(
        Assignment.case_id == case_id, Assignment.specialist_id == clinician_id, Assignment.status == AssignmentStatus.ACCEPTED,
        Case.status.not_in(workflow.ABANDONED_STATUSES)))


def opinion_for(assignment: Assignment) -> Opinion | None:
    return db.session.scalar(sa.select(Opinion).where(Opinion.assignment_id == assignment.id))


@dataclass
class Workspace:
    proposed: list[Assignment]
    upcoming: list[Assignment]
    awaiting: list[Assignment]
    signed: list[Assignment]
    opinions: dict[int, Opinion]  # by assignment id




def workspace(clinician_id: int | None) -> Workspace:
    """The specialist's cases in groups: every case in progress, and the last RECENT_CLOSED closed ones
    (the page does not grow with every year of their work); three queries whatever their number."""
    if clinician_id is None:
        return Workspace([], [], [], [], {})
    mine = specialist_assignments(clinician_id)
    closed = list(db.session.scalars(
        sa.select(Assignment).join(Case, Case.id == Assignment.case_id).options(contains_eager(Assignment.case))
        .where(Assignment.specialist_id == clinician_id, Assignment.status == AssignmentStatus.ACCEPTED, Case.status == CaseStatus.CLOSED)
        .order_by(Case.updated_at.desc()).limit(RECENT_CLOSED)))
    ids = [a.id for a in mine + closed]
    # The page shows only when each opinion was saved or signed: not its answers, addenda or author.
    opinions = {o.assignment_id: o for o in db.session.scalars(
        sa.select(Opinion).where(Opinion.assignment_id.in_(ids))
        .options(lazyload(Opinion.answers), lazyload(Opinion.addenda), lazyload(Opinion.specialist)))} if ids else {}
    groups = Workspace([], [], [], [], opinions)
    for assignment in mine:
        status = assignment.case.status
        if assignment.status == AssignmentStatus.PROPOSED:
            groups.proposed.append(assignment)
        elif status == CaseStatus.CONSULTED:
            groups.awaiting.append(assignment)
        elif status == CaseStatus.OPINION_RECORDED:
            groups.signed.append(assignment)
        else:  # accepted, the consultation still to come (records, booking or the consultation itself)
            groups.upcoming.append(assignment)
    groups.signed.extend(closed)
    return groups


def _clean(text: str | None) -> str:
    return (text or "").strip()


def _check_shape(facts: OpinionFacts, questions: list[CaseQuestion]) -> dict[str, str]:
    """Problems any draft must not have (a wrong code, a foreign question, an unknown category)."""
    problems: dict[str, str] = {}
    if facts.icd10_code and not icd10.describe(facts.icd10_code):
        problems["icd10_code"] = icd10.ICD10_MESSAGE
    if facts.diagnosis_comparison and facts.diagnosis_comparison not in DIAGNOSIS_COMPARISONS:
        problems["diagnosis_comparison"] = "Choose confirmed, refined or changed."
    if facts.treatment_comparison and facts.treatment_comparison not in TREATMENT_COMPARISONS:
        problems["treatment_comparison"] = "Choose same, modified or changed."
    known = {q.id for q in questions}
    strangers = [str(qid) for qid in facts.answers if qid not in known]
    if strangers:
        problems["answers"] = f"These are not questions of this case: {', '.join(strangers[:5])}."
    long = [name for name in ("diagnosis_text", "less_invasive_option", "if_patient_waits", "recommendation")
            if len(getattr(facts, name) or "") > MAX_TEXT]
    long += [f"answer_{qid}" for qid, text in facts.answers.items() if len(text or "") > MAX_TEXT]
    for name in long:
        problems[name] = f"Keep this under {MAX_TEXT} characters."
    return problems


def missing_to_sign(opinion: Opinion, questions: list[CaseQuestion]) -> dict[str, str]:
    """What the opinion still lacks before it can be signed, by field, each a sentence."""
    missing: dict[str, str] = {}
    if not opinion.diagnosis_text:
        missing["diagnosis_text"] = "Write your diagnosis."
    if not opinion.diagnosis_comparison:
        missing["diagnosis_comparison"] = "Say how your diagnosis compares with the first one."
    if not opinion.treatment_comparison:
        missing["treatment_comparison"] = "Say how your treatment compares with the one proposed."
    if opinion.less_invasive is None:
        missing["less_invasive"] = "Say whether a less invasive option exists."
    elif opinion.less_invasive and not opinion.less_invasive_option:
        missing["less_invasive_option"] = "Describe the less invasive option."
    if not opinion.if_patient_waits:
        missing["if_patient_waits"] = "Say what happens if the patient waits."
    if not opinion.recommendation:
        missing["recommendation"] = "Write your recommendation."
    for number, question in enumerate(questions, start=1):
        if not opinion.answer_to(question.id).strip():
            missing[f"answer_{question.id}"] = f"Answer the patient's question {number}: “{question.text}”"
    return missing


def _unsigned(assignment: Assignment) -> Opinion | None:
    """The specialist's opinion on the case while it is a draft (None before one is saved); a signed
    one is refused: it never changes."""
    opinion = opinion_for(assignment)
    if opinion is not None and opinion.is_signed:
        raise OpinionSigned(f"This opinion was signed on {opinion.signed_at:%Y-%m-%d}; it cannot be changed. "
                            "Add an addendum instead.")
    return opinion


def save_draft(actor, assignment: Assignment, facts: OpinionFacts) -> Opinion:
    """Create or update the specialist's draft; allowed from acceptance until signing."""
    case = assignment.case
    opinion = _unsigned(assignment)
    if assignment.status != AssignmentStatus.ACCEPTED or case.status not in workflow.DRAFTING_STATUSES:
        raise OpinionError(f"Case {case.reference} is {workflow.STATUS_LABELS[case.status].lower()}: "
                           "an opinion can be written from acceptance until it is signed.")
    problems = _check_shape(facts, case.questions)
    if problems:
        raise OpinionError("Some fields need correcting.", problems)
    workflow.claim(case)  # two windows saving the first draft at once: one opinion, the other reloads
    created = opinion is None
    if created:
        opinion = Opinion(case_id=case.id, assignment_id=assignment.id, specialist_id=assignment.specialist_id)
        db.session.add(opinion)
    opinion.diagnosis_text = _clean(facts.diagnosis_text)
    opinion.icd10_code = icd10.normalize(facts.icd10_code) if _clean(facts.icd10_code) else None
    opinion.diagnosis_comparison = facts.diagnosis_comparison or None
    opinion.treatment_comparison = facts.treatment_comparison or None
    opinion.less_invasive = facts.less_invasive
    opinion.less_invasive_option = _clean(facts.less_invasive_option) if facts.less_invasive else ""
    opinion.if_patient_waits = _clean(facts.if_patient_waits)
    opinion.recommendation = _clean(facts.recommendation)
    current = {a.question_id: a for a in opinion.answers}
    for question_id, text in facts.answers.items():
        if question_id in current:
            current[question_id].text = _clean(text)
        else:
            opinion.answers.append(OpinionAnswer(question_id=question_id, text=_clean(text)))
    db.session.flush()
    audit.record(actor, "create" if created else "update", "opinion", opinion.id, detail="draft saved")
    return opinion


def sign_opinion(actor, assignment: Assignment, facts: OpinionFacts | None = None) -> Opinion:
    """Save the last changes, check the opinion is complete and the consultation held, and sign it."""
    case = assignment.case
    existing = _unsigned(assignment)
    if case.status != CaseStatus.CONSULTED or assignment.status != AssignmentStatus.ACCEPTED:
        raise NotReadyToSign("The opinion can be signed once the consultation has been held (the coordinator "
                             "marks it held). Save it as a draft until then.")
    opinion = save_draft(actor, assignment, facts) if facts is not None else existing
    if opinion is None:
        raise OpinionError("Write the opinion before signing it.")
    missing = missing_to_sign(opinion, case.questions)
    if missing:
        raise OpinionError("The opinion cannot be signed yet. " + " ".join(missing.values()), missing)
    db.session.flush()  # the answers are written before the row is signed: the database refuses them after
    opinion.signed_at = opinion.updated_at = utcnow()
    opinion.signed_by_id = getattr(actor, "id", None)
    db.session.flush()
    audit.record(actor, "update", "opinion", opinion.id, detail="signed")
    workflow.note(actor, case, "review", f"{opinion.specialist.name} signed the second opinion.")
    workflow.advance(actor, case)
    db.session.flush()
    return opinion


def add_addendum(actor, assignment: Assignment, text: str) -> Addendum:
    """A dated note after signing, by the specialist who signed."""
    opinion = opinion_for(assignment)
    if opinion is None or not opinion.is_signed:
        message = "An addendum follows a signed opinion; change the draft instead."
        raise OpinionError(message, {"text": message})
    text = _clean(text)
    if not text:
        raise OpinionError("Write the addendum.", {"text": "Write the addendum."})
    if len(text) > MAX_TEXT:
        raise OpinionError("The addendum is too long.", {"text": f"Keep this under {MAX_TEXT} characters."})
    workflow.claim(assignment.case)
    addendum = Addendum(opinion=opinion, text=text, signed_by_id=getattr(actor, "id", None))
    db.session.add(addendum)
    db.session.flush()
    audit.record(actor, "create", "opinion_addendum", addendum.id, detail=f"opinion={opinion.id}")
    workflow.note(actor, assignment.case, "review", f"{opinion.specialist.name} added an addendum to the opinion.")
    return addendum
