"""Matching pages: the coordinator's shortlist and proposal, the specialist's answer."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user

from clinic import audit
from clinic.auth.access import COORDINATOR, SPECIALIST, deny, role_home, roles_required
from clinic.cases.models import Case
from clinic.extensions import db
from clinic.matching import forms, resolution, services
from clinic.matching.access import own_assignment
from clinic.matching.engine import RULES
from clinic.matching.models import Assignment
from clinic.web import attempt, render_viewed

bp = Blueprint("matching", __name__)


@bp.get("/cases/<id:case_id>/matches")
@roles_required(COORDINATOR)
def shortlist(case_id: int):
    case = db.session.get(Case, case_id) or deny("case", case_id)
    chosen = request.args.get("subspecialty", "")[:40] or None
    result = services.shortlist(case, subspecialty=chosen)
    audit.record(current_user, "view", "case_matches", case.id, detail=f"candidates={len(result.candidates)}")
    return render_viewed("matching/shortlist.html", case=case, result=result, chosen=chosen,
                           subspecialties=services.active_subspecialties(), live=services.live_assignment(case),
                           propose_form=forms.ProposeForm(), rules=RULES)


@bp.post("/cases/<id:case_id>/assignment")
@roles_required(COORDINATOR)
def propose(case_id: int):
    case = db.session.get(Case, case_id) or deny("case", case_id)
    form = forms.ProposeForm()
    if not form.validate_on_submit():
        flash("Choose a specialist from the shortlist.", "danger")
        return redirect(url_for("matching.shortlist", case_id=case.id))
    done = attempt(lambda: services.propose_specialist(current_user, case, form.npi.data,
                                                       form.subspecialty.data or None, form.independence_override.data),
                   success=lambda assignment: f"Case {case.reference} proposed to {assignment.specialist.name}.")
    if not done.ok:
        return redirect(url_for("matching.shortlist", case_id=case.id))
    return redirect(url_for("cases.case", case_id=case.id))


@bp.post("/cases/<id:case_id>/doctors/<any(referring, first_opinion):role>/confirm")
@roles_required(COORDINATOR)
def confirm_doctor(case_id: int, role: str):
    case = db.session.get(Case, case_id) or deny("case", case_id)
    form = forms.ConfirmDoctorForm()
    if not form.validate_on_submit():
        flash("Choose the doctor from the likely matches.", "danger")
        return redirect(url_for("cases.case", case_id=case.id))
    done = attempt(lambda: resolution.confirm_doctor(current_user, case, role, form.npi.data),
                   success=lambda found: f"{found[0].name} confirmed as {found[0].clinician.name}: "
                                         "the independence rule now checks their ties.")
    if done.ok and done.value[1]:  # a tie with the specialist already proposed under an override
        flash(done.value[1], "danger")
    return redirect(url_for("cases.case", case_id=case.id))


@bp.post("/cases/<id:case_id>/doctors/<any(referring, first_opinion):role>/not-in-directory")
@roles_required(COORDINATOR)
def doctor_not_listed(case_id: int, role: str):
    case = db.session.get(Case, case_id) or deny("case", case_id)
    form = forms.NotInDirectoryForm()
    if not form.validate_on_submit():
        flash(" ".join(e for errors in form.errors.values() for e in errors), "danger")
        return redirect(url_for("cases.case", case_id=case.id))
    attempt(lambda: resolution.mark_not_in_directory(current_user, case, role, form.reason.data),
            success=lambda named: f"{named.name} is recorded as not in the directory: the rule checks the "
                                  "organization the request names; check other ties to this doctor by hand.")
    return redirect(url_for("cases.case", case_id=case.id))


@bp.post("/assignments/<id:assignment_id>/withdraw")
@roles_required(COORDINATOR)
def withdraw(assignment_id: int):
    assignment = db.session.get(Assignment, assignment_id) or deny("assignment", assignment_id)
    if forms.ConfirmForm().validate_on_submit():
        attempt(lambda: services.withdraw_proposal(current_user, assignment),
                success=f"Proposal to {assignment.specialist.name} withdrawn.")
    return redirect(url_for("cases.case", case_id=assignment.case_id))


@bp.get("/specialist/assignments/<id:assignment_id>")
@roles_required(SPECIALIST)
def assignment(assignment_id: int):
    found = own_assignment(assignment_id)
    audit.record(current_user, "view", "assignment", found.id)
    return render_viewed("matching/assignment.html", assignment=found, case=found.case,
                         accept_form=forms.ConfirmForm(), decline_form=forms.DeclineForm())


@bp.post("/specialist/assignments/<id:assignment_id>/accept")
@roles_required(SPECIALIST)
def accept(assignment_id: int):
    found = own_assignment(assignment_id)
    if forms.ConfirmForm().validate_on_submit():
        if attempt(lambda: services.accept_assignment(current_user, found),
                   success=f"You accepted case {found.case.reference}.").ok:
            return redirect(url_for(role_home(current_user)))
    return redirect(url_for("matching.assignment", assignment_id=found.id))


@bp.post("/specialist/assignments/<id:assignment_id>/decline")
@roles_required(SPECIALIST)
def decline(assignment_id: int):
    found = own_assignment(assignment_id)
    form = forms.DeclineForm()
    if form.validate_on_submit():
        if attempt(lambda: services.decline_assignment(current_user, found, form.reason.data, form.conflict.data),
                   form, success=f"You declined case {found.case.reference}. The coordinator has been told why.",
                   beside="reason").ok:
            return redirect(url_for(role_home(current_user)))
    audit.record(current_user, "view", "assignment", found.id)
    db.session.commit()
    return render_template("matching/assignment.html", assignment=found, case=found.case,
                           accept_form=forms.ConfirmForm(), decline_form=form), 422
