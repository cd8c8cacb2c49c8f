"""The specialist's pages: their cases, one case's full record with a viewer, the opinion, addenda."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, url_for
from flask_login import current_user

from clinic import audit
from clinic.auth.access import SPECIALIST, roles_required
from clinic.cases import icd10
from clinic.cases.workflow import CaseStatus
from clinic.extensions import db
from clinic.records.storage import serve_document
from clinic.review import forms, services, viewer
from clinic.review.access import assigned, reviewable_document
from clinic.scheduling import services as scheduling
from clinic.web import attempt, render_viewed

bp = Blueprint("review", __name__)


@bp.get("/specialist/cases")
@roles_required(SPECIALIST)
def home():
    groups = services.workspace(current_user.clinician_id)
    audit.record(current_user, "view", "assignment_list", None, detail="review workspace")
    return render_viewed("review/home.html", groups=groups)


@bp.get("/specialist/cases/<id:case_id>")
@roles_required(SPECIALIST)
def case(case_id: int):
    return _case_page(assigned(case_id), forms.AddendumForm())


def _case_page(assignment, addendum_form, status: int = 200):
    found = assignment.case
    audit.record(current_user, "view", "case", found.id, detail="review workspace")
    opinion = services.opinion_for(assignment)
    return render_viewed("review/case.html", case=found, assignment=assignment, opinion=opinion,
                         documents=viewer.verified_documents(found.id), display=viewer.display,
                         appointment=scheduling.active_appointment(found) or scheduling.latest_appointment(found),
                         icd10_description=icd10.describe(found.icd10_code),
                         addendum_form=addendum_form), status


@bp.route("/specialist/cases/<id:case_id>/opinion", methods=["GET", "POST"])
@roles_required(SPECIALIST)
def opinion(case_id: int):
    assignment = assigned(case_id)
    found = assignment.case
    current = services.opinion_for(assignment)
    if current is not None and current.is_signed:
        flash("This opinion is signed and can no longer be changed; add an addendum if needed.", "info")
        return redirect(url_for("review.case", case_id=case_id, _anchor="opinion-heading"))
    form = forms.opinion_form(found.questions, current)
    status = 200
    if form.validate_on_submit():
        signing = bool(form.sign.data)
        write = services.sign_opinion if signing else services.save_draft
        done = attempt(lambda: write(current_user, assignment, form.facts()), form,
                       success=f"Opinion on case {found.reference} signed." if signing else "Draft saved.")
        if done.ok:
            return redirect(url_for("review.case", case_id=case_id) if signing else
                            url_for("review.opinion", case_id=case_id))
        status = done.status
    elif form.errors:
        status = 422
    audit.record(current_user, "view", "case", found.id, detail="opinion form")
    return render_viewed("review/opinion.html", case=found, form=form, opinion=current,
                         can_sign=found.status == CaseStatus.CONSULTED), status


@bp.post("/specialist/cases/<id:case_id>/addenda")
@roles_required(SPECIALIST)
def addendum(case_id: int):
    assignment = assigned(case_id)
    form = forms.AddendumForm()
    if form.validate_on_submit():
        done = attempt(lambda: services.add_addendum(current_user, assignment, form.text.data), form,
                       success="Addendum signed and added to the opinion.")
        if done.ok:
            return redirect(url_for("review.case", case_id=case_id, _anchor="opinion-heading"))
    return _case_page(assignment, form, 422)  # the refusal beside the text, which stays as typed


@bp.get("/specialist/documents/<id:document_id>")
@roles_required(SPECIALIST)
def document(document_id: int):
    found = reviewable_document(document_id)
    audit.record(current_user, "view", "document", found.id, detail="viewer")
    inline_url = url_for("review.inline", document_id=found.id, _external=True)
    page = render_viewed("review/viewer.html", document=found, item=found.record_item, case_id=found.case_id,
                         display=viewer.display(found), inline_url=inline_url)
    return page, 200, {"Content-Security-Policy": viewer.viewer_policy(inline_url)}


@bp.get("/specialist/documents/<id:document_id>/inline")
@roles_required(SPECIALIST)
def inline(document_id: int):
    return _file(document_id, "view", "inline", viewer.serve_inline)


@bp.get("/specialist/documents/<id:document_id>/download")
@roles_required(SPECIALIST)
def download(document_id: int):
    return _file(document_id, "export", "download", serve_document)


def _file(document_id: int, action: str, detail: str, serve):
    found = reviewable_document(document_id)
    audit.record(current_user, action, "document", found.id, detail=detail)
    db.session.commit()
    return serve(found)
