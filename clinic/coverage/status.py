"""Whether a case's coverage lets it go ahead, and if not, what to say (no Flask, no queries)."""
from __future__ import annotations

from clinic.coverage.vocabulary import RESULTS


def coverage_problem(result: str | None, agreed_out_of_network: bool = False, plan: str = "",
                     stated_self_pay: bool = False) -> list[str]:
    """What stops coverage from opening the gate: verified in network, out of network with the
    patient's agreement, or self-pay are enough. Without any check, a request that states
    self-pay needs nothing more (there is no payer to ask)."""
    if result is None:
        return [] if stated_self_pay else ["Coverage: not verified"]
    if result in ("verified_in_network", "self_pay"):
        return []
    if result == "verified_out_of_network":
        return [] if agreed_out_of_network else \
            ["Coverage: out of network; record the patient's agreement to go ahead out of network"]
    if result == "not_covered":
        by = f" by {plan}" if plan else ""
        return [f"Coverage: not covered{by}; the patient may choose self-pay"]
    raise ValueError(f"unknown coverage result {result!r}; expected one of {', '.join(RESULTS)}")


def latest_check(case):
    return case.coverage_checks[-1] if case.coverage_checks else None


def coverage_missing(case) -> list[str]:
    check = latest_check(case)
    if check is None:
        return coverage_problem(None, stated_self_pay=case.self_pay)
    return coverage_problem(check.result, check.patient_agreed_out_of_network, check.plan_label)
