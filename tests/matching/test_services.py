"""Matching against the database: the loading, the proposal, the specialist's answer, the workflow."""
from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa

from clinic.cases import workflow
from clinic.cases.intake import NamedClinician
from clinic.directory.models import Affiliation, Clinician, NetworkMembership, SpecialistSubspecialty
from clinic.extensions import db
from clinic.matching import services
from clinic.matching.models import Assignment
from tests import factories


def names(items) -> set[str]:
    return {getattr(item, "specialist", item).name for item in items}


def reasons(result) -> dict[str, list[str]]:
    return {x.specialist.name: [r.text for r in x.reasons] for x in result.excluded}


def test_each_hard_rule_excludes_with_its_reason(ready_case, panel):
    result = services.shortlist(ready_case(), on=date(2026, 12, 1))
    assert names(result.candidates) == {"Dr. Ada Eligible", panel["people"]["demo"].name}
    found = reasons(result)
    assert found["Dr. Ivy Inactive"] == ["is not active on the panel"]
    assert found["Dr. Otto Field"] == ["no subspecialty covering C50.911"]
    assert found["Dr. Cole League"] == ["shared Mercy General Hospital with Dr. Xavier Hale, since 2020-01"]
    assert found["Dr. Fin Ancial"] == ["declared a financial relationship with Dr. Xavier Hale"]
    assert found["Dr. Noah Network"] == ["not in network for Acme Health Gold PPO on 2026-12-01"]


def test_a_specialist_outside_the_subspecialty_is_excluded_for_it_alone_not_for_ties_or_network(ready_case, panel):
    """Their ties and networks are not read: whoever cannot cover the diagnosis is grouped under the subspecialty."""
    outsider = factories.ClinicianFactory(name="Dr. Tia Outside")
    factories.AffiliationFactory(clinician=outsider, organization=panel["mercy"], start=date(2020, 1, 1))
    gone = factories.ClinicianFactory(name="Dr. Gus Gone", active=False)
    result = services.shortlist(ready_case(), on=date(2026, 12, 1))
    found = reasons(result)
    assert found["Dr. Tia Outside"] == ["no subspecialty covering C50.911"]
    assert found["Dr. Gus Gone"] == ["is not active on the panel", "no subspecialty covering C50.911"]
    assert gone.id not in {c.specialist.id for c in result.candidates}


def test_plan_is_matched_whatever_the_case_of_the_stated_name(ready_case):
    result = services.shortlist(ready_case(payer="ACME HEALTH", plan_name="gold ppo"))
    assert "Dr. Noah Network" in reasons(result)


def test_self_pay_case_needs_no_network(ready_case):
    result = services.shortlist(ready_case(self_pay=True, payer=None, plan_name=None, member_id=None))
    assert "Dr. Noah Network" in names(result.candidates)


def test_referring_doctor_outside_directory_is_tied_through_the_organization_named(ready_case, users):
    from clinic.matching import resolution

    case = ready_case(referring=NamedClinician("Dr. Ann Lee", None, "mercy general  HOSPITAL"))
    found = reasons(services.shortlist(case))
    assert found["Dr. Cole League"] == ["currently at Mercy General Hospital, named on the request for Dr. Ann Lee "
                                        "(not yet confirmed in the directory)"]
    resolution.mark_not_in_directory(users["coordinator"], case, "referring", "Searched by name and clinic")
    found = reasons(services.shortlist(case))
    assert found["Dr. Cole League"] == ["currently at Mercy General Hospital, named on the request for Dr. Ann Lee "
                                        "(not in the directory)"]
    assert "Dr. Fin Ancial" not in found  # the financial tie is with another doctor


def test_a_referring_doctor_on_the_panel_is_excluded_from_their_own_case(ready_case, panel):
    person = panel["people"]["eligible"]
    case = ready_case(referring=NamedClinician(person.name, person.npi, None))
    assert reasons(services.shortlist(case))["Dr. Ada Eligible"] == ["is the referring doctor"]


def test_case_without_code_waits_for_the_chosen_subspecialty(ready_case, panel):
    case = ready_case(icd10_code=None)
    assert services.shortlist(case).needs_subspecialty
    assert names(services.shortlist(case, subspecialty="breast").candidates) >= {"Dr. Ada Eligible"}


def test_the_best_few_are_the_same_when_only_they_are_asked_for(ready_case, panel, session):
    _add_specialists(0, 30, panel)
    case = ready_case()
    full = services.shortlist(case)
    best = services.shortlist(case, top=5)
    assert [(c.specialist.id, c.factors) for c in best.candidates[:5]] == \
        [(c.specialist.id, c.factors) for c in full.candidates[:5]]
    assert len(best.candidates) == len(full.candidates) and best.excluded == full.excluded


def _queries_for_one_match(case) -> int:
    count = []
    listener = lambda *args: count.append(1)  # noqa: E731
    sa.event.listen(db.engine, "before_cursor_execute", listener)
    try:
        services.shortlist(case)
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", listener)
    return len(count)


def test_match_takes_the_same_number_of_queries_for_10_and_200_specialists(ready_case, panel, session):
    case = ready_case()
    counts = []
    for start, stop in ((0, 10), (10, 200)):
        _add_specialists(start, stop, panel)
        session.expire_all()
        counts.append(_queries_for_one_match(case))
    assert counts[0] == counts[1] <= 20  # load and match, earliest slots, session and audit


def _add_specialists(start: int, stop: int, panel) -> None:
    """More specialists, each with a subspecialty, a network row and an affiliation at the doctor's hospital."""
    rows = [{"npi": f"9{i:09d}", "name": f"Dr. Bulk {i}", "kind": "specialist", "languages": "en",
             "academic": False, "timezone": "America/New_York", "active": True} for i in range(start, stop)]
    db.session.execute(sa.insert(Clinician), rows)
    ids = db.session.scalars(sa.select(Clinician.id).where(Clinician.npi.in_([r["npi"] for r in rows]))).all()
    db.session.execute(sa.insert(SpecialistSubspecialty), [
        {"specialist_id": i, "subspecialty_id": panel["subspecialty"].id, "annual_volume": i % 50} for i in ids])
    db.session.execute(sa.insert(NetworkMembership), [
        {"specialist_id": i, "plan_id": panel["plan"].id, "start": date(2015, 1, 1)} for i in ids])
    db.session.execute(sa.insert(Affiliation), [
        {"clinician_id": i, "organization_id": panel["mercy"].id, "start": date(2000 + i % 25, 1, 1)} for i in ids])


# --- proposing and answering ------------------------------------------------------------------
def test_proposal_needs_a_case_ready_to_match(new_case, panel, users):
    case = new_case(users["coordinator"])
    with pytest.raises(services.MatchingError, match="only a case ready to match"):
        services.propose_specialist(users["coordinator"], case, panel["people"]["eligible"].npi)


def test_proposal_of_an_excluded_specialist_is_refused_with_the_reasons(ready_case, panel, users):
    with pytest.raises(services.NotEligible) as refused:
        services.propose_specialist(users["coordinator"], ready_case(), panel["people"]["colleague"].npi)
    assert refused.value.reasons == ["shared Mercy General Hospital with Dr. Xavier Hale, since 2020-01"]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Assignment)) == 0


def test_only_one_live_proposal_per_case(ready_case, panel, users):
    case = ready_case()
    services.propose_specialist(users["coordinator"], case, panel["people"]["eligible"].npi)
    with pytest.raises(services.MatchingError, match="already has this case"):
        services.propose_specialist(users["coordinator"], case, panel["people"]["demo"].npi)


def test_unknown_npi_is_refused(ready_case, users):
    with pytest.raises(services.NotEligible, match="No specialist"):
        services.propose_specialist(users["coordinator"], ready_case(), "1234567893")


def test_proposal_mails_the_specialist_without_the_diagnosis(ready_case, panel, users):
    from clinic.mail.models import OutboxMessage

    case = ready_case()
    services.propose_specialist(users["coordinator"], case, panel["people"]["demo"].npi)
    message = db.session.scalars(sa.select(OutboxMessage).where(factories.besides_acknowledgement())).one()
    assert message.recipient == users["specialist"].email
    assert "carcinoma" not in (message.subject + message.text_body).lower()
    assert case.reference in message.text_body


def test_acceptance_moves_the_case_to_matched(ready_case, panel, users):
    case = ready_case()
    assignment = services.propose_specialist(users["coordinator"], case, panel["people"]["demo"].npi)
    assert workflow.waiting_for(case) == [f"{panel['people']['demo'].name} to accept or decline the proposal"]
    services.accept_assignment(users["specialist"], assignment)
    assert case.status == "matched" and assignment.status == "accepted"
    assert assignment.subspecialty.code == "breast"
    with pytest.raises(services.MatchingError, match="already accepted"):
        services.accept_assignment(users["specialist"], assignment)


def test_declared_conflict_is_honoured_for_the_case_from_then_on(ready_case, panel, users):
    case = ready_case()
    demo = panel["people"]["demo"]
    assignment = services.propose_specialist(users["coordinator"], case, demo.npi)
    services.decline_assignment(users["specialist"], assignment, "I trained with Dr. Hale.", conflict=True)
    assert case.status == "ready_to_match"
    assert reasons(services.shortlist(case))[demo.name] == ["declared a conflict for this case"]
    with pytest.raises(services.NotEligible):
        services.propose_specialist(users["coordinator"], case, demo.npi)
    assert "I trained with Dr. Hale." in case.timeline[-1].note


def test_decline_without_conflict_keeps_the_specialist_eligible_with_a_note(ready_case, panel, users):
    case = ready_case()
    demo = panel["people"]["demo"]
    services.decline_assignment(users["specialist"], services.propose_specialist(users["coordinator"], case, demo.npi),
                                "Away that week.", conflict=False)
    candidate = next(c for c in services.shortlist(case).candidates if c.specialist.id == demo.id)
    assert candidate.factors.declined_before == "Away that week."


def test_decline_needs_a_reason(ready_case, panel, users):
    assignment = services.propose_specialist(users["coordinator"], ready_case(), panel["people"]["demo"].npi)
    with pytest.raises(services.MatchingError, match="reason"):
        services.decline_assignment(users["specialist"], assignment, "   ", conflict=False)
    assert assignment.status == "proposed"


def test_giving_back_an_accepted_case_returns_it_to_ready_to_match_with_a_note(ready_case, panel, users):
    case = ready_case()
    assignment = services.propose_specialist(users["coordinator"], case, panel["people"]["demo"].npi)
    services.accept_assignment(users["specialist"], assignment)
    services.decline_assignment(users["specialist"], assignment, "A family emergency.", conflict=False)
    assert case.status == "ready_to_match"
    last = case.timeline[-1]
    assert (last.from_status, last.to_status) == ("matched", "ready_to_match") and "family emergency" in last.note


def test_coordinator_can_withdraw_a_proposal_and_propose_another(ready_case, panel, users):
    case = ready_case()
    first = services.propose_specialist(users["coordinator"], case, panel["people"]["demo"].npi)
    services.withdraw_proposal(users["coordinator"], first)
    second = services.propose_specialist(users["coordinator"], case, panel["people"]["eligible"].npi)
    assert (first.status, second.status) == ("withdrawn", "proposed")
