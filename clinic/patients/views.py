"""The patient's status page (public, behind its private link) and the staff's part of it on the case page.

Every page behind a status link is rate-limited, audited with no user, never cached and sends no
referrer (the security headers give every response `Referrer-Policy: no-referrer` and `no-store`).
A wrong, expired or revoked link gets one neutral page that confirms nothing about any case.
"""
from __future__ import annotations

from zoneinfo import ZoneInfo

from flask import Blueprint, Response, current_app, redirect, render_template, url_for
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from clinic import audit, i18n
from clinic.auth.access import COORDINATOR, deny, public, roles_required
from clinic.cases.models import Case
from clinic.database import utcnow
from clinic.extensions import db, limiter
from clinic.formkit import options
from clinic.outcomes.report_pdf import report_pdf
from clinic.patients import forms, services, status
from clinic.patients.models import PatientMessage
from clinic.records import forms as record_forms
from clinic.records import links, uploads
from clinic.scheduling import notices
from clinic.scheduling.services import write_lock
from clinic.web import attempt, render_viewed

bp = Blueprint("patients", __name__)
PAGE = services.STATUS_PATH + "<token>"


def _limit() -> str:
    return current_app.config["STATUS_PAGE_LIMIT"]


def _link_or_none(token: str):
    link = services.resolve_status_link(token)
    if link is None:
        audit.record(None, "denied", "status_link", None, detail="invalid or expired link")
        db.session.commit()
    else:
        i18n.speak_for(link.case)  # the patient's page speaks the patient's language
    return link


def _gone():
    return render_template("patients/link_invalid.html"), 404


def _forms(page: status.StatusPage) -> dict:
    upload = record_forms.PatientUploadForm(prefix="upload")
    upload.record.choices = options((wanted.item.id, gettext(wanted.item.name)) for wanted in page.wanted)
    move = forms.MoveForm(prefix="move")
    offer = None
    if page.visit is not None:
        offer = services.move_offer(page.visit.appointment)
        move.start.choices = options((slot.start.isoformat(), notices.long_when(slot.start, page.case.patient.timezone))
                                     for slot in offer.slots)
        move.appointment.data = move.appointment.data or str(page.visit.appointment.id)
    cancel = forms.CancelForm(prefix="cancel")
    if page.visit is not None:
        cancel.appointment.data = cancel.appointment.data or str(page.visit.appointment.id)
    return dict(upload_form=upload, move_form=move, move_offer=offer, cancel_form=cancel,
                message_form=forms.MessageForm(prefix="message"), decision_form=forms.DecisionForm(prefix="decision"))


def _page(link, token: str, code: int = 200, **override):
    page = status.build(link.case)
    context = _forms(page) | override
    audit.record(None, "view", "status_link", link.id, detail=f"case={link.case_id}")
    if code == 200:  # a refused change leaves the data as it was (the audit row aside)
        link.last_used_at = utcnow()
    db.session.commit()
    return render_template("patients/status.html", page=page, token=token, link=link,
                           patient_words=dict(forms.PATIENT_CHOICES), **context), code


@bp.get(PAGE)
@public
@limiter.limit(_limit)
def status_page(token: str):
    link = _link_or_none(token)
    return _gone() if link is None else _page(link, token)


def _act(token: str, form_name: str, form, change, success: str, anchor: str):
    """A POST from the status page: the change, then back to the page (or the page again with the errors)."""
    link = _link_or_none(token)
    if link is None:
        return _gone()
    success = str(success)  # read in the patient's language, now that the link has set it
    code = 422
    if form.validate_on_submit():
        done = attempt(lambda: change(link, form), form, success=success)
        if done.ok:
            link.last_used_at = utcnow()
            db.session.commit()
            return redirect(url_for("patients.status_page", token=token, _anchor=anchor))
        code = done.status
    db.session.rollback()
    link = services.resolve_status_link(token)
    return _page(link, token, code, **{form_name: form})


@bp.post(PAGE + "/upload")
@public
@limiter.limit(_limit)
def upload(token: str):
    form = record_forms.PatientUploadForm(prefix="upload")
    link = services.resolve_status_link(token)
    wanted = links.items_for_patient(link.case) if link is not None else []
    form.record.choices = options((item.id, item.name) for item in wanted)  # labels unused: the POST is validated

    def change(link, form):
        item = next((i for i in wanted if i.id == form.record.data), None)
        uploads.attach_from_patient(item, form.file.data.filename, form.file.data.stream)
    return _act(token, "upload_form", form, change, _l("Thank you. We received your file."), "records")


@bp.post(PAGE + "/move")
@public
@limiter.limit(_limit)
def move(token: str):
    write_lock()  # SQLite: the slot check and the move cannot interleave with another booking
    form = forms.MoveForm(prefix="move")
    return _act(token, "move_form", form,
                lambda link, form: services.move(link, form.appointment.id_value, form.start.moment),
                _l("Your consultation has moved. A new calendar invitation is on its way."), "visit")


@bp.post(PAGE + "/cancel")
@public
@limiter.limit(_limit)
def cancel(token: str):
    form = forms.CancelForm(prefix="cancel")
    return _act(token, "cancel_form", form,
                lambda link, form: services.cancel(link, form.appointment.id_value, form.reason.data),
                _l("Your consultation is cancelled. We will contact you to find a new time."), "visit")


@bp.post(PAGE + "/message")
@public
@limiter.limit(_limit)
def message(token: str):
    form = forms.MessageForm(prefix="message")
    return _act(token, "message_form", form, lambda link, form: services.write_message(link, form.body.data),
                _l("Thank you. Your message is with the clinic; we will answer you soon."), "message")


@bp.post(PAGE + "/decision")
@public
@limiter.limit(_limit)
def decision(token: str):
    form = forms.DecisionForm(prefix="decision")
    return _act(token, "decision_form", form,
                lambda link, form: services.decide(link, form.choice.data, form.note.data),
                _l("Thank you. We have your answer."), "decision")


@bp.get(PAGE + "/appointment.ics")
@public
@limiter.limit(_limit)
def appointment_ics(token: str):
    link = _link_or_none(token)
    page = status.build(link.case) if link is not None else None
    if page is None or page.visit is None:
        return _gone()
    text = notices.calendar_text(page.visit.appointment, link.case.patient.timezone)
    audit.record(None, "export", "appointment", page.visit.appointment.id, detail=f"ics link={link.id}")
    db.session.commit()
    return Response(text, mimetype="text/calendar", headers={
        "Content-Disposition": f'attachment; filename="{gettext("consultation")}.ics"', "Cache-Control": "no-store"})


@bp.get(PAGE + "/report")
@public
@limiter.limit(_limit)
def report(token: str):
    link = _link_or_none(token)
    facts = services.read_report(link, "page") if link is not None else None
    if facts is None:
        return _gone()
    db.session.commit()
    return render_viewed("outcomes/report.html", facts=facts, issued=services.release_of(link.case).released_at,
                         shared=True, pdf_url=url_for("patients.report_pdf_download", token=token))


@bp.get(PAGE + "/report.pdf")
@public
@limiter.limit(_limit)
def report_pdf_download(token: str):
    link = _link_or_none(token)
    facts = services.read_report(link, "pdf") if link is not None else None
    if facts is None:
        return _gone()
    body = report_pdf(facts, current_app.config["CLINIC_NAME"], i18n.long_date(utcnow().astimezone(ZoneInfo(link.case.patient.timezone)).date()))
    db.session.commit()
    return Response(body, mimetype="application/pdf", headers={
        "Content-Disposition": f'attachment; filename="second-opinion-{link.case.reference}.pdf"',
        "Cache-Control": "no-store"})


# -- the staff's part, on the case page ------------------------------------------------------------

def _case(case_id: int) -> Case:
    return db.session.get(Case, case_id) or deny("case", case_id)


def _staff_action(case: Case, change, success: str):
    if forms.ButtonForm().validate_on_submit():
        attempt(change, success=success)
    return redirect(url_for("cases.case", case_id=case.id, _anchor="patient-heading"))


@bp.post("/cases/<id:case_id>/patient/report/release")
@roles_required(COORDINATOR)
def release_report(case_id: int):
    case = _case(case_id)
    return _staff_action(case, lambda: services.release_report(current_user, case),
                         "The report is on the patient's status page, and the patient was told by email.")


@bp.post("/cases/<id:case_id>/patient/status-link")
@roles_required(COORDINATOR)
def send_status_link(case_id: int):
    case = _case(case_id)
    return _staff_action(case, lambda: services.send_status_link(current_user, case),
                         "A new status link was emailed to the patient.")


@bp.post("/cases/<id:case_id>/patient/status-links/revoke")
@roles_required(COORDINATOR)
def revoke_status_links(case_id: int):
    case = _case(case_id)
    return _staff_action(case, lambda: services.revoke_status_links(current_user, case),
                         "Every status link of this case is revoked: none opens any more.")


@bp.post("/patient-messages/<id:patient_message_id>/handled")
@roles_required(COORDINATOR)
def message_handled(patient_message_id: int):
    message = db.session.get(PatientMessage, patient_message_id) or deny("patient_message", patient_message_id)
    case = _case(message.case_id)
    return _staff_action(case, lambda: services.mark_handled(current_user, message), "Message marked as handled.")


def panel_context(case: Case, actor) -> dict:
    messages = services.open_messages(case)
    for message in messages:
        audit.record(actor, "view", "patient_message", message.id)
    status_links = services.status_links(case)
    return {"status_links": status_links, "open_links": [link for link in status_links if link.state == "active"],
            "messages": messages, "release": services.release_of(case),
            "may_release": services.may_release(case), "button": forms.ButtonForm()}
