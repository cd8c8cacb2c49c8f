"""Requests in the API: create a case from a referring system, read it back whole."""
from __future__ import annotations

from flask import jsonify, url_for
from flask_login import current_user

from clinic.api.blueprint import bp, created, parse
from clinic.api.schemas import RequestIn
from clinic.api.serializers import case_document
from clinic.auth.access import COORDINATOR, deny, roles_required
from clinic.cases import services
from clinic.extensions import db


@bp.post("/requests")
@roles_required(COORDINATOR)
def create_request():
    case = services.submit_request(current_user, parse(RequestIn).intake())
    db.session.commit()
    return created({"id": case.id, "reference": case.reference, "status": case.status},
                   location=url_for("api.get_request", case_id=case.id))


@bp.get("/requests/<id:case_id>")
@roles_required(COORDINATOR)
def get_request(case_id: int):
    case = services.open_case(current_user, case_id)
    if case is None:
        deny("case", case_id)
    db.session.commit()
    return jsonify(case_document(case))
