"""Recording a coverage check: the latest check decides whether the gate may open."""
from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

from clinic import audit
from clinic.cases import workflow
from clinic.cases.models import Case
from clinic.coverage.models import CoverageCheck
from clinic.coverage.vocabulary import CHECK_METHODS, INSURED_RESULTS, RESULTS
from clinic.directory.models import Plan
from clinic.extensions import db
from clinic.records.errors import RecordError
from clinic.records.gate import settle


class CoverageError(RecordError):
    """A refused coverage check: a sentence for the user and the field it concerns."""


@dataclass
class CoverageFacts:
    """One check as entered (form or API); text fields already stripped, empty as None."""

    result: str
    plan_id: int | None = None
    payer: str | None = None
    plan_name: str | None = None
    member_id: str | None = None
    prior_auth_required: bool = False
    auth_number: str | None = None
    method: str | None = None
    notes: str | None = None
    patient_agreed_out_of_network: bool = False


def directory_has_plans() -> bool:
    return db.session.scalar(sa.select(Plan.id).limit(1)) is not None


def find_plan(payer: str | None, plan_name: str | None) -> Plan | None:
    if not payer or not plan_name:
        return None
    return db.session.scalar(sa.select(Plan).where(sa.func.lower(Plan.payer) == payer.strip().lower(),
                                                   sa.func.lower(Plan.name) == plan_name.strip().lower()))


def prefill(case: Case) -> CoverageFacts:
    """A new check starts from the latest one, else from the coverage stated on the request."""
    last = case.coverage_checks[-1] if case.coverage_checks else None
    if last is not None:
        return CoverageFacts(result=last.result, plan_id=last.plan_id, payer=last.payer, plan_name=last.plan_name,
                             member_id=last.member_id, prior_auth_required=last.prior_auth_required,
                             auth_number=last.auth_number, method=last.method,
                             patient_agreed_out_of_network=last.patient_agreed_out_of_network)
    if case.self_pay:
        return CoverageFacts(result="self_pay")
    plan = find_plan(case.payer, case.plan_name)
    return CoverageFacts(result="verified_in_network", plan_id=plan and plan.id, payer=case.payer,
                         plan_name=case.plan_name, member_id=case.member_id)


def _resolve_plan(facts: CoverageFacts) -> Plan | None:
    """With plans in the directory, an insured result must name one of them."""
    if facts.plan_id is not None:
        plan = db.session.get(Plan, facts.plan_id)
        if plan is None:
            raise CoverageError("Choose a plan from the list.", field="plan")
        return plan
    if not directory_has_plans():
        return None
    plan = find_plan(facts.payer, facts.plan_name)
    if plan is None:
        raise CoverageError("This payer and plan are not in the directory; choose one of the directory's plans "
                            "(an administrator adds new ones).", field="plan")
    return plan


def record_check(actor, case: Case, facts: CoverageFacts) -> CoverageCheck:
    if not case.is_open:
        raise CoverageError(f"Case {case.reference} has ended; its coverage can no longer change.", status=409)
    workflow.claim(case)
    if facts.result not in RESULTS:
        raise CoverageError(f"Choose a result: {', '.join(RESULTS)}.", field="result")
    if facts.method is not None and facts.method not in CHECK_METHODS:
        raise CoverageError(f"Choose how coverage was checked: {', '.join(CHECK_METHODS)}.", field="method")
    plan = None
    if facts.result in INSURED_RESULTS:
        plan = _resolve_plan(facts)
        payer, plan_name = (plan.payer, plan.name) if plan else (facts.payer, facts.plan_name)
        if not payer:
            raise CoverageError("Enter the insurance company (payer).", field="payer")
        if not plan_name:
            raise CoverageError("Enter the plan.", field="plan")
        if not facts.member_id:
            raise CoverageError("Enter the member ID.", field="member_id")
    else:
        payer = plan_name = None
    if facts.auth_number and not facts.prior_auth_required:
        raise CoverageError("An authorization number is only recorded when prior authorization is required.",
                            field="auth_number")
    check = CoverageCheck(
        case=case, plan_id=plan and plan.id, payer=payer, plan_name=plan_name,
        member_id=facts.member_id if facts.result in INSURED_RESULTS else None, result=facts.result,
        prior_auth_required=facts.prior_auth_required, auth_number=facts.auth_number, method=facts.method,
        notes=facts.notes, checked_by_id=getattr(actor, "id", None),
        patient_agreed_out_of_network=facts.result == "verified_out_of_network" and facts.patient_agreed_out_of_network,
    )
    db.session.add(check)
    db.session.flush()
    audit.record(actor, "create", "coverage_check", check.id, detail=f"result={facts.result}")
    summary = RESULTS[facts.result] + (f" ({check.plan_label})" if check.plan_label else "")
    if check.patient_agreed_out_of_network:
        summary += "; the patient agreed to go ahead out of network"
    if check.prior_auth_required:
        summary += f"; prior authorization {check.auth_number or 'required, number pending'}"
    workflow.note(actor, case, "coverage", f"Coverage checked: {summary}.")
    settle(actor, case, "Coverage re-checked.")
    db.session.flush()
    return check

