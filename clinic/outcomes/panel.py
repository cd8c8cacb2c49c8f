"""The case page's opinion section, and the decisions loaded with the case (the closed guard reads them)."""
from __future__ import annotations

from sqlalchemy.orm import selectinload

from clinic.cases.models import Case
from clinic.cases.workflow import CaseStatus
from clinic.outcomes import forms, services
from clinic.review.services import signed_opinion

def panel_context(case, actor) -> dict:
    opinion = signed_opinion(case) if case.status in (CaseStatus.OPINION_RECORDED, CaseStatus.CLOSED) else None
    return {"opinion": opinion, "decision": services.decision_of(case) if opinion else None,
            "waiting_opinion": case.status == CaseStatus.CONSULTED,
            "report_links": services.report_links(case) if opinion else [], "revoke_form": forms.RevokeLinkForm()}


def decision() -> list:
    return [selectinload(Case.decision)]
