"""What the status page says, worked out from the case: where it is in plain words, what is needed
from the patient now, the consultation on the patient's own clock, the report and the decision.

No codes, no staff words: the patient reads "We have 3 of your 5 records", not "records_pending".
"""
from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import quote

from flask_babel import gettext as _

from clinic.cases.models import Case
from clinic.i18n import N_, day_and_month
from clinic.cases.workflow import ABANDONED_STATUSES, CaseStatus
from clinic.outcomes import services as outcomes
from clinic.outcomes.models import Decision
from clinic.patients import services
from clinic.records.links import items_for_patient
from clinic.records.models import RecordItem
from clinic.records.vocabulary import REJECTION_PROBLEMS, RecordStatus
from clinic.review.services import signed_opinion
from clinic.scheduling import invites, notices
from clinic.scheduling import services as scheduling
from clinic.scheduling.models import Appointment, AppointmentStatus

S = CaseStatus
# The steps the patient sees, and the first case status at which each is done.
STEPS = (
    (N_("We received your request"), S.RECORDS_PENDING),
    (N_("Your medical records"), S.READY_TO_MATCH),
    (N_("A specialist with no ties to your doctors"), S.MATCHED),
    (N_("Your consultation"), S.CONSULTED),
    (N_("The specialist's written opinion"), S.OPINION_RECORDED),
    (N_("Your decision"), S.CLOSED),
)
ORDER = (S.RECORDS_PENDING, S.READY_TO_MATCH, S.MATCHED, S.SCHEDULED, S.CONSULTED, S.OPINION_RECORDED, S.CLOSED)


@dataclass(frozen=True)
class Step:
    label: str
    state: str  # done | current | later


@dataclass(frozen=True)
class Wanted:
    """A record the patient is asked for, with why a file they sent could not be used."""

    item: RecordItem
    problem: str | None


@dataclass(frozen=True)
class Visit:
    appointment: Appointment
    when: str          # "Tuesday 10 March 2026 at 09:00, New York time (EDT)": on the patient's clock
    checklist: list[str]
    directions: str | None  # a map search for an in-person address


@dataclass
class StatusPage:
    case: Case
    headline: str
    steps: list[Step]
    records_have: int
    records_total: int
    wanted: list[Wanted]
    visit: Visit | None
    visit_cancelled: bool
    report_ready: bool
    decision: Decision | None
    may_decide: bool
    ended_without_opinion: bool
    notes: list[str] = field(default_factory=list)


def _steps(case: Case) -> list[Step]:
    if case.status in ABANDONED_STATUSES:
        return []
    reached = ORDER.index(S(case.status))
    steps, current_given = [], False
    for label, done_at in STEPS:
        done = reached >= ORDER.index(done_at)
        state = "done" if done else ("later" if current_given else "current")
        current_given = current_given or state == "current"
        steps.append(Step(_(label), state))
    return steps


def _records(case: Case) -> tuple[int, int]:
    counted = [item for item in case.record_items if item.required and item.status != RecordStatus.NOT_APPLICABLE]
    have = [item for item in counted if item.status in (RecordStatus.RECEIVED, RecordStatus.VERIFIED)]
    return len(have), len(counted)


def _visit(case: Case, appointment: Appointment) -> Visit:
    checklist = invites.prep_checklist(len(case.questions), appointment.modality).splitlines()[1:]
    directions = None
    if appointment.modality == "in_person" and appointment.location:
        directions = "https://www.openstreetmap.org/search?query=" + quote(appointment.location)
    return Visit(appointment, notices.long_when(appointment.start, case.patient.timezone), [line.removeprefix("- ") for line in checklist], directions)


def _headline(case: Case, have: int, total: int, visit: Visit | None, report_ready: bool,
              decision: Decision | None) -> str:
    status = case.status
    if status in ABANDONED_STATUSES:
        return _("This request is closed. If you think this is a mistake, please call us.")
    if status == S.RECORDS_PENDING:
        return _("We are gathering your medical records. We have %(have)s of your %(total)s records.",
                 have=have, total=total)
    if status == S.READY_TO_MATCH:
        return _("We have your records. We are finding a specialist who has no ties to your doctors.")
    if status == S.MATCHED:
        return _("A specialist has agreed to review your case. We will send you a time for your consultation soon.")
    if status == S.SCHEDULED and visit is not None:
        return _("Your consultation is booked for %(when)s.", when=visit.when)
    if status == S.CONSULTED:
        return _("The specialist is writing the report of your second opinion.")
    if status == S.OPINION_RECORDED:
        if not report_ready:
            return _("The specialist has written the report. We will share it with you soon.")
        if decision is not None:
            return _("Your report is ready. You told us you have not decided yet; we will ask again around %(day)s.",
                     day=day_and_month(decision.follow_up_on))
        return _("Your report is ready. Read it below, then tell us what you decide.")
    return _("Your second opinion is complete. Your report stays here for you to read.")


def build(case: Case) -> StatusPage:
    have, total = _records(case)
    wanted = [Wanted(item, _(REJECTION_PROBLEMS[item.rejection_problem or "other"][1])
                     if item.status == RecordStatus.REJECTED else None)
              for item in (items_for_patient(case) if case.is_open else [])]
    active = scheduling.active_appointment(case)
    visit = _visit(case, active) if active is not None else None
    latest = scheduling.latest_appointment(case)
    cancelled = active is None and latest is not None and latest.status == AppointmentStatus.CANCELLED \
        and case.status == S.MATCHED
    report_ready = services.release_of(case) is not None and signed_opinion(case) is not None
    decision = outcomes.decision_of(case)
    return StatusPage(case, _headline(case, have, total, visit, report_ready, decision), _steps(case), have, total,
                      wanted, visit, cancelled, report_ready, decision, services.may_decide(case),
                      case.status in ABANDONED_STATUSES)
