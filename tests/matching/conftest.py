"""Fixtures for matching: a small panel with one specialist per kind of exclusion, and cases ready to match."""
from __future__ import annotations

from datetime import date

import pytest

from clinic.cases.intake import NamedClinician
from tests import factories


def make_ready(case):
    """The case through records and coverage, as a coordinator would take it."""
    return factories.open_gate(None, case)


@pytest.fixture
def panel(session, users):
    """Breast oncology panel for Acme Health Gold PPO; the referring doctor works at Mercy General."""
    mercy = factories.OrganizationFactory(name="Mercy General Hospital")
    breast = factories.SubspecialtyFactory(code="breast", name="Breast oncology", icd10_prefixes="C50")
    gold = factories.PlanFactory(payer="Acme Health", name="Gold PPO")
    referring = factories.ClinicianFactory(kind="external", name="Dr. Xavier Hale")
    factories.AffiliationFactory(clinician=referring, organization=mercy, start=date(2010, 1, 1))

    def specialist(name, networks=True, expertise=True, **changes):
        person = factories.ClinicianFactory(name=name, **changes)
        if expertise:
            factories.ExpertiseFactory(specialist=person, subspecialty=breast, annual_volume=100)
        if networks:
            factories.NetworkFactory(specialist_id=person.id, plan=gold)
        return person

    people = {
        "eligible": specialist("Dr. Ada Eligible"),
        "demo": users["specialist"].clinician,
        "inactive": specialist("Dr. Ivy Inactive", active=False),
        "other_field": specialist("Dr. Otto Field", expertise=False),
        "colleague": specialist("Dr. Cole League"),
        "financial": specialist("Dr. Fin Ancial"),
        "out_of_network": specialist("Dr. Noah Network", networks=False),
    }
    factories.ExpertiseFactory(specialist=people["demo"], subspecialty=breast, annual_volume=50)
    factories.NetworkFactory(specialist_id=people["demo"].id, plan=gold)
    factories.AffiliationFactory(clinician=people["colleague"], organization=mercy, start=date(2020, 1, 1))
    factories.RelationshipFactory(clinician_a=people["financial"], clinician_b=referring, kind="financial")
    session.flush()
    return {"people": people, "referring": referring, "mercy": mercy, "plan": gold, "subspecialty": breast}


@pytest.fixture
def ready_case(new_case, panel, users, session):
    """ready_case(**intake_changes): a request from the panel's referring doctor, ready to match."""
    def make(**changes):
        doctor = panel["referring"]
        values = {"referring": NamedClinician(doctor.name, doctor.npi, None)} | changes
        case = make_ready(new_case(users["coordinator"], **values))
        session.flush()
        return case
    return make
