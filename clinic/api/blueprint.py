"""The API v1 blueprint: bearer-token auth (see auth.access), JSON bodies and JSON errors."""
from __future__ import annotations

from flask import Blueprint, jsonify, request
from pydantic import ValidationError

from clinic.api.errors import ApiError, field_errors, json_error
from clinic.cases import workflow
from clinic.extensions import csrf, db

bp = Blueprint("api", __name__, url_prefix="/api/v1")
csrf.exempt(bp)  # bearer tokens, not cookies: no cross-site request can carry them

MAX_JSON = 1024 * 1024


@bp.errorhandler(ApiError)
def _api_error(error: ApiError):
    return json_error(error.status, error.message, error.fields)


@bp.errorhandler(workflow.WorkflowError)
def _refused_move(error: workflow.WorkflowError):
    """A move the workflow refuses (the case is not ready for it): 409 with the reason."""
    db.session.rollback()
    return json_error(409, str(error))


def created(body: dict, location: str | None = None):
    response = jsonify(body)
    response.status_code = 201
    if location:
        response.headers["Location"] = location
    return response


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
