"""Availability pages: weekly openings, days off and the calendar feed, for admins and for the specialist themself."""
from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, current_app, flash, redirect, render_template, url_for
from flask_login import current_user

from clinic import audit
from clinic.auth.access import ADMIN, SPECIALIST, deny, roles_required
from clinic.database import utcnow
from clinic.directory.models import Clinician
from clinic.extensions import db
from clinic.scheduling import availability, feeds, forms
from clinic.scheduling.models import ACTIVE, Appointment, AvailabilityRule, DayOff
from clinic.web import attempt

bp = Blueprint("availability", __name__, url_prefix="/availability")


def _specialist(clinician_id: int) -> Clinician:
    """The specialist whose availability is edited: any for an admin, only themself for a specialist."""
    found = db.session.get(Clinician, clinician_id)
    if found is None or found.kind != "specialist" or \
            (current_user.role == SPECIALIST and current_user.clinician_id != found.id):
        deny("clinician", clinician_id)
    return found


def _page(specialist: Clinician, rule_form=None, day_form=None, feed_url: str | None = None, status: int = 200):
    rule_form = rule_form or forms.RuleForm(timezone=specialist.timezone)
    upcoming = db.session.scalars(sa.select(Appointment).where(
        Appointment.specialist_id == specialist.id, Appointment.status == ACTIVE,
        Appointment.end >= utcnow()).order_by(Appointment.start).limit(50)).all()
    audit.record(current_user, "view", "availability", specialist.id)
    db.session.commit()
    return render_template("scheduling/availability.html", specialist=specialist, rule_form=rule_form,
                           day_form=day_form or forms.DayOffForm(), delete_form=forms.DeleteForm(),
                           rules=availability.rules_of(specialist.id),
                           days_off=availability.days_off_of(specialist.id, availability.local_today(specialist.timezone)),
                           feed=feeds.active_feed(specialist.id), feed_url=feed_url, upcoming=upcoming), status


@bp.get("")
@roles_required(ADMIN)
def index():
    specialists = db.session.scalars(sa.select(Clinician).where(Clinician.kind == "specialist")
                                     .order_by(Clinician.name)).all()
    counts = dict(db.session.execute(sa.select(AvailabilityRule.specialist_id, sa.func.count())
                                     .group_by(AvailabilityRule.specialist_id)).all())
    return render_template("scheduling/availability_index.html", specialists=specialists, counts=counts)


@bp.get("/mine")
@roles_required(SPECIALIST)
def mine():
    if current_user.clinician_id is None:
        flash("Your account is not linked to a directory record yet; ask an administrator.", "warning")
        return redirect(url_for("review.home"))
    return redirect(url_for("availability.specialist", clinician_id=current_user.clinician_id))


@bp.get("/<id:clinician_id>")
@roles_required(ADMIN, SPECIALIST)
def specialist(clinician_id: int):
    return _page(_specialist(clinician_id))


@bp.post("/<id:clinician_id>/rules")
@roles_required(ADMIN, SPECIALIST)
def add_rule(clinician_id: int):
    person = _specialist(clinician_id)
    form = forms.RuleForm()
    if form.validate_on_submit():
        done = attempt(lambda: availability.add_rule(
            current_user, person, int(form.weekday.data), form.start.data, form.end.data, form.slot_minutes.data,
            form.timezone.data, form.modality.data, form.location.data), form, success="Opening added.")
        if done.ok:
            return redirect(url_for("availability.specialist", clinician_id=person.id))
    return _page(person, rule_form=form, status=422)


def _remove(clinician_id: int, model, item_id: int, entity: str, remove, done: str):
    """Delete one of this specialist's openings or days off (someone else's: a neutral 404)."""
    person = _specialist(clinician_id)
    item = db.session.get(model, item_id)
    if item is None or item.specialist_id != person.id:
        deny(entity, item_id)
    if forms.DeleteForm().validate_on_submit():
        remove(current_user, item)
        db.session.commit()
        flash(done, "success")
    return redirect(url_for("availability.specialist", clinician_id=person.id))


@bp.post("/<id:clinician_id>/rules/<id:rule_id>/delete")
@roles_required(ADMIN, SPECIALIST)
def delete_rule(clinician_id: int, rule_id: int):
    return _remove(clinician_id, AvailabilityRule, rule_id, "availability_rule", availability.remove_rule,
                   "Opening removed. Appointments already booked in it stay booked.")


@bp.post("/<id:clinician_id>/days-off")
@roles_required(ADMIN, SPECIALIST)
def add_day_off(clinician_id: int):
    person = _specialist(clinician_id)
    form = forms.DayOffForm()
    if form.validate_on_submit():
        done = attempt(lambda: availability.add_day_off(current_user, person, form.day.data, form.reason.data),
                       form, success=f"{form.day.data.isoformat()} is now a day off.")
        if done.ok:
            return redirect(url_for("availability.specialist", clinician_id=person.id))
    return _page(person, day_form=form, status=422)


@bp.post("/<id:clinician_id>/days-off/<id:day_off_id>/delete")
@roles_required(ADMIN, SPECIALIST)
def delete_day_off(clinician_id: int, day_off_id: int):
    return _remove(clinician_id, DayOff, day_off_id, "day_off", availability.remove_day_off, "Day off removed.")


@bp.post("/<id:clinician_id>/feed")
@roles_required(ADMIN, SPECIALIST)
def issue_feed(clinician_id: int):
    person = _specialist(clinician_id)
    if not forms.DeleteForm().validate_on_submit():
        return redirect(url_for("availability.specialist", clinician_id=person.id))
    done = attempt(lambda: feeds.issue_feed(current_user, person))
    if not done.ok:
        return redirect(url_for("availability.specialist", clinician_id=person.id))
    token = done.value
    url = current_app.config["PUBLIC_URL"].rstrip("/") + url_for("scheduling.feed", token=token)
    return _page(person, feed_url=url)


@bp.post("/<id:clinician_id>/feed/revoke")
@roles_required(ADMIN, SPECIALIST)
def revoke_feed(clinician_id: int):
    person = _specialist(clinician_id)
    if forms.DeleteForm().validate_on_submit() and feeds.revoke_feed(current_user, person):
        db.session.commit()
        flash("The calendar link no longer works. Make a new one to subscribe again.", "success")
    return redirect(url_for("availability.specialist", clinician_id=person.id))
