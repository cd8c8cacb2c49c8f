"""The matching section of the coordinator's case page (the assignment and the top of the shortlist),
and the proposals the work queue loads with its cases (the matched guard reads them)."""
from __future__ import annotations

from sqlalchemy.orm import selectinload

from clinic.cases.models import Case
from clinic.cases.workflow import CaseStatus
from clinic.matching import forms, resolution, services
from clinic.matching.engine import ROLE_WORDS, RULES

TOP = 5


def panel_context(case, actor) -> dict:
    assignments = services.case_assignments(case)
    live = next((a for a in assignments if a.is_live), None)
    result = None
    if case.status == CaseStatus.READY_TO_MATCH and live is None:
        result = services.shortlist(case, top=TOP)  # the best few are shown, with their slots
    matches = resolution.likely_matches(case) if case.is_open else {}
    return {
        "assignments": assignments, "live": live, "shortlist": result, "top": TOP,
        "unresolved": [(named, matches[named.role]) for named in resolution.unresolved(case) if named.role in matches],
        "doctor_form": forms.ConfirmDoctorForm(), "not_listed_form": forms.NotInDirectoryForm(),
        "role_words": ROLE_WORDS,
        "subspecialties": services.active_subspecialties() if result is not None and result.needs_subspecialty else [],
        "propose_form": forms.ProposeForm(), "confirm_form": forms.ConfirmForm(), "rules": RULES,
    }


def assignments() -> list:
    return [selectinload(Case.assignments)]
