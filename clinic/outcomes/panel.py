"""The case page's opinion section, and the decisions loaded with the case (the closed guard reads them)."""
from __future__ import annotations

from sqlalchemy.orm import selectinload

from clinic.cases.models import Case
from clinic.outcomes import services
from clinic.review.services import signed_opinion

def panel_context(case, actor) -> dict:
    opinion = signed_opinion(case) if case.status in ("opinion_recorded", "closed") else None
    return {"opinion": opinion, "decision": services.decision_of(case) if opinion else None,
            "waiting_opinion": case.status == "consulted"}


def decision() -> list:
    return [selectinload(Case.decision)]
