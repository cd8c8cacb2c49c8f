"""The coverage panel on the case page and the coverage check form."""
from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, redirect, render_template, url_for
from flask_login import current_user

from clinic import audit
from clinic.auth.access import COORDINATOR, deny, roles_required
from clinic.cases.models import Case
from clinic.coverage import services
from clinic.coverage.forms import CoverageForm
from clinic.coverage.status import coverage_missing, latest_check
from clinic.coverage.vocabulary import CHECK_METHODS, RESULTS
from clinic.directory.models import Plan
from clinic.extensions import db
from clinic.web import attempt

bp = Blueprint("coverage", __name__)


def panel_context(case: Case, actor) -> dict:
    return {"check": latest_check(case), "problems": coverage_missing(case), "results": RESULTS,
            "methods": CHECK_METHODS}



def _form(case: Case) -> tuple[CoverageForm, bool]:
    plans = db.session.scalars(sa.select(Plan).order_by(Plan.payer, Plan.name)).all()
    form = CoverageForm()
    form.plan.choices = [("", "Choose a plan")] + [(plan.id, plan.label) for plan in plans]
    if not form.is_submitted():
        facts = services.prefill(case)
        form.result.data, form.plan.data, form.payer.data = facts.result, facts.plan_id, facts.payer
        form.plan_name.data, form.member_id.data, form.method.data = facts.plan_name, facts.member_id, facts.method
        form.prior_auth_required.data, form.auth_number.data = facts.prior_auth_required, facts.auth_number
        form.patient_agreed_out_of_network.data = facts.patient_agreed_out_of_network
    return form, bool(plans)


def _facts(form: CoverageForm, with_plans: bool) -> services.CoverageFacts:
    def text(field):
        return (field.data or "").strip() or None

    return services.CoverageFacts(
        result=form.result.data, plan_id=form.plan.data if with_plans else None,
        payer=None if with_plans else text(form.payer), plan_name=None if with_plans else text(form.plan_name),
        member_id=text(form.member_id), prior_auth_required=form.prior_auth_required.data,
        auth_number=text(form.auth_number), method=form.method.data, notes=text(form.notes),
        patient_agreed_out_of_network=form.patient_agreed_out_of_network.data)


@bp.route("/cases/<id:case_id>/coverage", methods=["GET", "POST"])
@roles_required(COORDINATOR)
def check(case_id: int):
    case = db.session.get(Case, case_id) or deny("case", case_id)
    form, with_plans = _form(case)
    status = 200
    if form.validate_on_submit():
        done = attempt(lambda: services.record_check(current_user, case, _facts(form, with_plans)), form,
                       success=f"Coverage recorded: {RESULTS[form.result.data].lower()}.",
                       rename=None if with_plans else {"plan": "plan_name"})
        if done.ok:
            return redirect(url_for("cases.case", case_id=case.id, _anchor="coverage-heading"))
        status = done.status
    elif form.errors:
        status = 422
    audit.record(current_user, "view", "case", case.id, detail="coverage form")
    db.session.commit()
    return render_template("coverage/check.html", case=case, form=form, with_plans=with_plans), status
