"""factory_boy factories for the directory and accounts (cases go through the intake service)."""
from __future__ import annotations

from datetime import date, time

import factory
from factory.alchemy import SQLAlchemyModelFactory

from clinic.auth.models import User
from clinic.database import utcnow
from clinic.directory.models import Affiliation, Clinician, Organization, normalize_name
from clinic.directory.npi import with_check_digit
from clinic.extensions import db
from clinic.matching.models import Assignment
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


class UserFactory(Base):
    class Meta:
        model = User

    email = factory.Sequence(lambda n: f"user{n}@clinic.test")
    name = factory.Sequence(lambda n: f"Test User {n}")
    role = "coordinator"
    password_hash = factory.LazyFunction(lambda: _hash(PASSWORD))


def _hash(password: str) -> str:
    from clinic.auth.passwords import hash_password

    return hash_password(password)


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
    """Tests only: the case as stage 3 leaves it, an accepted assignment and status `matched`
    (set directly here; app code moves a case only through the workflow)."""
    db.session.add(Assignment(case_id=case.id, specialist_id=specialist.id, status="accepted",
                              responded_at=utcnow()))
    case.status = "matched"
    db.session.flush()
    return case
