"""The patient's side, as operations: the status link and its mail, the report given to the patient,
messages from the patient, and what the patient may do on the status page (send a record, move or
cancel the consultation, give a decision). They flush and audit, never commit.

Whoever holds a status link needs no login: every operation here is written to the audit trail
with no user, and says "the patient" on the case's timeline. What leaves the clinic by mail names
the case reference and nothing of the condition.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _

from clinic import audit, i18n
from clinic.cases import workflow
from clinic.cases.models import Case
from clinic.cases.vocabulary import urgency_window_days
from clinic.database import utcnow
from clinic.errors import DomainError
from clinic.extensions import db
from clinic.mail.compose import render_mail
from clinic.mail.outbox import enqueue
from clinic.outcomes import services as outcomes
from clinic.patients.models import PatientMessage, ReportRelease, StatusLink
from clinic.records import links
from clinic.review.services import signed_opinion
from clinic.scheduling import availability
from clinic.scheduling import services as scheduling
from clinic.scheduling.models import Appointment
from clinic.scheduling.slots import Slot

STATUS_PATH = "/status/"
MOVE_CHOICES = 6          # slots offered to a patient who wants another time
MOVE_SEARCH_DAYS = 42     # how far ahead they are looked for when the urgency window holds none


class PatientError(DomainError):
    """A refusal worded for the patient."""

    status = 409


# -- the status link -------------------------------------------------------------------------------

def issue_status_link(actor, case: Case) -> str:
    """A new status link for the case; returns the token (shown once, in a mail). Earlier links keep
    working (an older mail still opens the page) until they expire or staff revoke them all."""
    days = current_app.config["STATUS_LINK_DAYS"]
    token, _ = links.issue(actor, StatusLink, case.id, timedelta(days=days), replace=False)
    return token


def status_url(token: str) -> str:
    return links.public_url(STATUS_PATH, token)


def resolve_status_link(token: str) -> StatusLink | None:
    """The link while it opens: well formed, known, not revoked, unexpired, and its case open or ended
    less than STATUS_AFTER_END_DAYS ago (the patient reads the report after the case closes)."""
    link = links.valid_link(StatusLink, token)
    if link is None:
        return None
    case = link.case
    grace = timedelta(days=current_app.config["STATUS_AFTER_END_DAYS"])
    if not case.is_open and case.status_changed_at + grace <= utcnow():
        return None
    return link


def status_links(case: Case) -> list[StatusLink]:
    """Every status link of the case, newest first (the case page lists how many open and when last used)."""
    return list(db.session.scalars(sa.select(StatusLink).where(StatusLink.case_id == case.id)
                                   .order_by(StatusLink.created_at.desc(), StatusLink.id.desc())))


def revoke_status_links(actor, case: Case) -> int:
    """Staff close every status link of the case (a mail went to a wrong address); returns how many."""
    live = links.live_links(StatusLink, case.id)
    if not live:
        raise PatientError("No status link of this case opens: there is nothing to revoke.")
    workflow.claim(case)
    for link in live:
        links.revoke_link(actor, link, "by staff")
    workflow.note(actor, case, "patient", f"The patient's status links revoked ({len(live)}).")
    db.session.flush()
    return len(live)


def _clinic_context(case: Case, token: str) -> dict:
    return dict(patient_name=case.patient.name, reference=case.reference, status_url=status_url(token))


def acknowledge(actor, case: Case) -> None:
    """Every new case (public form, staff intake, API): tell the patient we have their request, what
    happens next and roughly when, with their status link. Called in the case's own transaction."""
    token = issue_status_link(actor, case)
    with i18n.patient_language(case):
        wanted = [_(item.name) for item in case.record_items if item.required]
        text, html = render_mail("acknowledgement", records=wanted, **_clinic_context(case, token))
        enqueue(case.patient.email, _("%(clinic)s: we received your request (reference %(reference)s)",
                                      clinic=current_app.config["CLINIC_NAME"], reference=case.reference),
                text, html, case_id=case.id)


def send_status_link(actor, case: Case) -> None:
    """Staff send the patient a fresh status link (a lost mail, or after revoking the old ones)."""
    workflow.claim(case)
    token = issue_status_link(actor, case)
    with i18n.patient_language(case):
        text, html = render_mail("status_link", **_clinic_context(case, token))
        enqueue(case.patient.email, _("%(clinic)s: your private page for your second opinion",
                                      clinic=current_app.config["CLINIC_NAME"]), text, html, case_id=case.id)
    workflow.note(actor, case, "patient", f"A new status link was emailed to {case.patient.email}.")
    db.session.flush()


# -- the report given to the patient ---------------------------------------------------------------

def release_of(case: Case) -> ReportRelease | None:
    return db.session.get(ReportRelease, case.id)


def may_release(case: Case) -> bool:
    """The case page offers "Give the report to the patient": a signed opinion, not given yet, a case not abandoned."""
    return (case.status not in workflow.ABANDONED_STATUSES and signed_opinion(case) is not None
            and release_of(case) is None)


def release_report(actor, case: Case) -> ReportRelease:
    """Give the patient their report on the status page, and tell them by mail. The report is the
    patient's own record: no consent is needed, only a signed opinion."""
    if signed_opinion(case) is None:
        raise PatientError("The report can be given to the patient once the specialist has signed the opinion.")
    if release_of(case) is not None:
        raise PatientError("The report is already on the patient's status page.")
    if case.status in workflow.ABANDONED_STATUSES:
        raise PatientError(f"Case {case.reference} has ended without an opinion.")
    workflow.claim(case)
    release = ReportRelease(case_id=case.id, released_by_id=getattr(actor, "id", None), released_at=utcnow())
    db.session.add(release)
    db.session.flush()
    token = issue_status_link(actor, case)
    with i18n.patient_language(case):
        text, html = render_mail("report_ready", **_clinic_context(case, token))
        enqueue(case.patient.email, _("%(clinic)s: your second-opinion report is ready",
                                      clinic=current_app.config["CLINIC_NAME"]), text, html, case_id=case.id)
    audit.record(actor, "export", "report", case.id, detail="released to the patient")
    workflow.note(actor, case, "patient", "Report given to the patient on the status page (mail sent).")
    db.session.flush()
    return release


def read_report(link: StatusLink, how: str) -> outcomes.ReportFacts | None:
    """The report for the patient (page or PDF), once released; each reading audited."""
    case = link.case
    release = release_of(case)
    facts = outcomes.report_facts(case, for_patient=True) if release is not None else None
    if facts is None:
        return None
    release.first_read_at = release.first_read_at or utcnow()
    audit.record(None, "view" if how == "page" else "export", "report", case.id, detail=f"patient {how} link={link.id}")
    return facts


# -- messages from the patient ---------------------------------------------------------------------

def write_message(link: StatusLink, body: str) -> PatientMessage:
    body = (body or "").strip()
    if not body:
        raise PatientError(_("Write your message first."), field="body", status=422)
    if len(body) > 2000:
        raise PatientError(_("Please keep your message under 2,000 characters."), field="body", status=422)
    message = PatientMessage(case_id=link.case_id, body=body, received_at=utcnow())
    db.session.add(message)
    db.session.flush()
    audit.record(None, "create", "patient_message", message.id, detail=f"case={link.case_id} link={link.id}")
    workflow.note(None, link.case, "patient", "The patient wrote a message on the status page.")
    return message


def open_messages(case: Case) -> list[PatientMessage]:
    return list(db.session.scalars(sa.select(PatientMessage).where(PatientMessage.case_id == case.id)
                                   .order_by(PatientMessage.received_at.desc(), PatientMessage.id.desc())))


def mark_handled(actor, message: PatientMessage) -> None:
    if message.handled_at is not None:
        raise PatientError("This message is already marked as handled.")
    message.handled_at, message.handled_by_id = utcnow(), getattr(actor, "id", None)
    audit.record(actor, "update", "patient_message", message.id, detail="handled")
    db.session.flush()


def unanswered_message() -> sa.ColumnElement[bool]:
    """The work queue's flag: a message from the patient nobody has handled."""
    return sa.exists().where(PatientMessage.case_id == Case.id, PatientMessage.handled_at.is_(None))


# -- the consultation, moved or cancelled by the patient -------------------------------------------

@dataclass(frozen=True)
class MoveOffer:
    """Why the patient can or cannot move the consultation here, and the times offered."""

    allowed: bool
    slots: list[Slot]
    too_late: bool = False


def move_offer(appointment: Appointment) -> MoveOffer:
    """A few free times of the same specialist the patient may choose: at least PATIENT_MOVE_NOTICE_HOURS
    from now, inside the case's urgency window when it has any, else within MOVE_SEARCH_DAYS. The
    booking service checks the chosen one again (and the database settles a race)."""
    notice = timedelta(hours=current_app.config["PATIENT_MOVE_NOTICE_HOURS"])
    earliest = utcnow() + notice
    if appointment.start < earliest:
        return MoveOffer(False, [], too_late=True)
    zone = appointment.specialist.timezone or appointment.timezone
    today = availability.local_today(zone)
    window = today + timedelta(days=max(urgency_window_days(appointment.case.urgency), 7))
    found = availability.free_slots(appointment.specialist_id, today, today + timedelta(days=MOVE_SEARCH_DAYS),
                                    ignore_appointment=appointment.id)
    found = [slot for slot in found if slot.start >= earliest and slot.start != appointment.start]
    inside = [slot for slot in found if slot.local_start.date() <= window]
    return MoveOffer(True, (inside or found)[:MOVE_CHOICES])


def _patients_appointment(link: StatusLink, appointment_id: int) -> Appointment:
    appointment = scheduling.active_appointment(link.case)
    if appointment is None or appointment.id != appointment_id:
        raise PatientError(_("This consultation has changed since you opened the page. Please look at it again."))
    return appointment


def move(link: StatusLink, appointment_id: int, start: datetime) -> Appointment:
    """The patient picks one of the offered times: an ordinary reschedule (same UID, SEQUENCE + 1,
    new invites to everyone), refused when the time was not offered."""
    appointment = _patients_appointment(link, appointment_id)
    offer = move_offer(appointment)
    if offer.too_late:
        raise PatientError(_("Your consultation is too close to change here. Please call us."))
    if start not in {slot.start for slot in offer.slots}:
        raise PatientError(_("That time is no longer free. Please choose another."), field="start", status=422)
    try:
        scheduling.reschedule(None, appointment, start)
    except scheduling.SchedulingError:
        raise PatientError(_("That time was just taken. Please choose another."), field="start") from None
    workflow.note(None, link.case, "patient", "The patient moved the consultation on the status page.")
    return appointment


def cancel(link: StatusLink, appointment_id: int, reason: str) -> None:
    """The patient cancels: the same cancellation as staff make (a CANCEL to everyone; the case goes
    back to be booked again), with the patient's words kept as the reason."""
    appointment = _patients_appointment(link, appointment_id)
    reason = " ".join((reason or "").split())[:400]
    scheduling.cancel(None, appointment, "Cancelled by the patient" + (f": {reason}" if reason else "."))


# -- the decision ----------------------------------------------------------------------------------

def may_decide(case: Case) -> bool:
    """The patient gives their decision on the page once the report is theirs and nothing final is recorded."""
    decision = outcomes.decision_of(case)
    return (case.status == workflow.CaseStatus.OPINION_RECORDED and release_of(case) is not None
            and (decision is None or decision.choice == outcomes.UNDECIDED))


def decide(link: StatusLink, choice: str, note: str | None) -> outcomes.Decision:
    if not may_decide(link.case):
        raise PatientError(_("Your decision cannot be given here now. Please call us."))
    try:
        return outcomes.record_decision(None, link.case, choice, note, via="status_page")
    except outcomes.OutcomeError as error:
        raise PatientError(_("Please choose one of the answers."), field="choice", status=422) from error
