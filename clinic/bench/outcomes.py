"""Synthetic second opinions and decisions for the benchmark: a signed opinion on every case
from `opinion_recorded` on, a decision on every closed one, in the literature's proportions."""
from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from clinic.bench.synthetic import CasePlan, insert
from clinic.cases.workflow import CaseStatus
from clinic.extensions import db
from clinic.matching.models import Assignment
from clinic.outcomes.models import Decision
from clinic.review.models import Opinion

# Van Such et al. 2017 and Meyer et al. 2015, roughly (DESIGN.md section 7).
DIAGNOSIS = (("confirmed", 12), ("refined", 66), ("changed", 22))
TREATMENT = (("same", 62), ("modified", 25), ("changed", 13))
CHOICES = (("follow_second", 55), ("follow_first", 25), ("seek_third", 8))  # final: they close the case
UNDECIDED_SHARE = 0.3  # of the cases waiting for a decision: "not yet", with a day to ask again


def _pick(rng, weighted) -> str:
    return rng.choices([v for v, _ in weighted], weights=[w for _, w in weighted])[0]


def build_opinions(plans: list[CasePlan], rng) -> None:
    done = [p for p in plans if p.status in (CaseStatus.OPINION_RECORDED, CaseStatus.CLOSED)]
    # Each case's latest accepted assignment and its specialist, in one read (an IN over tens of
    # thousands of ids passes PostgreSQL's limit of 65,535 parameters).
    accepted = {case_id: (assignment_id, specialist_id) for case_id, assignment_id, specialist_id in db.session.execute(
        sa.select(Assignment.case_id, Assignment.id, Assignment.specialist_id)
        .where(Assignment.status == "accepted").order_by(Assignment.id))}
    opinions, decisions = [], []
    for plan in done:
        if plan.id not in accepted:
            continue
        assignment, specialist = accepted[plan.id]
        signed = plan.changed - timedelta(days=rng.randint(0, 3)) if plan.status == CaseStatus.CLOSED else plan.changed
        less = rng.random() < 0.2
        opinions.append({
            "case_id": plan.id, "assignment_id": assignment, "specialist_id": specialist,
            "diagnosis_text": "Second diagnosis (synthetic)", "icd10_code": plan.icd10,
            "diagnosis_comparison": _pick(rng, DIAGNOSIS), "treatment_comparison": _pick(rng, TREATMENT),
            "less_invasive": less, "less_invasive_option": "A smaller operation" if less else "",
            "if_patient_waits": "A few weeks' wait is safe.", "recommendation": "As discussed at the consultation.",
            "created_at": signed - timedelta(days=2), "updated_at": signed, "signed_at": signed,
            "signed_by_id": None})
        if plan.status == CaseStatus.CLOSED:
            decisions.append({"case_id": plan.id, "choice": _pick(rng, CHOICES), "note": None,
                              "recorded_by_id": None, "recorded_at": plan.changed, "follow_up_on": None})
        elif rng.random() < UNDECIDED_SHARE:
            decisions.append({"case_id": plan.id, "choice": "undecided", "note": None, "recorded_by_id": None,
                              "recorded_at": plan.changed, "follow_up_on": (plan.changed + timedelta(days=30)).date()})
    insert(Opinion.__table__, opinions)
    insert(Decision.__table__, decisions)
