"""Booking from the slot picker, the appointment page (reschedule, cancel, held, no-show), .ics and feeds."""
from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from flask import Blueprint, Response, abort, flash, redirect, request, url_for
from flask_login import current_user

from clinic import audit
from clinic.auth.access import COORDINATOR, deny, public, roles_required
from clinic.cases.models import Case
from clinic.database import utcnow
from clinic.extensions import db, limiter
from clinic.scheduling import feeds, forms, panel, picker, services
from clinic.scheduling.invites import publish
from clinic.scheduling.models import APPOINTMENT_LABELS, MODALITIES, Appointment
from clinic.scheduling.notices import invite_for
from clinic.web import attempt, render_viewed

bp = Blueprint("scheduling", __name__)


@bp.app_template_filter("zone_time")
def zone_time(moment: datetime, zone: str, fmt: str = "%a %d %b, %H:%M") -> str:
    """A UTC instant on the clock of a named zone, with the zone's abbreviation."""
    local = moment.astimezone(ZoneInfo(zone))
    return f"{local.strftime(fmt)} {local.tzname()}"


@bp.app_context_processor
def _words() -> dict:
    return {"MODALITIES": MODALITIES, "APPOINTMENT_LABELS": APPOINTMENT_LABELS}


def _case(case_id: int) -> Case:
    return db.session.get(Case, case_id) or deny("case", case_id)


def _appointment(appointment_id: int) -> Appointment:
    return db.session.get(Appointment, appointment_id) or deny("appointment", appointment_id)


def _render_picker(case: Case, form, appointment: Appointment | None = None, status: int = 200):
    assignment = services.accepted_assignment(case)
    specialist = appointment.specialist if appointment else assignment and assignment.specialist
    page = picker.picker_page(specialist, case, picker.parse_day(request.args.get("from")),
                              appointment.id if appointment else None) if specialist else None
    if page:
        form.start.choices = [(s.value, s.specialist_time) for _, day in page.days for s in day]
    audit.record(current_user, "view", "case", case.id, detail="slot picker")
    return render_viewed("scheduling/book.html", case=case, form=form, page=page, specialist=specialist,
                         appointment=appointment), status


def _pick_slot(case: Case, appointment: Appointment | None, change, done: str):
    """The slot picker's form: on a valid pick, `change(start)` books or moves; a refusal is shown on the field."""
    form = forms.BookForm()
    if appointment:
        form.submit.label.text = "Move to this slot"
    if form.validate_on_submit():
        try:
            booked = change(form.start.moment)
            db.session.commit()
        except services.SchedulingError as error:
            db.session.rollback()
            # The picker is read again and its viewing audited: on SQLite that read-then-write must hold
            # the write lock from the start, or the winner's commit in between fails it ("database is locked").
            services.write_lock()
            form.start.errors = [str(error)]
            return _render_picker(case, form, appointment, status=409)
        flash(f"{done} {services.notices.when(booked)}. The invites are on their way.", "success")
        return redirect(url_for("scheduling.appointment", appointment_id=booked.id))
    return _render_picker(case, form, appointment, status=422 if form.errors else 200)


@bp.route("/cases/<id:case_id>/booking", methods=["GET", "POST"])
@roles_required(COORDINATOR)
def book(case_id: int):
    if request.method == "POST":
        services.write_lock()
    case = _case(case_id)
    return _pick_slot(case, None, lambda start: services.book(current_user, case, start), "Booked for")


@bp.get("/appointments/<id:appointment_id>")
@roles_required(COORDINATOR)
def appointment(appointment_id: int):
    found = _appointment(appointment_id)
    audit.record(current_user, "view", "appointment", found.id)
    return render_viewed("scheduling/appointment.html", appointment=found, case=found.case,
                         cancel_form=forms.CancelForm(), no_show_form=forms.NoShowForm(),
                         close_form=forms.DeleteForm(), started=found.start <= utcnow(),
                         sections=panel.appointment_sections(found))


@bp.route("/appointments/<id:appointment_id>/reschedule", methods=["GET", "POST"])
@roles_required(COORDINATOR)
def reschedule(appointment_id: int):
    if request.method == "POST":
        services.write_lock()
    found = _appointment(appointment_id)
    return _pick_slot(found.case, found, lambda start: services.reschedule(current_user, found, start), "Moved to")


def _close(appointment_id: int, form, action, done: str):
    services.write_lock()
    found = _appointment(appointment_id)
    if not form.validate_on_submit():
        flash(" ".join(e for errors in form.errors.values() for e in errors) or "Try again.", "danger")
    else:
        attempt(lambda: action(found), success=done)
    return redirect(url_for("scheduling.appointment", appointment_id=appointment_id))


@bp.post("/appointments/<id:appointment_id>/cancel")
@roles_required(COORDINATOR)
def cancel(appointment_id: int):
    form = forms.CancelForm()
    return _close(appointment_id, form, lambda a: services.cancel(current_user, a, form.reason.data),
                  "Appointment cancelled. The patient and the specialist get the cancellation; "
                  "the case is back to matched for a new booking.")


@bp.post("/appointments/<id:appointment_id>/complete")
@roles_required(COORDINATOR)
def complete(appointment_id: int):
    return _close(appointment_id, forms.DeleteForm(), lambda a: services.complete(current_user, a),
                  "Consultation marked as held. The case now waits for the specialist's opinion.")


@bp.post("/appointments/<id:appointment_id>/no-show")
@roles_required(COORDINATOR)
def no_show(appointment_id: int):
    form = forms.NoShowForm()
    return _close(appointment_id, form, lambda a: services.mark_no_show(current_user, a, form.note.data),
                  "Marked as no-show. The case is back to matched for a new booking.")


@bp.get("/appointments/<id:appointment_id>/invite.ics")
@roles_required(COORDINATOR)
def download(appointment_id: int):
    found = _appointment(appointment_id)
    audit.record(current_user, "export", "appointment", found.id, detail="ics")
    db.session.commit()
    text = publish([invite_for(found, found.timezone)], utcnow())
    return Response(text, mimetype="text/calendar", headers={
        "Content-Disposition": f'attachment; filename="consultation-{found.case.reference}.ics"'})


@bp.get("/calendar/<token>.ics")
@public
@limiter.limit("60 per minute")
def feed(token: str):
    found = feeds.feed_by_token(token)
    if found is None:
        abort(404)  # neutral: a wrong, revoked or made-up token looks the same
    text = feeds.feed_calendar(found)
    db.session.commit()
    return Response(text, mimetype="text/calendar", headers={"Cache-Control": "private, no-store"})
