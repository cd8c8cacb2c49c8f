"""factory_boy factories for the directory and accounts (cases go through the intake service)."""
from __future__ import annotations

from datetime import date, time

import factory
from factory.alchemy import SQLAlchemyModelFactory

from clinic.auth.models import User
from clinic.directory.models import (Affiliation, Clinician, NetworkMembership, Organization, Plan, Relationship,
                                     SpecialistSubspecialty, Subspecialty, normalize_name)
from clinic.database import utcnow
from clinic.matching.models import Assignment
from clinic.directory.npi import with_check_digit
from clinic.extensions import db
from clinic.scheduling.models import AvailabilityRule

PASSWORD = "correct-horse-battery-staple-9"


class Base(SQLAlchemyModelFactory):
    class Meta:
        abstract = True
        sqlalchemy_session_factory = lambda: db.session  # noqa: E731  (the per-test session)
        sqlalchemy_session_persistence = "flush"


class ClinicianFactory(Base):
    class Meta:
        model = Clinician

    npi = factory.Sequence(lambda n: with_check_digit(f"2{n:08d}"))
    name = factory.Sequence(lambda n: f"Dr. Test Clinician {n}")
    kind = "specialist"
    specialty = "Oncology"
    languages = "en"
    timezone = "America/New_York"
    email = factory.Sequence(lambda n: f"clinician{n}@panel.test")


class OrganizationFactory(Base):
    class Meta:
        model = Organization

    name = factory.Sequence(lambda n: f"Test Hospital {n}")
    normalized_name = factory.LazyAttribute(lambda o: normalize_name(o.name))
    kind = "hospital"


class AffiliationFactory(Base):
    class Meta:
        model = Affiliation

    clinician = factory.SubFactory(ClinicianFactory)
    organization = factory.SubFactory(OrganizationFactory)
    start = date(2015, 1, 1)
    end = None


class SubspecialtyFactory(Base):
    class Meta:
        model = Subspecialty

    code = factory.Sequence(lambda n: f"sub_{n}")
    name = factory.Sequence(lambda n: f"Subspecialty {n}")
    icd10_prefixes = "C50"


class ExpertiseFactory(Base):
    class Meta:
        model = SpecialistSubspecialty

    specialist = factory.SubFactory(ClinicianFactory)
    subspecialty = factory.SubFactory(SubspecialtyFactory)
    annual_volume = 50


class PlanFactory(Base):
    class Meta:
        model = Plan

    payer = "Acme Health"
    name = factory.Sequence(lambda n: f"Plan {n}")


class NetworkFactory(Base):
    class Meta:
        model = NetworkMembership

    specialist_id = factory.LazyFunction(lambda: ClinicianFactory().id)
    plan = factory.SubFactory(PlanFactory)
    start = date(2015, 1, 1)
    end = None


class RelationshipFactory(Base):
    class Meta:
        model = Relationship

    clinician_a = factory.SubFactory(ClinicianFactory)
    clinician_b = factory.SubFactory(ClinicianFactory, kind="external")
    kind = "financial"
    start = None
    end = None


class AssignmentFactory(Base):
    class Meta:
        model = Assignment

    specialist = factory.SubFactory(ClinicianFactory)
    status = "proposed"


class UserFactory(Base):
    class Meta:
        model = User

    email = factory.Sequence(lambda n: f"user{n}@clinic.example")
    name = factory.Sequence(lambda n: f"Test User {n}")
    role = "coordinator"
    password_hash = factory.LazyFunction(lambda: _hash(PASSWORD))


def _hash(password: str) -> str:
    from clinic.auth.passwords import hash_password

    return hash_password(password)


# Records: small real files of each accepted type, attached through the upload service.
TINY_PDF = (b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\n"
            b"trailer<</Root 1 0 R>>\n%%EOF\n")


def attach(actor, item, content: bytes | None = None, name: str = "report.pdf", via: str = "coordinator"):
    """Attach a document to a record item through the real service (a unique PDF by default)."""
    import io
    import uuid

    from clinic.records.uploads import attach_document

    content = content if content is not None else TINY_PDF + f"% {uuid.uuid4().hex}\n".encode()
    return attach_document(actor, item, name, io.BytesIO(content), via=via)


def open_gate(actor, case):
    """Take a case to `ready_to_match` the way a coordinator does: every required record
    attached and verified, coverage verified in network (or self-pay as stated)."""
    from clinic.cases import workflow
    from clinic.coverage.services import CoverageFacts, record_check
    from clinic.records.services import verify_record

    for item in list(case.record_items):
        if item.status not in ("verified", "not_applicable"):
            attach(actor, item)
            verify_record(actor, item)
    if not case.self_pay:
        record_check(actor, case, CoverageFacts(result="verified_in_network", payer=case.payer,
                                                plan_name=case.plan_name, member_id=case.member_id, method="portal"))
    assert case.status == "ready_to_match", workflow.waiting_for(case)
    return case


class AvailabilityRuleFactory(Base):
    class Meta:
        model = AvailabilityRule

    specialist = factory.SubFactory(ClinicianFactory)
    weekday = 0
    start_time = time(9, 0)
    end_time = time(17, 0)
    slot_minutes = 60
    timezone = "America/New_York"
    modality = "video"
    location = "https://video.example/room/1"


def open_every_day(specialist, start=time(9, 0), end=time(17, 0), minutes=60, zone=None, modality="video"):
    """Openings on all seven weekdays, so some slot is always free in the coming days."""
    return [AvailabilityRuleFactory(specialist=specialist, weekday=day, start_time=start, end_time=end,
                                    slot_minutes=minutes, timezone=zone or specialist.timezone, modality=modality)
            for day in range(7)]


def accept(case, specialist):
    """The case as stage 3 leaves it: records and coverage verified through the real services,
    then an accepted assignment, which the workflow turns into `matched` by its own guard.
    (The assignment row is written directly so any specialist will do, eligible or not.)"""
    from clinic.cases import workflow

    open_gate(None, case)
    db.session.add(Assignment(case_id=case.id, specialist_id=specialist.id, status="accepted",
                              responded_at=utcnow()))
    db.session.flush()
    workflow.advance(None, case)
    assert case.status == "matched", workflow.waiting_for(case)
    return case


def consult(case, actor=None):
    """A matched case through booking and a held consultation. The booking service refuses the
    past, so the consultation is booked in the future and then moved back a month (test time travel)."""
    from datetime import timedelta

    from clinic.scheduling import availability, services

    specialist = services.accepted_assignment(case).specialist
    first = availability.local_today(specialist.timezone) + timedelta(days=1)
    appointment = services.book(actor, case, availability.free_slots(specialist.id, first,
                                                                     first + timedelta(days=14))[0].start)
    appointment.start -= timedelta(days=30)
    appointment.end -= timedelta(days=30)
    services.complete(actor, appointment)
    assert case.status == "consulted"
    return appointment


def opinion_facts(case, **changes):
    """A complete opinion: every field stated and every question answered."""
    from clinic.review.services import OpinionFacts

    values = dict(diagnosis_text="Invasive ductal carcinoma, right breast, stage IIA", icd10_code="C50.911",
                  diagnosis_comparison="refined", treatment_comparison="modified", less_invasive=True,
                  less_invasive_option="Breast-conserving surgery with radiotherapy",
                  if_patient_waits="Waiting a few weeks is safe; months are not.",
                  recommendation="Lumpectomy and sentinel node biopsy, then radiotherapy.",
                  answers={q.id: f"Answer to question {q.position}." for q in case.questions})
    values.update(changes)
    return OpinionFacts(**values)


def sign(case, user, **changes):
    """The assigned specialist (`user`) signs a complete opinion on a consulted case."""
    from clinic.review.services import assignment_of, sign_opinion

    return sign_opinion(user, assignment_of(user.clinician_id, case.id), opinion_facts(case, **changes))


def besides_acknowledgement():
    """A filter on the outbox: every mail but the acknowledgement each new case sends (tests/patients checks it)."""
    from clinic.mail.models import OutboxMessage

    return OutboxMessage.subject.not_like("%: we received your request%")
