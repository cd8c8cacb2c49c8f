"""Outcomes' places in earlier packages: the case page's opinion section, the navigation, and the
decisions the work queue loads with its cases (the closed guard reads them)."""
from __future__ import annotations

from sqlalchemy.orm import selectinload

from clinic.auth.models import ADMIN, COORDINATOR
from clinic.cases.models import Case
from clinic.cases.panels import register_panel
from clinic.cases.queue import register_load
from clinic.outcomes import forms, services
from clinic.review.services import signed_opinion

DASHBOARD = ("outcomes.dashboard_page", "Outcomes")


def panel_context(case, actor) -> dict:
    opinion = signed_opinion(case) if case.status in ("opinion_recorded", "closed") else None
    return {"opinion": opinion, "decision": services.decision_of(case) if opinion else None,
            "waiting_opinion": case.status == "consulted",
            "report_links": services.report_links(case) if opinion else [], "revoke_form": forms.RevokeLinkForm()}


def register() -> None:
    from clinic.web import NAVIGATION

    register_panel("outcomes", 50, "outcomes/_panel.html", panel_context, loads=_decision)
    register_load(lambda: selectinload(Case.decision))
    for role in (COORDINATOR, ADMIN):
        if DASHBOARD not in NAVIGATION[role]:
            NAVIGATION[role].append(DASHBOARD)


def _decision() -> list:
    return [selectinload(Case.decision)]
