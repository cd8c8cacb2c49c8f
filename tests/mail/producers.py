"""Every kind of mail the clinic sends, each made by one producer through the real services.

A producer sets up what its mail needs (a request through intake, a booking, a signed opinion...),
then takes the one step that sends the mail inside `sent_by`, and returns what that step sent.
tests/mail/test_layout.py and tests/browser/test_mail_rendering.py check every mail of PRODUCERS:
a new kind of mail (acknowledgement, reminder, report ready...) is checked everywhere by adding its
producer here, decorated with @producer.

Producers run inside an application context on any database session (a test's rolled-back one,
or the browser test's live server's, committed), so they take the accounts and return plain `Mail`s.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import time
from typing import Callable

import sqlalchemy as sa

from clinic.cases import icd10
from clinic.cases.models import Case
from clinic.cases.vocabulary import SEED_QUESTIONS
from clinic.extensions import db
from clinic.mail.models import OutboxMessage
from tests import factories
from tests.conftest import accepted_case, find_slot, submit_case

# A question in the patient's own words: it names the condition, so it never leaves in a mail.
OWN_QUESTION = ("other", "Should I stop tamoxifen before the breast biopsy?")
# A coordinator's reason for a rejection, in the clinic's words: it stays inside the clinic.
REJECTION_REASON = "Carcinoma pathology: margins page missing"
IN_PERSON = "12 Harbor Street, 4th floor, Boston, MA 02110"


@dataclass(frozen=True)
class Mail:
    kind: str            # the producer's name
    recipient: str
    to_patient: bool
    subject: str
    text: str
    html: str
    private: tuple[str, ...]  # what must never appear in it: the case's condition, treatment, questions...

    @property
    def name(self) -> str:
        return f"{self.kind}-{'patient' if self.to_patient else self.recipient.split('@')[0]}"


@dataclass
class Sent:
    case: Case
    messages: list[OutboxMessage]
    private: tuple[str, ...] = field(default=())  # beyond the case's own (see private_of)


PRODUCERS: list[Callable[[dict], Sent]] = []


def producer(function: Callable[[dict], Sent]) -> Callable[[dict], Sent]:
    PRODUCERS.append(function)
    return function


def sent_by(step: Callable[[], object]) -> list[OutboxMessage]:
    """The mail `step` wrote to the outbox, oldest first."""
    last = db.session.scalar(sa.select(sa.func.max(OutboxMessage.id))) or 0
    step()
    db.session.flush()
    return list(db.session.scalars(sa.select(OutboxMessage).where(OutboxMessage.id > last).order_by(OutboxMessage.id)))


def private_of(case: Case) -> tuple[str, ...]:
    texts = [case.diagnosis_text, case.icd10_code, icd10.describe(case.icd10_code), case.treatment_text]
    texts += [question.text for question in case.questions if (question.category, question.text) not in SEED_QUESTIONS]
    return tuple(text for text in texts if text)


def produce(make: Callable[[dict], Sent], users: dict) -> list[Mail]:
    sent = make(users)
    assert sent.messages, f"{make.__name__} sent no mail"
    private = private_of(sent.case) + sent.private
    return [Mail(make.__name__, m.recipient, m.recipient == sent.case.patient.email, m.subject, m.text_body,
                 m.html_body or "", private) for m in sent.messages]


def produce_all(users: dict) -> list[Mail]:
    return [mail for make in PRODUCERS for mail in produce(make, users)]


def _request(**changes) -> Case:
    return submit_case(questions=list(SEED_QUESTIONS) + [OWN_QUESTION], **changes)


def _booked(specialist=None, **changes):
    from clinic.scheduling import services

    case = accepted_case(specialist, questions=list(SEED_QUESTIONS) + [OWN_QUESTION], **changes)
    chosen = services.accepted_assignment(case).specialist
    return case, lambda n=0: services.book(None, case, find_slot(chosen, n))


@producer
def records_request(users) -> Sent:
    from clinic.records import services

    case = _request()
    items = [item for item in case.record_items if item.kind in ("imaging", "imaging_report")]
    return Sent(case, sent_by(lambda: services.request_records(users["coordinator"], case, items, "patient",
                                                              "upload_link")))


@producer
def record_rejected(users) -> Sent:
    from clinic.records import services

    coordinator = users["coordinator"]
    case = _request()
    item = next(item for item in case.record_items if item.kind == "imaging")
    services.request_records(coordinator, case, [item], "patient", "upload_link")
    factories.attach(coordinator, item)
    return Sent(case, sent_by(lambda: services.reject_record(coordinator, item, REJECTION_REASON, "wrong_record")),
                private=(REJECTION_REASON,))


@producer
def appointment_booked(users) -> Sent:
    """A video consultation; the patient lives six hours from the specialist."""
    specialist = factories.ClinicianFactory(timezone="America/Chicago")
    factories.open_every_day(specialist)
    case, book = _booked(specialist, timezone="Europe/Berlin")
    return Sent(case, sent_by(book))


@producer
def appointment_booked_in_person(users) -> Sent:
    specialist = factories.ClinicianFactory()
    for day in range(7):
        factories.AvailabilityRuleFactory(specialist=specialist, weekday=day, start_time=time(9), end_time=time(17),
                                          timezone=specialist.timezone, modality="in_person", location=IN_PERSON)
    case, book = _booked(specialist)
    return Sent(case, sent_by(book))


@producer
def appointment_moved(users) -> Sent:
    from clinic.scheduling import services

    case, book = _booked()
    appointment = book()
    later = find_slot(appointment.specialist, 2)
    return Sent(case, sent_by(lambda: services.reschedule(users["coordinator"], appointment, later)))


@producer
def appointment_cancelled(users) -> Sent:
    from clinic.scheduling import services

    case, book = _booked()
    appointment = book()
    reason = "Patient admitted to hospital for the mastectomy"
    return Sent(case, sent_by(lambda: services.cancel(users["coordinator"], appointment, reason)), private=(reason,))


@producer
def case_proposed(users) -> Sent:
    """A staff mail: the specialist offered a case answers through the app."""
    from clinic.matching import services

    specialist = users["specialist"].clinician
    breast = factories.SubspecialtyFactory(icd10_prefixes="C50")
    factories.ExpertiseFactory(specialist=specialist, subspecialty=breast)
    factories.NetworkFactory(specialist_id=specialist.id, plan=factories.PlanFactory(payer="Acme Health",
                                                                                      name="Gold PPO"))
    case = factories.open_gate(None, _request())
    return Sent(case, sent_by(lambda: services.propose_specialist(
        users["coordinator"], case, specialist.npi, override="Referring doctor checked by phone")))


@producer
def report_link(users) -> Sent:
    """To the first doctor, with the patient's consent, once the opinion is signed."""
    from clinic.outcomes import services

    doctor = factories.UserFactory(role="specialist", clinician=factories.ClinicianFactory())
    factories.open_every_day(doctor.clinician)
    case = accepted_case(doctor.clinician, questions=list(SEED_QUESTIONS) + [OWN_QUESTION])
    factories.consult(case)
    opinion = factories.sign(case, doctor)
    return Sent(case, sent_by(lambda: services.send_report(users["coordinator"], case, "first.doctor@example.org")),
                private=(opinion.diagnosis_text, opinion.recommendation, opinion.less_invasive_option))



@producer
def acknowledgement(users) -> Sent:
    """Every new case: the reference, what happens next, the status link."""
    from clinic.cases.services import submit_request
    from tests.conftest import build_intake

    holder = {}
    messages = sent_by(lambda: holder.setdefault("case", submit_request(
        None, build_intake(questions=list(SEED_QUESTIONS) + [OWN_QUESTION]))))
    return Sent(holder["case"], messages)


@producer
def status_link(users) -> Sent:
    from clinic.patients import services

    case = _request()
    return Sent(case, sent_by(lambda: services.send_status_link(users["coordinator"], case)))


@producer
def reminder(users) -> Sent:
    """Two hours before a video consultation (the worker's reminder run)."""
    from datetime import timedelta

    from clinic.database import utcnow
    from clinic.patients import reminders

    case, book = _booked()
    appointment = book(3)
    appointment.invited_at = utcnow() - timedelta(days=3)
    db.session.flush()
    return Sent(case, sent_by(lambda: reminders.send_due(appointment.start - timedelta(hours=1))))


@producer
def report_ready(users) -> Sent:
    """To the patient, when the coordinator gives them their report."""
    from clinic.patients import services

    doctor = factories.UserFactory(role="specialist", clinician=factories.ClinicianFactory())
    factories.open_every_day(doctor.clinician)
    case = accepted_case(doctor.clinician, questions=list(SEED_QUESTIONS) + [OWN_QUESTION])
    factories.consult(case)
    opinion = factories.sign(case, doctor)
    return Sent(case, sent_by(lambda: services.release_report(users["coordinator"], case)),
                private=(opinion.diagnosis_text, opinion.recommendation, opinion.less_invasive_option))


@producer
def counter_declined(users) -> Sent:
    """The patient proposed another time from Outlook; the coordinator declines it (a DECLINECOUNTER)."""
    from clinic.inbox import services
    from tests.inbox.conftest import reply_for

    case, book = _booked()
    appointment = book()
    later = find_slot(appointment.specialist, 4)
    message = services.receive(reply_for(appointment, "outlook_counter", proposed_start=later,
                                         proposed_end=later + (appointment.end - appointment.start)))
    [counter] = services.pending_counters(message.appointment_id)
    return Sent(case, sent_by(lambda: services.decline_counter(users["coordinator"], counter)))
