"""Outcomes pages: the comparison with the decision, the report (page, PDF, sending), the dashboard."""
from __future__ import annotations

import csv
import io

from flask import Blueprint, Response, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user

from clinic import audit, i18n
from clinic.auth.access import ADMIN, COORDINATOR, deny, public, roles_required
from clinic.cases.models import Case
from clinic.database import utcnow
from clinic.extensions import db, limiter
from clinic.outcomes import dashboard, figures, forms, services
from clinic.outcomes.models import ReportLink
from clinic.outcomes.report_pdf import report_pdf
from clinic.review.vocabulary import DIAGNOSIS_COMPARISONS, TREATMENT_COMPARISONS
from clinic.web import render_viewed, user_zone

bp = Blueprint("outcomes", __name__)


def _case(case_id: int) -> Case:
    return db.session.get(Case, case_id) or deny("case", case_id)


def _signed(case_id: int, show):
    """show(case, facts) once the opinion is signed; before that, back to the case with a word why."""
    case = _case(case_id)
    facts = services.report_facts(case)
    if facts is None:
        flash("The comparison and the report are ready once the specialist has signed the opinion.", "info")
        return redirect(url_for("cases.case", case_id=case.id))
    return show(case, facts)


@bp.get("/cases/<id:case_id>/comparison")
@roles_required(COORDINATOR)
def comparison(case_id: int):
    return _signed(case_id, lambda case, facts: _comparison_page(case, facts, forms.DecisionForm()))


def _comparison_page(case, facts, form, status: int = 200, send_form=None):
    audit.record(current_user, "view", "opinion", facts.opinion.id, detail="comparison")
    named, email = services.first_doctor(case)
    send_form = send_form or forms.SendReportForm(recipient=email or None)
    return render_viewed("outcomes/comparison.html", case=case, facts=facts, form=form, send_form=send_form,
                         first_doctor=named), status


@bp.post("/cases/<id:case_id>/decision")
@roles_required(COORDINATOR)
def decide(case_id: int):
    case = _case(case_id)
    form = forms.DecisionForm()
    if form.validate_on_submit():
        try:
            decision = services.record_decision(current_user, case, form.choice.data, form.note.data,
                                                follow_up_on=form.follow_up_on.data)
        except services.OutcomeError as error:
            db.session.rollback()
            if not case.is_open:  # decided meanwhile: the form is no longer on the page
                flash(str(error), "warning")
                return redirect(url_for("outcomes.comparison", case_id=case.id))
            target = form.follow_up_on if error.field == "follow_up_on" else form.choice
            target.errors = [*target.errors, str(error)]
        else:
            db.session.commit()
            flash(f"Decision recorded; case {case.reference} is closed." if decision.follow_up_on is None else
                  f"Recorded as undecided; case {case.reference} stays open until "
                  f"{decision.follow_up_on:%d %b %Y}.", "success")
            return redirect(url_for("outcomes.comparison", case_id=case.id))
    return _signed(case_id, lambda case, facts: _comparison_page(case, facts, form, 422))


@bp.get("/cases/<id:case_id>/report")
@roles_required(COORDINATOR)
def report(case_id: int):
    def show(case, facts):
        audit.record(current_user, "view", "report", case.id)
        return render_viewed("outcomes/report.html", facts=facts, issued=utcnow(), shared=False)
    return _signed(case_id, show)


@bp.get("/cases/<id:case_id>/report.pdf")
@roles_required(COORDINATOR)
def report_download(case_id: int):
    def pdf(case, facts):
        audit.record(current_user, "export", "report", case.id, detail="pdf download")
        body = report_pdf(facts, current_app.config["CLINIC_NAME"], i18n.long_date(utcnow().astimezone(user_zone()).date()))
        db.session.commit()
        return Response(body, mimetype="application/pdf", headers={
            "Content-Disposition": f'attachment; filename="second-opinion-{case.reference}.pdf"',
            "Cache-Control": "no-store"})
    return _signed(case_id, pdf)


@bp.post("/cases/<id:case_id>/report/send")
@roles_required(COORDINATOR)
def send_report(case_id: int):
    case = _case(case_id)
    if not case.consent_to_contact_first_doctor:
        deny("report_send", case.id)  # the action does not exist without the patient's consent
    form = forms.SendReportForm()
    if form.validate_on_submit():
        try:
            services.send_report(current_user, case, form.recipient.data.strip())
        except services.OutcomeError as error:
            db.session.rollback()
            form.recipient.errors = [*form.recipient.errors, str(error)]
        else:
            db.session.commit()
            flash("The first doctor was sent a private link to the report.", "success")
            return redirect(url_for("outcomes.comparison", case_id=case.id, _anchor="send-heading"))
    # The refusal beside the address, which stays as typed.
    return _signed(case_id, lambda case, facts: _comparison_page(case, facts, forms.DecisionForm(), 422, form))


@bp.post("/report-links/<id:report_link_id>/revoke")
@roles_required(COORDINATOR, ADMIN)
def revoke_report_link(report_link_id: int):
    link = db.session.get(ReportLink, report_link_id) or deny("report_link", report_link_id)
    if forms.RevokeLinkForm().validate_on_submit():
        try:
            services.revoke_report_link(current_user, link)
        except services.OutcomeError as error:
            db.session.rollback()
            flash(str(error), "info")
        else:
            db.session.commit()
            flash(f"The report link sent to {link.recipient} is revoked: it no longer opens.", "success")
    if current_user.role != COORDINATOR:
        return redirect(url_for("auth.home"))  # the case page is the coordinators'
    return redirect(url_for("cases.case", case_id=link.case_id, _anchor="outcome-heading"))


@bp.get(services.REPORT_PATH + "<token>")
@public
@limiter.limit("30 per hour")
def shared_report(token: str):
    link = services.resolve_report_link(token)
    if link is None:
        audit.record(None, "denied", "report_link", None, detail="invalid or expired link")
        db.session.commit()
        return render_template("error.html", status=404,
                               message="This link is not valid or has expired. Ask the clinic for a new one."), 404
    facts = services.report_facts(link.case)
    link.last_opened_at = utcnow()
    audit.record(None, "view", "report_link", link.id, detail=f"case={link.case_id}")
    return render_viewed("outcomes/report.html", facts=facts, issued=link.created_at, shared=True)


@bp.get("/outcomes")
@roles_required(COORDINATOR, ADMIN)
def dashboard_page():
    period = dashboard.period_of(request.args.get("period"))
    result = dashboard.compute(period)
    audit.record(current_user, "view", "outcomes_dashboard", None, detail=f"{period} cases={result.overall.total}")
    return render_viewed("outcomes/dashboard.html", result=result, charts=dashboard.chart_set(result),
                         benchmarks=figures.benchmark_rows(result.overall), period=period, periods=dashboard.PERIODS,
                         diagnosis_categories=DIAGNOSIS_COMPARISONS, treatment_categories=TREATMENT_COMPARISONS)


@bp.get("/outcomes.csv")
@roles_required(COORDINATOR, ADMIN)
def dashboard_csv():
    period = dashboard.period_of(request.args.get("period"))
    result = dashboard.compute(period)
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(figures.csv_rows(result))
    audit.record(current_user, "export", "outcomes_dashboard", None, detail=f"csv {period} cases={result.overall.total}")
    db.session.commit()
    return Response(buffer.getvalue(), mimetype="text/csv", headers={
        "Content-Disposition": 'attachment; filename="second-opinion-outcomes.csv"', "Cache-Control": "no-store"})
