"""API v1 endpoints. Bearer-token auth; the token's user and role decide, as in the browser."""
from __future__ import annotations

from flask import Blueprint, jsonify, request, url_for
from flask_login import current_user
from pydantic import ValidationError

from clinic.api.errors import ApiError, field_errors, json_error
from clinic.api.schemas import CoverageIn, RejectIn, RequestIn
from clinic.api.serializers import case_document, coverage_document, file_document, record_document
from clinic.auth.access import COORDINATOR, deny, roles_required
from clinic.cases import services, workflow
from clinic.cases.models import Case
from clinic.coverage.services import record_check
from clinic.records import services as records
from clinic.records.errors import RecordError
from clinic.records.gate import clinic_today
from clinic.records.models import RecordItem
from clinic.records.uploads import attach_document, item_for_kind
from clinic.extensions import csrf, db

bp = Blueprint("api", __name__, url_prefix="/api/v1")
csrf.exempt(bp)  # bearer tokens, not cookies: no cross-site request can carry them

MAX_JSON = 1024 * 1024


@bp.errorhandler(ApiError)
def _api_error(error: ApiError):
    return json_error(error.status, error.message, error.fields)


@bp.errorhandler(RecordError)
def _record_error(error: RecordError):
    """Records and coverage refusals: nothing of the attempt is kept."""
    db.session.rollback()
    return json_error(error.status, error.message, {error.field: [error.message]} if error.field else None)


def created(body: dict):
    response = jsonify(body)
    response.status_code = 201
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


@bp.post("/requests/<int:case_id>/documents")
@roles_required(COORDINATOR)
def upload_document(case_id: int):
    case = db.session.get(Case, case_id) or deny("case", case_id)
    upload = request.files.get("file")
    if upload is None:
        raise ApiError(422, "Send the document as multipart/form-data field 'file'.", {"file": ["This field is required."]})
    item = item_for_kind(case, request.form.get("kind", ""))
    document = attach_document(current_user, item, upload.filename, upload.stream, via="api",
                               source=request.form.get("source") or None)
    db.session.commit()
    return created({"document": file_document(document), "record": record_document(item, clinic_today()),
                    "case_status": case.status, "waiting_for": workflow.waiting_for(case)})


def _record(record_id: int) -> RecordItem:
    return db.session.get(RecordItem, record_id) or deny("record_item", record_id)


def _record_answer(item: RecordItem):
    return jsonify(record=record_document(item, clinic_today()), case_status=item.case.status,
                   waiting_for=workflow.waiting_for(item.case))


@bp.post("/records/<int:record_id>/verify")
@roles_required(COORDINATOR)
def verify_record(record_id: int):
    item = _record(record_id)
    records.verify_record(current_user, item)
    db.session.commit()
    return _record_answer(item)


@bp.post("/records/<int:record_id>/reject")
@roles_required(COORDINATOR)
def reject_record(record_id: int):
    item = _record(record_id)
    records.reject_record(current_user, item, parse(RejectIn).reason)
    db.session.commit()
    return _record_answer(item)


@bp.put("/requests/<int:case_id>/coverage")
@roles_required(COORDINATOR)
def put_coverage(case_id: int):
    case = db.session.get(Case, case_id) or deny("case", case_id)
    body = parse(CoverageIn)
    record_check(current_user, case, body.facts(case.payer, case.plan_name, case.member_id))
    db.session.commit()
    return jsonify(coverage=coverage_document(case), case_status=case.status,
                   waiting_for=workflow.waiting_for(case))
