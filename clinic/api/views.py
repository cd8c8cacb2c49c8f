"""API v1 endpoints. Bearer-token auth; the token's user and role decide, as in the browser."""
from __future__ import annotations

from flask import Blueprint, jsonify, request, url_for
from flask_login import current_user
from pydantic import ValidationError

from clinic.api.errors import ApiError, field_errors, json_error
from clinic.api.schemas import RequestIn
from clinic.api.serializers import case_document
from clinic.auth.access import COORDINATOR, deny, roles_required
from clinic.cases import services
from clinic.extensions import csrf, db

bp = Blueprint("api", __name__, url_prefix="/api/v1")
csrf.exempt(bp)  # bearer tokens, not cookies: no cross-site request can carry them

MAX_JSON = 1024 * 1024


@bp.errorhandler(ApiError)
def _api_error(error: ApiError):
    return json_error(error.status, error.message, error.fields)


def parse(model):
    """The request body validated against `model`, or an ApiError naming every bad field."""
    if request.content_length and request.content_length > MAX_JSON:
        raise ApiError(413, f"The body is larger than {MAX_JSON // 1024} KB.")
    if not request.is_json:
        raise ApiError(400, "Send a JSON body with 'Content-Type: application/json'.")
    try:
        return model.model_validate_json(request.get_data())
    except ValidationError as error:
        fields = field_errors(error)
        if list(fields) == ["body"]:
            raise ApiError(400, fields["body"][0]) from None
        raise ApiError(422, "Some fields are missing or invalid.", fields) from None


@bp.post("/requests")
@roles_required(COORDINATOR)
def create_request():
    body = parse(RequestIn)
    case = services.submit_request(current_user, body.intake())
    db.session.commit()
    response = jsonify(id=case.id, reference=case.reference, status=case.status)
    response.status_code = 201
    response.headers["Location"] = url_for("api.get_request", case_id=case.id)
    return response


@bp.get("/requests/<int:case_id>")
@roles_required(COORDINATOR)
def get_request(case_id: int):
    case = services.open_case(current_user, case_id)
    if case is None:
        deny("case", case_id)
    db.session.commit()
    return jsonify(case_document(case))
