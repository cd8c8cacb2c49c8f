"""Records pages: the case page's checklist panel, uploads, requests, verification, downloads,
and the patient's upload link (public, no login)."""
from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext
from flask_login import current_user
from sqlalchemy.orm import selectinload

from clinic import audit, i18n
from clinic.auth.access import COORDINATOR, deny, public, roles_required
from clinic.cases.models import Case
from clinic.database import utcnow
from clinic.extensions import db, limiter
from clinic.formkit import as_id, whole_number
from clinic.records import forms, links, services, uploads
from clinic.records.checklist import is_overdue
from clinic.records.gate import clinic_today
from clinic.records.models import RecordItem
from clinic.records.storage import serve_document
from clinic.records.vocabulary import (OUTSTANDING, RECORD_SOURCES, RECORD_STATUSES, REQUEST_METHODS, REQUESTABLE,
                                       RecordStatus)
from clinic.web import attempt

bp = Blueprint("records", __name__)
PATIENT_UPLOAD_LIMIT = "60 per hour"


def _case(case_id: int) -> Case:
    return db.session.get(Case, case_id) or deny("case", case_id)


def _item(record_id: int) -> RecordItem:
    return db.session.get(RecordItem, record_id) or deny("record_item", record_id)


def _back_to_case(case_id: int):
    return redirect(url_for("cases.case", case_id=case_id, _anchor="records-heading"))


def _upload_form(case: Case, selected: int | None = None) -> forms.UploadForm:
    form = forms.UploadForm()
    form.record.choices = [(item.id, f"{item.name} ({RECORD_STATUSES[item.status].lower()})")
                           for item in case.record_items]
    if selected and not form.is_submitted():
        form.record.data = selected
    return form


def panel_context(case: Case, actor) -> dict:
    today = clinic_today()
    upload_form = _upload_form(case)
    upload_form.file.description = ""  # the panel states the accepted types once, under the form
    return {"items": case.record_items, "sources": RECORD_SOURCES, "upload_form": upload_form,
            "add_form": forms.AddItemForm(),
            "overdue": {item.id for item in case.record_items if is_overdue(item.status, item.due_on, today)}}


def panel_loads() -> list:
    return [selectinload(Case.record_items).selectinload(RecordItem.documents)]


@bp.route("/cases/<id:case_id>/records/upload", methods=["GET", "POST"])
@roles_required(COORDINATOR)
def upload(case_id: int):
    case = _case(case_id)
    form = _upload_form(case, request.args.get("record", type=as_id))
    status = 200
    if form.validate_on_submit():
        item = next((i for i in case.record_items if i.id == form.record.data), None)
        if item is None:
            form.record.errors = ["Choose a record of this case."]
        else:
            done = attempt(lambda: uploads.attach_document(
                current_user, item, form.file.data.filename, form.file.data.stream, via="coordinator",
                source=form.source.data or None), form,
                success=lambda document: f"{document.original_name} attached to {item.name}. Check it, then verify it.")
            if done.ok:
                return _back_to_case(case.id)
            status = done.status
    audit.record(current_user, "view", "case", case.id, detail="records upload form")
    db.session.commit()
    return render_template("records/upload.html", case=case, form=form), 422 if form.errors and status == 200 else status


@bp.route("/cases/<id:case_id>/records/request", methods=["GET", "POST"])
@roles_required(COORDINATOR)
def request_records(case_id: int):
    case = _case(case_id)
    form = forms.RequestForm()
    requestable = [i for i in case.record_items if i.status in REQUESTABLE]
    form.items.choices = [(i.id, i.name) for i in requestable]
    status = 200
    if request.method == "GET":
        form.items.data = [n for v in request.args.getlist("record") if (n := whole_number(v)) is not None] or \
            [i.id for i in requestable if i.status == RecordStatus.MISSING]
        if case.consent_to_contact_first_doctor:
            form.target.data, form.method.data = "facility", "fax"
    if form.validate_on_submit():
        chosen = [i for i in requestable if i.id in form.items.data]
        sent = " The patient was emailed a private upload link." if form.method.data == "upload_link" else ""
        done = attempt(lambda: services.request_records(
            current_user, case, chosen, form.target.data, form.method.data, form.facility.data,
            form.source.data or None, form.due_on.data), form,
            success=f"Request recorded for {len(chosen)} record{'s' if len(chosen) != 1 else ''}.{sent}")
        if done.ok:
            return _back_to_case(case.id)
        status = done.status
    audit.record(current_user, "view", "case", case.id, detail="records request form")
    db.session.commit()
    return render_template("records/request.html", case=case, form=form,
                           first_doctor=services.first_doctor_names(case)), \
        422 if form.errors and status == 200 else status


@bp.post("/cases/<id:case_id>/records/items")
@roles_required(COORDINATOR)
def add_item(case_id: int):
    case = _case(case_id)
    form = forms.AddItemForm()
    if not form.validate_on_submit():
        flash(" ".join(e for errors in form.errors.values() for e in errors), "danger")
        return _back_to_case(case.id)
    attempt(lambda: services.add_item(current_user, case, form.kind.data, form.label.data, form.required.data),
            success=lambda item: f"{item.name} added to the checklist.")
    return _back_to_case(case.id)


def _item_page(item: RecordItem, status: int = 200, **given):
    page_forms = {"reject_form": forms.RejectForm(prefix="reject"), "na_form": forms.ReasonForm(prefix="na"),
                  "follow_form": forms.FollowUpForm(prefix="follow"), "verify_form": forms.ConfirmForm()} | given
    audit.record(current_user, "view", "record_item", item.id)
    db.session.commit()
    return render_template("records/item.html", item=item, case=item.case, today=clinic_today(),
                           sources=RECORD_SOURCES, methods=REQUEST_METHODS, outstanding=OUTSTANDING,
                           **page_forms), status


@bp.get("/records/<id:record_id>")
@roles_required(COORDINATOR)
def item(record_id: int):
    return _item_page(_item(record_id))


def _item_action(record_id: int, form, action, done: str, form_name: str | None = None):
    """Run one item action from the item page: success goes back to the case, a refusal re-renders."""
    found = _item(record_id)
    if form.validate_on_submit():
        outcome = attempt(lambda: action(found, form), form, success=done.format(name=found.name))
        if outcome.ok:
            return _back_to_case(found.case_id)
        status = outcome.status
    else:
        status = 422
    return _item_page(found, status, **({form_name: form} if form_name else {}))


@bp.post("/records/<id:record_id>/verify")
@roles_required(COORDINATOR)
def verify(record_id: int):
    return _item_action(record_id, forms.ConfirmForm(), lambda item, _: services.verify_record(current_user, item),
                        "{name} verified.")


@bp.post("/records/<id:record_id>/reject")
@roles_required(COORDINATOR)
def reject(record_id: int):
    return _item_action(record_id, forms.RejectForm(prefix="reject"),
                        lambda item, f: services.reject_record(current_user, item, f.reason.data, f.problem.data),
                        "{name} rejected; the request is open again.", "reject_form")


@bp.post("/records/<id:record_id>/not-applicable")
@roles_required(COORDINATOR)
def not_applicable(record_id: int):
    return _item_action(record_id, forms.ReasonForm(prefix="na"),
                        lambda item, f: services.mark_not_applicable(current_user, item, f.reason.data),
                        "{name} marked not applicable.", "na_form")


@bp.post("/records/<id:record_id>/follow-up")
@roles_required(COORDINATOR)
def follow_up(record_id: int):
    return _item_action(record_id, forms.FollowUpForm(prefix="follow"),
                        lambda item, f: services.follow_up(current_user, item, f.note.data, f.due_on.data,
                                                           f.resend_link.data),
                        "Follow-up on {name} logged on the timeline.", "follow_form")


@bp.get("/documents/<id:document_id>")
@roles_required(COORDINATOR)
def download(document_id: int):
    document = uploads.open_document(current_user, document_id) or deny("document", document_id)
    db.session.commit()
    return serve_document(document)


def _patient_upload(link, item, form):
    uploads.attach_from_patient(item, form.file.data.filename, form.file.data.stream)
    link.last_used_at = utcnow()


def _patient_limit() -> str:
    return current_app.config.get("PATIENT_UPLOAD_LIMIT", PATIENT_UPLOAD_LIMIT)


@bp.route(links.LINK_PATH + "<token>", methods=["GET", "POST"])
@public
@limiter.limit(_patient_limit)
def patient_upload(token: str):
    link = links.resolve_link(token)
    if link is None:
        # Wrong, expired or ended: one neutral page that confirms nothing about any case.
        audit.record(None, "denied", "upload_link", None, detail="invalid or expired link")
        db.session.commit()
        return render_template("records/link_invalid.html"), 404
    i18n.speak_for(link.case)
    items = links.items_for_patient(link.case)
    form = forms.PatientUploadForm()
    form.record.choices = [(i.id, gettext(i.name)) for i in items]
    if form.validate_on_submit():
        item = next((i for i in items if i.id == form.record.data), None)
        if attempt(lambda: _patient_upload(link, item, form), form,
                   success=lambda _done: gettext("Thank you. We received your file for: %(record)s.",
                                                 record=gettext(item.name))).ok:
            return redirect(request.path)
    audit.record(None, "view", "upload_link", link.id)
    db.session.commit()
    return render_template("records/link_upload.html", form=form, items=links.items_for_patient(link.case),
                           expires_at=link.expires_at), 422 if form.errors else 200
