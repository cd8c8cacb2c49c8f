"""Fixtures for query-count tests: a clinic that grows between two counts (the counter is in tests/conftest.py),
built once per module: the module's pages are counted on it small, it grows tenfold, and they are counted again."""
from __future__ import annotations

from datetime import date, timedelta


from clinic.cases.intake import NamedClinician
from clinic.extensions import db
from tests import factories
from tests.conftest import build_intake, shared_transaction, sign_in, statements_of


def build_clinic(users: dict, new_case, next_slot) -> dict:
    """A small clinic that `grow(n)` enlarges: n more specialists on the panel (breast oncology, in network,
    open every day), n more cases in every open stage, each later stage's case with its assignment,
    appointment, held consultation and signed opinion, all through the real services."""
    from clinic.matching.services import propose_specialist
    from clinic.scheduling.services import book

    session = db.session
    breast = factories.SubspecialtyFactory(code="breast", name="Breast oncology", icd10_prefixes="C50")
    gold = factories.PlanFactory(payer="Acme Health", name="Gold PPO")
    mercy = factories.OrganizationFactory(name="Mercy General Hospital")
    referring = factories.ClinicianFactory(kind="external", name="Dr. Xavier Hale")
    factories.AffiliationFactory(clinician=referring, organization=mercy, start=date(2010, 1, 1))
    state = {"specialists": [], "cases": {}, "appointments": [], "subspecialty": breast, "plan": gold}
    coordinator, signer = users["coordinator"], users["specialist"]
    factories.open_every_day(signer.clinician)

    def specialist():
        person = factories.ClinicianFactory()
        factories.ExpertiseFactory(specialist=person, subspecialty=breast, annual_volume=10 + len(state["specialists"]))
        factories.NetworkFactory(specialist_id=person.id, plan=gold, start=date(2015, 1, 1))
        factories.AffiliationFactory(clinician=person, organization=factories.OrganizationFactory())
        factories.open_every_day(person)
        state["specialists"].append(person)
        return person

    def case():
        return new_case(coordinator, referring=NamedClinician(referring.name, referring.npi, "Mercy General Hospital"),
                        questions=[("other", f"Question {i}?") for i in range(3)])

    def grow(n: int):
        for _ in range(n):
            specialist()
        for _ in range(n):
            state["cases"].setdefault("records_pending", []).append(case())
            ready = factories.open_gate(coordinator, case())
            state["cases"].setdefault("ready_to_match", []).append(ready)
            proposed = factories.open_gate(coordinator, case())
            propose_specialist(coordinator, proposed, state["specialists"][-1].npi)
            state["cases"].setdefault("proposed", []).append(proposed)
            person = state["specialists"][len(state["cases"]["proposed"]) % len(state["specialists"])]
            state["cases"].setdefault("matched", []).append(factories.accept(case(), person))
            scheduled = factories.accept(case(), person)
            start = next_slot(person, len(state["appointments"]))
            state["appointments"].append(book(coordinator, scheduled, start))
            state["cases"].setdefault("scheduled", []).append(scheduled)
            consulted = factories.accept(case(), signer.clinician)
            factories.consult(consulted)
            state["cases"].setdefault("consulted", []).append(consulted)
            signed = factories.accept(case(), signer.clinician)
            factories.consult(signed)
            factories.sign(signed, signer)
            state["cases"].setdefault("opinion_recorded", []).append(signed)
        session.flush()
        return state

    state["grow"] = grow
    return state


def counts_before_and_after_growth(_app, pages: dict) -> dict[str, tuple[int, int]]:
    """name -> (statements with one case in every stage, statements after the clinic grew tenfold), for
    each of `pages` (name -> path(clinic)) opened by a coordinator; the clinic is built once for them all
    and rolled back after."""
    from clinic.cases.services import submit_request
    from clinic.scheduling.availability import free_slots, local_today

    def new_case(actor=None, **changes):
        case = submit_request(actor, build_intake(**changes))
        db.session.flush()
        return case

    def next_slot(specialist, n=0):
        first = local_today(specialist.timezone) + timedelta(days=1)
        return free_slots(specialist.id, first, first + timedelta(days=14))[n].start

    with shared_transaction(_app):
        users = {"coordinator": factories.UserFactory(role="coordinator"),
                 "specialist": factories.UserFactory(role="specialist", clinician=factories.ClinicianFactory(kind="specialist"))}
        clinic = build_clinic(users, new_case, next_slot)
        clinic["grow"](1)
        # Signed in afresh for each count: a session idle for a while (a slow build) has its last-seen
        # time saved on its next request, which would be counted as growth.
        before = {name: statements_of(sign_in(_app.test_client(), users["coordinator"]), path(clinic))
                  for name, path in pages.items()}
        clinic["grow"](9)
        return {name: (before[name], statements_of(sign_in(_app.test_client(), users["coordinator"]), path(clinic)))
                for name, path in pages.items()}
