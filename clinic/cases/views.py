"""Intake (public and staff), the work queue and the case page."""
from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, session, url_for
from flask_login import current_user

from clinic import audit
from clinic.auth.access import COORDINATOR, deny, public, roles_required
from clinic.cases import forms, icd10, queue, services, workflow
from clinic.cases.models import Case
from clinic.cases.panels import panel_loads, panels_for
from clinic.extensions import db, limiter
from clinic.web import attempt, render_viewed

bp = Blueprint("cases", __name__)
QUEUE_FILTERS = "queue_filters"


def _public_limit() -> str:
    return current_app.config["PUBLIC_REQUEST_LIMIT"]


@bp.route("/request", methods=["GET", "POST"])
@public
@limiter.limit(_public_limit, methods=["POST"])
def public_request():
    form = forms.RequestForm()
    if form.validate_on_submit():
        case = services.submit_request(None, form.intake("self"))
        db.session.commit()
        # Kept in the session, not the URL: the confirmation page shows the code and nothing else.
        session["submitted_reference"] = case.reference
        return redirect(url_for("cases.request_received"))
    return render_template("cases/public_request.html", form=form), 422 if form.errors else 200


@bp.get("/request/received")
@public
def request_received():
    reference = session.get("submitted_reference")
    if not reference:
        return redirect(url_for("cases.public_request"))
    return render_template("cases/request_received.html", reference=reference)


@bp.get("/cases", endpoint="queue")
@roles_required(COORDINATOR)
def queue_view():
    # The queue remembers the last filters for this session: coming back to /cases restores them,
    # and "Clear" (an explicit ?status=open) resets them. The queue's own links always carry a status.
    if not request.args and session.get(QUEUE_FILTERS):
        return redirect(url_for("cases.queue", **session[QUEUE_FILTERS]))
    filters = queue.QueueFilter.from_args(request.args)
    session[QUEUE_FILTERS] = filters.as_args(page=1)
    page = queue.queue_page(filters, current_app.config["QUEUE_PAGE_SIZE"])
    audit.record(current_user, "view", "case_list", None, detail=f"page={page.page} n={len(page.cases)}")
    return render_viewed("cases/queue.html", page=page, filters=filters, flags=queue.flags(),
                           age_choices=queue.AGE_CHOICES, sorts=queue.SORTS)


@bp.route("/cases/new", methods=["GET", "POST"])
@roles_required(COORDINATOR)
def new_case():
    form = forms.StaffIntakeForm()
    if form.validate_on_submit():
        case = services.submit_request(current_user, form.intake())
        db.session.commit()
        flash(f"Case {case.reference} created.", "success")
        return redirect(url_for("cases.case", case_id=case.id))
    return render_template("cases/staff_intake.html", form=form), 422 if form.errors else 200


@bp.get("/cases/<id:case_id>")
@roles_required(COORDINATOR)
def case(case_id: int):
    found = services.open_case(current_user, case_id, panel_loads())
    if found is None:
        deny("case", case_id)
    return render_viewed("cases/case.html", case=found, waiting=workflow.waiting_for(found),
                           icd10_description=icd10.describe(found.icd10_code),
                           panels=panels_for(found, current_user),
                           end_form=forms.EndCaseForm(), note_form=forms.NoteForm())


@bp.post("/cases/<id:case_id>/end")
@roles_required(COORDINATOR)
def end_case(case_id: int):
    found = db.session.get(Case, case_id) or deny("case", case_id)
    form = forms.EndCaseForm()
    if not form.validate_on_submit():
        flash(" ".join(e for errors in form.errors.values() for e in errors), "danger")
    else:
        attempt(lambda: services.end_case(current_user, found, form.outcome.data, form.reason.data),
                success=lambda _: f"Case {found.reference} is now {workflow.label(found.status).lower()}.")
    return redirect(url_for("cases.case", case_id=case_id))


@bp.post("/cases/<id:case_id>/notes")
@roles_required(COORDINATOR)
def add_note(case_id: int):
    found = db.session.get(Case, case_id) or deny("case", case_id)
    form = forms.NoteForm()
    if form.validate_on_submit():
        services.add_note(current_user, found, form.text.data)
        db.session.commit()
        flash("Note added to the timeline.", "success")
    else:
        flash("Write the note before adding it.", "danger")
    return redirect(url_for("cases.case", case_id=case_id))
