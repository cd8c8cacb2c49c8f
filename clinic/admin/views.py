"""The admin's pages: staff accounts (create, deactivate, reset a password, API tokens) and the audit log."""
from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user

from clinic import audit
from clinic.admin.audit_log import AuditFilter, audit_page
from clinic.auth import forms
from clinic.auth.access import ADMIN, roles_required
from clinic.auth.models import ApiToken, User
from clinic.auth.services import (AccountError, create_user, generated_password, issue_token, revoke_token,
                                  set_active, set_password)
from clinic.directory.models import Clinician
from clinic.extensions import db
from clinic.formkit import as_id
from clinic.web import attempt

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.get("/users")
@roles_required(ADMIN)
def users():
    audit.record(current_user, "view", "user", None, detail="list")
    db.session.commit()  # before the read: a commit expires what was loaded
    rows = db.session.scalars(sa.select(User).order_by(User.active.desc(), User.name)).all()
    return render_template("admin/users.html", users=rows, form=forms.UserForm())


@bp.post("/users")
@roles_required(ADMIN)
def create():
    form = forms.UserForm()
    if form.validate_on_submit():
        clinician = None
        if form.npi.data:
            clinician = db.session.scalar(sa.select(Clinician).where(Clinician.npi == form.npi.data))
        done = attempt(lambda: create_user(current_user, form.email.data, form.name.data, form.role.data,
                                           form.password.data or None, clinician), form)
        if done.ok:
            user, password = done.value
            return _show_password_once(user, password, "created")
    rows = db.session.scalars(sa.select(User).order_by(User.active.desc(), User.name)).all()
    return render_template("admin/users.html", users=rows, form=form), 422


def _show_password_once(user: User, password: str, what: str):
    return render_template("admin/secret_once.html", user=user, secret=password, label="Password",
                           message=f"Account {what}. Give this password to {user.name} through a safe channel; "
                                   "it will not be shown again.")


def _user_or_404(user_id: int) -> User:
    return db.get_or_404(User, user_id)


@bp.get("/users/<id:user_id>")
@roles_required(ADMIN)
def user(user_id: int):
    account = _user_or_404(user_id)
    audit.record(current_user, "view", "user", account.id)
    db.session.commit()  # before the read: a commit expires what was loaded
    tokens = db.session.scalars(
        sa.select(ApiToken).where(ApiToken.user_id == account.id).order_by(ApiToken.created_at.desc())
    ).all()
    return render_template("admin/user.html", account=account, tokens=tokens,
                           reset_form=forms.PasswordResetForm(), token_form=forms.TokenForm(),
                           confirm=forms.ConfirmForm())


@bp.post("/users/<id:user_id>/active")
@roles_required(ADMIN)
def toggle_active(user_id: int):
    account = _user_or_404(user_id)
    if forms.ConfirmForm().validate_on_submit():
        attempt(lambda: set_active(current_user, account, not account.active),
                success=lambda _: f"{account.name} is now {'active' if account.active else 'deactivated'}.")
    return redirect(url_for("admin.user", user_id=account.id))


@bp.post("/users/<id:user_id>/password")
@roles_required(ADMIN)
def reset_password(user_id: int):
    account = _user_or_404(user_id)
    form = forms.PasswordResetForm()
    if form.validate_on_submit():
        password = form.password.data or generated_password()
        try:
            set_password(current_user, account, password)
        except AccountError as error:
            flash(f"Password not changed: {error.message}", "danger")
            return redirect(url_for("admin.user", user_id=account.id))
        db.session.commit()
        return _show_password_once(account, password, "password reset")
    flash("Password not changed: " + " ".join(e for errors in form.errors.values() for e in errors), "danger")
    return redirect(url_for("admin.user", user_id=account.id))


@bp.post("/users/<id:user_id>/tokens")
@roles_required(ADMIN)
def new_token(user_id: int):
    account = _user_or_404(user_id)
    form = forms.TokenForm()
    if not form.validate_on_submit():
        flash("Give the token a name (what it is for).", "danger")
        return redirect(url_for("admin.user", user_id=account.id))
    done = attempt(lambda: issue_token(current_user, account, form.name.data))
    if not done.ok:
        return redirect(url_for("admin.user", user_id=account.id))
    return render_template("admin/secret_once.html", user=account, secret=done.value, label="API token",
                           message="Copy this token into the system that will use it; it will not be shown again.")


@bp.post("/tokens/<id:token_id>/revoke")
@roles_required(ADMIN)
def revoke(token_id: int):
    token = db.get_or_404(ApiToken, token_id)
    if forms.ConfirmForm().validate_on_submit():
        revoke_token(current_user, token)
        db.session.commit()
        flash(f"Token “{token.name}” revoked.", "success")
    return redirect(url_for("admin.user", user_id=token.user_id))


@bp.get("/audit/")
@roles_required(ADMIN)
def audit_log():
    filters = AuditFilter.from_args(request.args)
    before = request.args.get("before", type=as_id)
    # Reading the trail is itself recorded, with the filter used (who looked for whom); committed before
    # the page is read, so the events shown are not expired by the commit and loaded again one by one.
    audit.record(current_user, "view", "audit_log", None, detail=filters.describe(before))
    db.session.commit()
    page = audit_page(filters, before_id=before)
    return render_template("admin/audit.html", page=page, filters=filters)
