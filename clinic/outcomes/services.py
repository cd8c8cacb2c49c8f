"""Outcomes operations: the patient's decision (which closes the case), the report and its
sending to the first doctor, the dashboard's figures. They flush and audit, never commit."""
from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask import current_app

from clinic import audit
from clinic.cases import milestones, workflow
from clinic.cases.models import Case, CaseClinician, CaseMilestones
from clinic.cases.workflow import CaseStatus
from clinic.database import is_loaded, utcnow
from clinic.directory.models import Subspecialty
from clinic.errors import DomainError
from clinic.extensions import db
from clinic.mail.compose import long_date, render_mail
from clinic.mail.outbox import enqueue
from clinic.matching.models import Assignment
from clinic.outcomes import figures
from clinic.outcomes.comparison import Comparison, FirstOpinion, SecondOpinion, compare
from clinic.outcomes.models import Decision, ReportLink
from clinic.outcomes.vocabulary import CHOICES, UNDECIDED
from clinic.records import links
from clinic.records.links import public_url
from clinic.review.models import Opinion
from clinic.review.services import signed_opinion

REPORT_LINK_DAYS = 30
REPORT_PATH = "/reports/"


class OutcomeError(DomainError):
    """A refused outcome step, worded for the coordinator."""

    status = 409


def decided(case: Case) -> list[str]:
    decision = decision_of(case)
    if decision is None:
        return ["The patient's decision to be recorded"]
    if decision.choice == UNDECIDED:
        return [f"The patient's decision (undecided; ask again on {decision.follow_up_on:%d %b %Y})"]
    return []


def decision_of(case: Case) -> Decision | None:
    if is_loaded(case, "decision"):  # the work queue loads it with its cases
        return case.decision
    return db.session.scalar(sa.select(Decision).where(Decision.case_id == case.id))


def default_follow_up() -> date:
    return utcnow().date() + timedelta(days=current_app.config["DECISION_FOLLOW_UP_DAYS"])


def record_decision(actor, case: Case, choice: str, note: str | None = None, *, follow_up_on: date | None = None,
                    via: str = "staff") -> Decision:
    """The patient's choice after comparing the opinions. A final choice closes the case; "undecided"
    keeps it open with the day to ask again (default DECISION_FOLLOW_UP_DAYS from today), and a later
    final choice replaces it."""
    if choice not in CHOICES:
        raise OutcomeError("Choose one of: " + ", ".join(CHOICES.values()) + ".", field="choice")
    decision = decision_of(case)
    if decision is not None and decision.choice != UNDECIDED:
        raise OutcomeError("The patient's decision is already recorded for this case.")
    if case.status != CaseStatus.OPINION_RECORDED:
        raise OutcomeError(f"Case {case.reference} is {workflow.STATUS_LABELS[case.status].lower()}: the decision "
                           "is recorded once the specialist has signed the opinion.")
    if choice == UNDECIDED:
        follow_up_on = follow_up_on or default_follow_up()
        if not utcnow().date() < follow_up_on <= utcnow().date() + timedelta(days=366):
            raise OutcomeError("Give a day to ask the patient again between tomorrow and a year from now.",
                               field="follow_up_on", status=422)
    else:
        follow_up_on = None
    workflow.claim(case)
    note = (note or "").strip()[:1000] or None
    fresh = decision is None
    if fresh:
        decision = Decision(case_id=case.id)
        db.session.add(decision)
    decision.choice, decision.note, decision.follow_up_on, decision.recorded_via = choice, note, follow_up_on, via
    decision.recorded_by_id, decision.recorded_at = getattr(actor, "id", None), utcnow()
    db.session.flush()
    audit.record(actor, "create" if fresh else "update", "decision", decision.id,
                 detail=f"case={case.id} choice={choice} via={via}")
    said = "" if via == "staff" else " (given by the patient on the status page)"
    if choice == UNDECIDED:
        workflow.note(actor, case, "outcome", f"The patient has not decided yet{said}; ask again on "
                                              f"{follow_up_on:%d %b %Y}.")
    else:
        workflow.note(actor, case, "outcome", f"The patient's decision: {CHOICES[choice]}{said}.")
        workflow.advance(actor, case)
    db.session.flush()
    return decision


def follow_up_due() -> sa.ColumnElement[bool]:
    """The work queue's flag: an undecided patient whose day to ask again has come."""
    return sa.exists().where(Decision.case_id == Case.id, Decision.choice == UNDECIDED,
                             Decision.follow_up_on <= utcnow().date())


@dataclass
class ReportFacts:
    """Everything the comparison page, the report and the PDF show."""

    case: Case
    opinion: Opinion
    comparison: Comparison
    answers: list[tuple[str, str, str]]  # (category, question, answer)
    decision: Decision | None


def report_facts(case: Case, for_patient: bool = False) -> ReportFacts | None:
    """None until the opinion is signed. The patient's copy reads in words: no row of codes."""
    opinion = signed_opinion(case)
    if opinion is None:
        return None
    first = FirstOpinion(case.diagnosis_text, case.icd10_code, case.treatment_text, case.treatment_invasive)
    second = SecondOpinion(opinion.diagnosis_text, opinion.icd10_code, opinion.diagnosis_comparison,
                           opinion.treatment_comparison, bool(opinion.less_invasive), opinion.less_invasive_option,
                           opinion.if_patient_waits, opinion.recommendation)
    answers = [(q.category, q.text, opinion.answer_to(q.id)) for q in case.questions]
    comparison = compare(first, second)
    if for_patient:
        comparison = replace(comparison, rows=[row for row in comparison.rows if not row.coded])
    return ReportFacts(case, opinion, comparison, answers, decision_of(case))


def first_doctor(case: Case) -> tuple[CaseClinician | None, str]:
    """The first-opinion doctor (or the referring one) and their address in the directory, if any."""
    named = case.first_doctor
    return named, (named.clinician.email or "") if named is not None and named.clinician is not None else ""


def send_report(actor, case: Case, recipient: str) -> ReportLink:
    """Email the first doctor a private link to the report (only with the patient's consent).

    A link rather than an attachment: it expires, each opening is audited, and the
    report itself does not sit in mailboxes. The subject and body name no condition."""
    if not case.consent_to_contact_first_doctor:
        raise OutcomeError("The patient has not consented to contact with the first doctor: "
                           "the report can only be given to the patient.")
    if signed_opinion(case) is None:
        raise OutcomeError("The report is ready once the specialist has signed the opinion.")
    workflow.claim(case)
    # A new link replaces the earlier ones (a corrected address closes the link sent to the wrong one).
    token, link = links.issue(actor, ReportLink, case.id, timedelta(days=REPORT_LINK_DAYS), recipient=recipient)
    named, _ = first_doctor(case)
    last_day = link.expires_at.astimezone(ZoneInfo(current_app.config["CLINIC_TIMEZONE"])).date()
    text, html = render_mail("report_link", doctor_name=named.name if named else "Doctor", reference=case.reference,
                             url=public_url(REPORT_PATH, token), days=REPORT_LINK_DAYS, last_day=long_date(last_day))
    enqueue(recipient, f"Second-opinion report for your patient, case {case.reference}", text, html, case_id=case.id)
    audit.record(actor, "export", "report", case.id, detail=f"sent to first doctor link={link.id}")
    workflow.note(actor, case, "outcome", f"Report sent to the first doctor ({recipient}).")
    db.session.flush()
    return link


def resolve_report_link(token: str) -> ReportLink | None:
    link = links.valid_link(ReportLink, token)
    if link is None or not link.case.consent_to_contact_first_doctor:
        return None
    return link


def report_links(case: Case) -> list[ReportLink]:
    """Every report link sent for the case, newest first (revoked and expired ones too: the case page lists them)."""
    return list(db.session.scalars(sa.select(ReportLink).where(ReportLink.case_id == case.id)
                                   .order_by(ReportLink.created_at.desc(), ReportLink.id.desc())))


def revoke_report_link(actor, link: ReportLink) -> None:
    """Staff close a report link before it expires (sent to a wrong address, or no longer wanted)."""
    if link.state != "active":
        raise OutcomeError(f"The link sent to {link.recipient} already does not open (it is {link.state}).")
    workflow.claim(link.case)
    links.revoke_link(actor, link, "by staff")
    workflow.note(actor, link.case, "outcome", f"Report link sent to {link.recipient} revoked.")
    db.session.flush()


def dashboard_data(since: datetime | None = None) -> tuple[list[figures.Tally], dict[tuple[str, str], list[float]]]:
    """The opinions signed since `since` (all when None) for the dashboard, in two queries whatever the
    number of cases: the count of each subspecialty and outcome (the database groups them), and for
    each case the days of every span of figures.SPANS (from case_milestones, no timeline line read)."""
    signed = [Opinion.signed_at.is_not(None)] + ([Opinion.signed_at >= since] if since else [])
    tallies = [figures.Tally(name, dx, tx, bool(less), count) for name, dx, tx, less, count in db.session.execute(
        sa.select(Subspecialty.name, Opinion.diagnosis_comparison, Opinion.treatment_comparison,
                  Opinion.less_invasive, sa.func.count())
        .join(Assignment, Assignment.id == Opinion.assignment_id)
        .outerjoin(Subspecialty, Subspecialty.id == Assignment.subspecialty_id)
        .where(*signed)
        .group_by(Subspecialty.name, Opinion.diagnosis_comparison, Opinion.treatment_comparison,
                  Opinion.less_invasive))]
    reached = CaseMilestones.__table__.c

    def days(source: str, target: str) -> sa.ColumnElement:
        start, end = reached[milestones.column(source)], reached[milestones.column(target)]
        return sa.case((end >= start, end - start))  # NULL when either is missing or out of order

    rows = db.session.execute(sa.select(*(days(*pair) for pair in figures.SPANS))
                              .join_from(Opinion, CaseMilestones, CaseMilestones.case_id == Opinion.case_id)
                              .where(*signed)).all()
    columns = zip(*rows) if rows else ([] for _ in figures.SPANS)
    return tallies, {pair: [d for d in column if d is not None] for pair, column in zip(figures.SPANS, columns)}
