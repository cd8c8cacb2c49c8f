"""Records and coverage in the API: upload, verify, reject, record a coverage check."""
from __future__ import annotations

from flask import jsonify, request
from flask_login import current_user

from clinic.api.blueprint import bp, created, parse
from clinic.api.errors import ApiError
from clinic.api.schemas import CoverageIn, RejectIn
from clinic.api.serializers import coverage_document, file_document, record_document
from clinic.auth.access import COORDINATOR, deny, roles_required
from clinic.cases import workflow
from clinic.cases.models import Case
from clinic.coverage.services import record_check
from clinic.extensions import db
from clinic.records import services as records
from clinic.records.gate import clinic_today
from clinic.records.models import RecordItem
from clinic.records.uploads import attach_document, item_for_kind


@bp.post("/requests/<id:case_id>/documents")
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


@bp.post("/records/<id:record_id>/verify")
@roles_required(COORDINATOR)
def verify_record(record_id: int):
    item = _record(record_id)
    records.verify_record(current_user, item)
    db.session.commit()
    return _record_answer(item)


@bp.post("/records/<id:record_id>/reject")
@roles_required(COORDINATOR)
def reject_record(record_id: int):
    item = _record(record_id)
    body = parse(RejectIn)
    records.reject_record(current_user, item, body.reason, body.problem)
    db.session.commit()
    return _record_answer(item)


@bp.put("/requests/<id:case_id>/coverage")
@roles_required(COORDINATOR)
def put_coverage(case_id: int):
    case = db.session.get(Case, case_id) or deny("case", case_id)
    body = parse(CoverageIn)
    record_check(current_user, case, body.facts(case.payer, case.plan_name, case.member_id))
    db.session.commit()
    return jsonify(coverage=coverage_document(case), case_status=case.status,
                   waiting_for=workflow.waiting_for(case))
