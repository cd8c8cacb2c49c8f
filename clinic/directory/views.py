"""Directory pages: lists with search, create, edit, deactivate; a clinician's page; roster upload.

Admins change the directory; coordinators read it (they check ties by hand when the engine warns).
"""
from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user

from clinic import audit
from clinic.auth.access import ADMIN, COORDINATOR, roles_required
from clinic.directory import forms, services
from clinic.directory.models import Clinician, Organization, Plan, Subspecialty
from clinic.directory.roster import RosterError, import_roster
from clinic.directory.sections import MAX_SEARCH, SECTIONS
from clinic.extensions import db
from clinic.formkit import whole_number
from clinic.web import attempt

bp = Blueprint("directory", __name__, url_prefix="/directory")
LINK_FORMS = {"affiliations": forms.AffiliationForm, "relationships": forms.RelationshipForm,
              "networks": forms.NetworkForm, "subspecialties": forms.ExpertiseForm}
MAX_PROBLEMS_SHOWN = 500


def _section(name: str):
    return SECTIONS.get(name) or abort(404)


@bp.get("")
@roles_required(ADMIN, COORDINATOR)
def index():
    return redirect(url_for("directory.listing", section="clinicians"))


@bp.get("/<section>")
@roles_required(ADMIN, COORDINATOR)
def listing(section: str):
    found = _section(section)
    query = request.args.get("q", "").strip()[:MAX_SEARCH]
    status = request.args.get("status", "")
    page = request.args.get("page", "1")
    rows, total, page, pages = found.page(query, status, whole_number(page) or 1,
                                          current_app.config["QUEUE_PAGE_SIZE"])
    return render_template("directory/list.html", section=found, rows=rows, total=total, page=page, pages=pages,
                           query=query, status=status, confirm=forms.ConfirmForm())


@bp.route("/<section>/new", methods=["GET", "POST"])
@roles_required(ADMIN)
def new(section: str):
    return _edit(_section(section), None)


@bp.route("/<section>/<id:item_id>/edit", methods=["GET", "POST"])
@roles_required(ADMIN)
def edit(section: str, item_id: int):
    found = _section(section)
    return _edit(found, db.get_or_404(found.model, item_id))


def _edit(section, item):
    form = section.form(obj=item)
    if form.validate_on_submit():
        done = attempt(lambda: section.save(current_user, item, section.values(form)), form,
                       success=f"{section.singular.capitalize()} saved.")
        if done.ok and section.name == "clinicians":
            return redirect(url_for("directory.clinician", clinician_id=done.value.id))
        if done.ok:
            return redirect(url_for("directory.listing", section=section.name))
    return render_template("directory/form.html", section=section, item=item, form=form), 422 if form.errors else 200


@bp.post("/<section>/<id:item_id>/active")
@roles_required(ADMIN)
def toggle(section: str, item_id: int):
    found = _section(section)
    item = db.get_or_404(found.model, item_id)
    if forms.ConfirmForm().validate_on_submit():
        services.set_active(current_user, item, not item.active, found.singular)
        db.session.commit()
        flash(f"{found.singular.capitalize()} {'reactivated' if item.active else 'deactivated'}.", "success")
    return redirect(request.referrer if _same_site(request.referrer) else url_for("directory.listing", section=section))


def _same_site(target: str | None) -> bool:
    return bool(target) and target.startswith(request.host_url)


@bp.get("/clinicians/<id:clinician_id>")
@roles_required(ADMIN, COORDINATOR)
def clinician(clinician_id: int):
    person = db.get_or_404(Clinician, clinician_id)
    return render_template("directory/clinician.html", person=person, links=services.clinician_links(person),
                           link_forms=_link_forms(person) if current_user.role == ADMIN else {},
                           confirm=forms.ConfirmForm())


def _link_forms(person: Clinician, submitted: str | None = None) -> dict:
    found = {name: form_class(formdata=None if name != submitted else request.form)
             for name, form_class in LINK_FORMS.items()
             if person.kind == "specialist" or name in ("affiliations", "relationships")}
    choices = {"affiliations": (Organization, Organization.name, lambda o: o.name),
               "networks": (Plan, Plan.payer, lambda p: p.label),
               "subspecialties": (Subspecialty, Subspecialty.name, lambda s: s.name)}
    for name, (model, order, label) in choices.items():
        if name in found:
            field = found[name].organization if name == "affiliations" else \
                found[name].plan if name == "networks" else found[name].subspecialty
            field.choices = [(row.id, label(row)) for row in db.session.scalars(
                db.select(model).where(model.active.is_(True)).order_by(order))]
    return found


@bp.post("/clinicians/<id:clinician_id>/links/<link>")
@roles_required(ADMIN)
def save_link(clinician_id: int, link: str):
    person = db.get_or_404(Clinician, clinician_id)
    if link not in LINK_FORMS:
        abort(404)
    link_forms = _link_forms(person, submitted=link)
    form = link_forms.get(link) or abort(404)
    if form.validate_on_submit():
        if attempt(lambda: _save_link(person, link, form), form, success="Saved.").ok:
            return redirect(url_for("directory.clinician", clinician_id=person.id) + f"#{link}")
    return render_template("directory/clinician.html", person=person, links=services.clinician_links(person),
                           link_forms=link_forms, confirm=forms.ConfirmForm()), 422


def _save_link(person: Clinician, link: str, form) -> None:
    if link == "affiliations":
        services.save_affiliation(current_user, person, form.organization.data, form.start.data, form.end.data)
    elif link == "networks":
        services.save_network(current_user, person, form.plan.data, form.start.data, form.end.data)
    elif link == "relationships":
        services.save_relationship(current_user, person, form.other_npi.data, form.kind.data, form.start.data,
                                   form.end.data)
    else:
        services.save_expertise(current_user, person, form.subspecialty.data, form.annual_volume.data)


@bp.post("/clinicians/<id:clinician_id>/links/<link>/<id:link_id>/remove")
@roles_required(ADMIN)
def remove_link(clinician_id: int, link: str, link_id: int):
    person = db.get_or_404(Clinician, clinician_id)
    if link not in LINK_FORMS or not forms.ConfirmForm().validate_on_submit():
        abort(404)
    if not services.remove_link(current_user, person, link, link_id):
        abort(404)
    db.session.commit()
    flash("Removed.", "success")
    return redirect(url_for("directory.clinician", clinician_id=person.id) + f"#{link}")


@bp.route("/import", methods=["GET", "POST"])
@roles_required(ADMIN)
def roster_import():
    form = forms.RosterForm()
    report, problems = None, []
    if form.validate_on_submit():
        files = {}
        for upload in form.files.data:
            name = (upload.filename or "").rsplit("/", 1)[-1].rsplit("\\", 1)[-1].strip().lower()
            files[name] = upload.stream  # read as a stream by the import, never whole into memory
        try:
            report = import_roster(current_user, files)
            db.session.commit()
        except RosterError as error:
            db.session.rollback()
            problems = error.problems
            audit.record(current_user, "create", "roster_import", None, detail=f"refused problems={len(problems)}")
            db.session.commit()
    return render_template("directory/import.html", form=form, report=report, problems=problems[:MAX_PROBLEMS_SHOWN],
                           problem_count=len(problems)), 422 if problems or form.errors else 200
