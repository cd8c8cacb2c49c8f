"""Demo outcomes: the demo specialist's cases in every group, and past cases taken all the way
from request to the patient's decision, so the outcomes dashboard has figures to show.

Everything goes through the real services (intake, records, coverage, matching, booking,
completion, opinion, decision). Past cases need the past, which the app rightly refuses, so
this demo code alone travels in time, in three ways:
- a consultation is booked in a free future slot, then its stored times are moved back to
  the day it "took place" before it is marked held (the booking service refuses the past);
- signing and deciding run with the clock of those services set to the day they happened
  (a signed opinion cannot be re-dated afterwards: the database refuses it);
- the timeline's lines are re-dated to the days each stage took, as they would have been.
"""
from __future__ import annotations

from contextlib import contextmanager
from datetime import date, datetime, time, timedelta
from unittest import mock

from clinic.cases import milestones
from clinic.cases.intake import Intake, NamedClinician
from clinic.cases.services import submit_request
from clinic.cases.vocabulary import SEED_QUESTIONS
from clinic.cases.workflow import CaseStatus
from clinic.coverage.services import record_check
from clinic.database import utcnow
from clinic.demo.outcome_cases import CLOSED
from clinic.demo.records import _insured, _receive
from clinic.matching.services import accept_assignment, propose_specialist
from clinic.outcomes.services import record_decision
from clinic.review.services import OpinionFacts, assignment_of, save_draft, sign_opinion
from clinic.scheduling import availability, services as scheduling
from clinic.scheduling.models import AvailabilityRule

STAGES = (CaseStatus.READY_TO_MATCH, CaseStatus.MATCHED, CaseStatus.SCHEDULED, CaseStatus.CONSULTED, CaseStatus.OPINION_RECORDED, CaseStatus.CLOSED)
# The demo specialist's own cases (Dr. Priya Raman, breast surgical oncology; case 0 is her proposal).
RAMAN = (
    ("Olivia Bennett", date(1975, 9, 14), "Invasive ductal carcinoma, left breast, 1.5 cm", "C50.412",
     "Left mastectomy", "upcoming"),
    ("Sara Lindholm", date(1968, 1, 30), "Invasive ductal carcinoma, right breast, multifocal", "C50.811",
     "Right mastectomy with immediate reconstruction", "awaiting"),
    ("Patricia Nolan", date(1959, 6, 3), "Invasive lobular carcinoma, right breast", "C50.911",
     "Right mastectomy", "signed"),
)


@contextmanager
def _clock(moment: datetime):
    with mock.patch("clinic.review.services.utcnow", lambda: moment), \
            mock.patch("clinic.outcomes.services.utcnow", lambda: moment), \
            mock.patch("clinic.cases.workflow.utcnow", lambda: moment):
        yield


def _request(state, name, born, diagnosis, code, treatment, invasive=True, reasons=("invasive_treatment",),
             urgency="soon") -> object:
    carter = state["referring"][0]
    organization = carter.affiliations[0].organization.name
    doctor = NamedClinician(carter.name, carter.npi, organization)
    intake = Intake(channel="physician", patient_name=name, birth_date=born,
                    email=name.lower().replace(" ", ".") + "@patient.example", phone=None, timezone="America/New_York",
                    language="en", referring=doctor, first_opinion=doctor, diagnosis_text=diagnosis, icd10_code=code,
                    treatment_text=treatment, treatment_invasive=invasive, reasons=list(reasons), urgency=urgency,
                    consent_to_contact_first_doctor=len(name) % 3 != 0, questions=list(SEED_QUESTIONS),
                    payer="Acme Health", plan_name="Gold PPO", member_id=f"M{sum(map(ord, name)) * 37 % 900000 + 100000}")
    return submit_request(state["users"]["coordinator"], intake)


def _matched(state, case, specialist):
    coordinator = state["users"]["coordinator"]
    _receive(coordinator, case)
    record_check(coordinator, case, _insured(case))
    accept_assignment(None, propose_specialist(coordinator, case, specialist.npi))
    return case


def _open(admin, person) -> None:
    """Weekday mornings for a specialist the scheduling step gave no openings."""
    if not person.id or not AvailabilityRule.query.filter_by(specialist_id=person.id).first():
        for weekday in range(5):
            availability.add_rule(admin, person, weekday, time(9), time(12), 60, person.timezone, "video",
                                  f"https://video.demo.clinic/{person.name.split()[-1].lower()}")


def _book(state, case, when: datetime | None = None):
    """Book the first free slot; for a past consultation move it to `when` and mark it held."""
    person = scheduling.accepted_assignment(case).specialist
    first = availability.local_today(person.timezone) + timedelta(days=2)
    slot = availability.free_slots(person.id, first, first + timedelta(days=30))[0]
    appointment = scheduling.book(state["users"]["coordinator"], case, slot.start)
    if when is not None:
        length = appointment.end - appointment.start
        appointment.start, appointment.end = when, when + length
        scheduling.complete(state["users"]["coordinator"], appointment)
    return appointment


def _answers(case, facts: OpinionFacts, goal: str, volume: int) -> dict[int, str]:
    by_category = {
        "diagnosis": [{"confirmed": "Yes, I agree with it.", "refined": "Yes, with more precision: "
                       + facts.diagnosis_text + ".", "changed": "No."}[facts.diagnosis_comparison],
                      "I agree with the first diagnosis." if facts.diagnosis_comparison == "confirmed" else
                      f"{facts.diagnosis_text}: the records, imaging and pathology support it."],
        "treatment": [facts.recommendation + " The benefits outweigh the risks, which we discussed."],
        "alternatives": [facts.less_invasive_option if facts.less_invasive else "Not in your situation."],
        "experience": [f"About {volume} patients a year with this condition."],
        "prognosis": [f"{goal}."],
        "urgency": [facts.if_patient_waits],
    }
    answers = {}
    for question in case.questions:
        options = by_category.get(question.category) or ["See the recommendation."]
        answers[question.id] = options.pop(0) if len(options) > 1 else options[0]
    return answers


def _opinion(case, second_dx, second_code, dx, tx, option, waits, recommendation, goal) -> OpinionFacts:
    facts = OpinionFacts(diagnosis_text=second_dx, icd10_code=second_code, diagnosis_comparison=dx,
                         treatment_comparison=tx, less_invasive=bool(option), less_invasive_option=option,
                         if_patient_waits=waits, recommendation=recommendation)
    facts.answers = _answers(case, facts, goal, 120)
    return facts


def _backdate(case, start: datetime, stages: dict[str, datetime]) -> None:
    """Re-date the timeline: each status line to the day it happened, other lines just after."""
    case.created_at = start
    current = start
    for entry in case.timeline:
        if entry.to_status in stages:
            current = stages[entry.to_status]
        elif entry.to_status == CaseStatus.RECORDS_PENDING and entry.from_status is None:
            current = start
        else:
            current += timedelta(minutes=7)
        entry.at = current
    case.status_changed_at = current
    milestones.rebuild([case.id])  # the first time it reached each status moved with the lines


def _schedule(start: datetime, days: tuple[int, ...]) -> dict[str, datetime]:
    moments, current = {}, start
    for status, span in zip(STAGES, days):
        current += timedelta(days=span, hours=1)
        moments[status] = current
    return moments


def _past_case(state, row) -> None:
    (name, born, diagnosis, code, treatment, invasive, reasons, urgency, specialist, second_dx, second_code,
     dx, tx, option, waits, recommendation, goal, decision, days_ago, days) = row
    person = state["panel"][specialist]
    _open(state["users"]["admin"], person)
    case = _matched(state, _request(state, name, born, diagnosis, code, treatment, invasive, reasons, urgency), person)
    start = utcnow().replace(hour=14, minute=0, second=0, microsecond=0) - timedelta(days=days_ago)
    moments = _schedule(start, days)
    _book(state, case, moments[CaseStatus.CONSULTED] - timedelta(hours=1))
    user = _account(state, person)
    assignment = assignment_of(person.id, case.id)
    facts = _opinion(case, second_dx, second_code, dx, tx, option, waits, recommendation, goal)
    with _clock(moments[CaseStatus.OPINION_RECORDED]):
        sign_opinion(user, assignment, facts)
    with _clock(moments[CaseStatus.CLOSED]):
        record_decision(state["users"]["coordinator"], case, decision,
                        "Discussed by phone with the patient." if decision != "undecided" else None)
    _backdate(case, start, moments)


def _account(state, person):
    """The demo specialist signs as herself; the others sign without an account of their own."""
    raman = state["users"]["specialist"]
    return raman if raman.clinician_id == person.id else None


def _raman_cases(state) -> None:
    raman = state["users"]["specialist"]
    person = raman.clinician
    for name, born, diagnosis, code, treatment, group in RAMAN:
        case = _matched(state, _request(state, name, born, diagnosis, code, treatment, urgency="urgent"), person)
        if group == "upcoming":
            _book(state, case)
            continue
        start = utcnow().replace(hour=14, minute=0, second=0, microsecond=0) - timedelta(days=16)
        moments = _schedule(start, (3, 1, 2, 6, 2, 1))
        _book(state, case, moments[CaseStatus.CONSULTED] - timedelta(hours=1))
        assignment = assignment_of(person.id, case.id)
        if group == "awaiting":
            # A draft begun after the consultation: her diagnosis and two answers, the rest to write.
            draft = OpinionFacts(diagnosis_text="Invasive ductal carcinoma, right breast, two foci within 3 cm",
                                 icd10_code="C50.811", diagnosis_comparison="refined",
                                 answers={case.questions[0].id: "Yes, with more precision on the extent."})
            save_draft(raman, assignment, draft)
            moments = {k: v for k, v in moments.items() if k in STAGES[:4]}
        else:
            facts = _opinion(case, "Invasive lobular carcinoma, right breast, 2.1 cm, node-negative", "C50.911",
                             "refined", "modified", "Breast-conserving surgery with radiotherapy",
                             "Waiting a few weeks for surgery is safe.",
                             "Lumpectomy with sentinel node biopsy, then radiotherapy and endocrine therapy.", "Cure")
            with _clock(moments[CaseStatus.OPINION_RECORDED]):
                sign_opinion(raman, assignment, facts)
            moments.pop(CaseStatus.CLOSED)
        _backdate(case, start, moments)


def load(state: dict) -> None:
    _raman_cases(state)
    for row in CLOSED:
        _past_case(state, row)
