"""Matching in the API: the shortlist with reasons, proposing, the specialist's answer."""
from __future__ import annotations

from typing import Annotated

from flask import jsonify, request
from flask_login import current_user
from pydantic import StringConstraints

from clinic import audit
from clinic.api.schemas import Strict
from clinic.api.errors import ApiError
from clinic.api.blueprint import bp, created, parse
from clinic.api.serializers import assignment_document
from clinic.auth.access import COORDINATOR, SPECIALIST, deny, roles_required
from clinic.cases.models import Case
from clinic.extensions import db
from clinic.matching import resolution, services
from clinic.matching.access import own_assignment


class AssignmentIn(Strict):
    npi: Annotated[str, StringConstraints(pattern=r"^\d{10}$")]
    subspecialty: Annotated[str, StringConstraints(max_length=40)] | None = None
    # Needed while a doctor of the case is named without an NPI and not yet confirmed: why go ahead.
    independence_override: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1,
                                                             max_length=500)] | None = None


class DoctorIn(Strict):
    """Who a doctor named without an NPI is: a directory clinician's NPI, or why they are not in the directory."""

    npi: Annotated[str, StringConstraints(pattern=r"^\d{10}$")] | None = None
    not_in_directory: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500)] | None = None


class DeclineIn(Strict):
    multi_line = frozenset({"reason"})
    reason: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500)]
    conflict: bool = False


@bp.get("/requests/<id:case_id>/matches")
@roles_required(COORDINATOR)
def matches(case_id: int):
    case = db.session.get(Case, case_id) or deny("case", case_id)
    result = services.shortlist(case, subspecialty=request.args.get("subspecialty", "")[:40] or None)
    audit.record(current_user, "view", "case_matches", case.id, detail=f"candidates={len(result.candidates)}")
    db.session.commit()
    return jsonify(
        candidates=[{"npi": c.specialist.npi, "name": c.specialist.name, "rank": c.rank,
                     "factors": c.factors.as_dict()} for c in result.candidates],
        excluded=[{"npi": x.specialist.npi, "name": x.specialist.name, "rule": x.rule,
                   "reasons": [r.text for r in x.reasons]} for x in result.excluded],
        warnings=result.warnings, needs_subspecialty=result.needs_subspecialty,
        independence_complete=result.independence_complete, independence_incomplete=result.incomplete,
        likely_matches={role: [{"npi": m.clinician.npi, "name": m.clinician.name,
                                "organizations": list(dict.fromkeys(m.clinician.organizations)),
                                "reasons": list(m.reasons)} for m in found]
                        for role, found in resolution.likely_matches(case).items()})


@bp.post("/requests/<id:case_id>/assignment")
@roles_required(COORDINATOR)
def propose(case_id: int):
    case = db.session.get(Case, case_id) or deny("case", case_id)
    body = parse(AssignmentIn)
    assignment = services.propose_specialist(current_user, case, body.npi, body.subspecialty,
                                             body.independence_override)
    db.session.commit()
    return created(assignment_document(assignment))


@bp.put("/requests/<id:case_id>/doctors/<any(referring, first_opinion):role>")
@roles_required(COORDINATOR)
def resolve_doctor(case_id: int, role: str):
    case = db.session.get(Case, case_id) or deny("case", case_id)
    body = parse(DoctorIn)
    if (body.npi is None) == (body.not_in_directory is None):
        message = "Give either the directory clinician's NPI or the reason the doctor is not in the directory."
        raise ApiError(422, message, {"npi": [message], "not_in_directory": [message]})
    tie = None
    if body.npi is not None:
        named, tie = resolution.confirm_doctor(current_user, case, role, body.npi)
    else:
        named = resolution.mark_not_in_directory(current_user, case, role, body.not_in_directory)
    db.session.commit()
    return jsonify(role=named.role, name=named.name, resolution=named.resolution,
                   npi=named.clinician.npi if named.clinician else None, note=named.resolution_note,
                   resolved_at=named.resolved_at.isoformat(), warning=tie)


@bp.post("/assignments/<id:assignment_id>/accept")
@roles_required(SPECIALIST)
def accept(assignment_id: int):
    assignment = own_assignment(assignment_id)
    services.accept_assignment(current_user, assignment)
    db.session.commit()
    return jsonify(assignment_document(assignment) | {"case_status": assignment.case.status})


@bp.post("/assignments/<id:assignment_id>/decline")
@roles_required(SPECIALIST)
def decline(assignment_id: int):
    assignment = own_assignment(assignment_id)
    body = parse(DeclineIn)
    services.decline_assignment(current_user, assignment, body.reason, body.conflict)
    db.session.commit()
    return jsonify(assignment_document(assignment) | {"case_status": assignment.case.status})
