"""Coverage checks: the form's plan choice, prefill from the request, out-of-network agreement,
and the gate they open or close."""
from __future__ import annotations

import pytest
import sqlalchemy as sa

from clinic.cases import workflow
from clinic.coverage.services import CoverageError, CoverageFacts, prefill, record_check
from clinic.directory.models import Plan
from clinic.records.services import verify_record
from tests import factories

IN_NETWORK = dict(result="verified_in_network", payer="Acme Health", plan_name="Gold PPO", member_id="M123")


@pytest.fixture
def coordinator(users):
    return users["coordinator"]


@pytest.fixture
def ready_records(new_case, coordinator):
    """A case whose every record is verified: only coverage stands between it and matching."""
    case = new_case(coordinator)
    for item in case.record_items:
        factories.attach(coordinator, item)
        verify_record(coordinator, item)
    assert workflow.waiting_for(case) == ["Coverage: not verified"]
    return case


def test_in_network_opens_the_gate_and_records_who_and_when(ready_records, coordinator):
    check = record_check(coordinator, ready_records, CoverageFacts(**IN_NETWORK, method="phone"))
    assert ready_records.status == "ready_to_match"
    assert check.checked_by_id == coordinator.id and check.checked_at is not None
    assert "Coverage checked: Verified, in network (Acme Health Gold PPO)" in \
        [t.note for t in ready_records.timeline if t.kind == "coverage"][0]


def test_out_of_network_waits_for_the_patients_agreement(ready_records, coordinator):
    facts = CoverageFacts(**{**IN_NETWORK, "result": "verified_out_of_network"})
    record_check(coordinator, ready_records, facts)
    assert ready_records.status == "records_pending"
    assert "agreement" in workflow.waiting_for(ready_records)[0]
    facts.patient_agreed_out_of_network = True
    record_check(coordinator, ready_records, facts)
    assert ready_records.status == "ready_to_match"


def test_not_covered_after_ready_sends_the_case_back(ready_records, coordinator):
    record_check(coordinator, ready_records, CoverageFacts(**IN_NETWORK))
    record_check(coordinator, ready_records, CoverageFacts(**{**IN_NETWORK, "result": "not_covered"}))
    assert ready_records.status == "records_pending"
    assert "not covered by Acme Health Gold PPO" in ready_records.timeline[-1].note


def test_self_pay_needs_no_payer(ready_records, coordinator):
    check = record_check(coordinator, ready_records, CoverageFacts(result="self_pay", payer="ignored"))
    assert (check.payer, check.member_id, ready_records.status) == (None, None, "ready_to_match")


def test_a_request_stating_self_pay_needs_no_check(new_case, coordinator):
    case = new_case(coordinator, self_pay=True, payer=None, plan_name=None, member_id=None)
    assert not any(line.startswith("Coverage") for line in workflow.waiting_for(case))


@pytest.mark.parametrize("changes, field", [
    ({"payer": None}, "payer"), ({"plan_name": None}, "plan"), ({"member_id": None}, "member_id"),
    ({"result": "perhaps"}, "result"), ({"method": "telepathy"}, "method"),
    ({"auth_number": "PA-1"}, "auth_number"),
])
def test_incomplete_checks_are_refused_naming_the_field(ready_records, coordinator, changes, field):
    with pytest.raises(CoverageError) as refused:
        record_check(coordinator, ready_records, CoverageFacts(**{**IN_NETWORK, **changes}))
    assert refused.value.field == field and ready_records.coverage_checks == []


def test_with_plans_in_the_directory_the_plan_must_be_one_of_them(ready_records, coordinator, session):
    plan = Plan(payer="Acme Health", name="Gold PPO")
    session.add(plan)
    session.flush()
    with pytest.raises(CoverageError, match="not in the directory"):
        record_check(coordinator, ready_records, CoverageFacts(**{**IN_NETWORK, "plan_name": "Silver HMO"}))
    check = record_check(coordinator, ready_records, CoverageFacts(**{**IN_NETWORK, "payer": "acme health"}))
    assert check.plan_id == plan.id and check.payer == "Acme Health"
    assert prefill(ready_records).plan_id == plan.id


def test_a_new_check_is_prefilled_from_the_request_then_from_the_last_check(new_case, coordinator, session):
    case = new_case(coordinator)
    facts = prefill(case)
    assert (facts.result, facts.payer, facts.plan_name, facts.member_id) == \
        ("verified_in_network", "Acme Health", "Gold PPO", "M123")
    record_check(coordinator, case, CoverageFacts(**{**IN_NETWORK, "member_id": "M999", "prior_auth_required": True}))
    assert (prefill(case).member_id, prefill(case).prior_auth_required) == ("M999", True)
    assert prefill(new_case(coordinator, self_pay=True)).result == "self_pay"


def test_the_coverage_form_shows_a_plan_select_only_when_the_directory_has_plans(client_as, new_case, coordinator,
                                                                                 session):
    case = new_case(coordinator)
    session.commit()
    page = client_as("coordinator").get(f"/cases/{case.id}/coverage").get_data(as_text=True)
    assert 'name="payer"' in page and 'value="Acme Health"' in page and '<select class="form-select" id="plan"' not in page
    session.add(Plan(payer="Acme Health", name="Gold PPO"))
    session.commit()
    page = client_as("coordinator").get(f"/cases/{case.id}/coverage").get_data(as_text=True)
    assert 'id="plan"' in page and "Acme Health Gold PPO" in page and 'name="payer"' not in page
    assert session.scalar(sa.select(sa.func.count()).select_from(Plan)) == 1


def test_the_form_refuses_an_incomplete_check_beside_the_field(client_as, new_case, coordinator, session):
    case = new_case(coordinator)
    session.commit()
    response = client_as("coordinator").post(f"/cases/{case.id}/coverage", data={
        "result": "verified_in_network", "payer": "Acme Health", "plan_name": "Gold PPO", "member_id": "",
        "method": "portal"})
    assert response.status_code == 422
    assert 'id="member_id-error"' in response.get_data(as_text=True)
