"""The API v1 blueprint: bearer-token auth (see auth.access), JSON bodies, and the one place a
refusal of any stage becomes the JSON error the API promises."""
from __future__ import annotations

from flask import Blueprint, jsonify, request
from pydantic import ValidationError

from clinic.api.errors import ApiError, field_errors
from clinic.errors import MAX_JSON, DomainError, json_error
from clinic.extensions import db

bp = Blueprint("api", __name__, url_prefix="/api/v1")


@bp.errorhandler(DomainError)
def _refused(error: DomainError):
    """Any refusal (a move the workflow refuses, a slot taken, a bad field): nothing of the attempt is kept."""
    db.session.rollback()
    return json_error(error.status, error.message, error.field_errors() or None)


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
