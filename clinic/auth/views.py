"""Sign-in, sign-out, the landing page, and the admin's user and token pages."""
from __future__ import annotations

from urllib.parse import urlsplit

import sqlalchemy as sa
from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_user, logout_user

from clinic import audit
from clinic.auth import forms, throttle
from clinic.auth.access import ADMIN, public, role_home, roles_required
from clinic.auth.models import ApiToken, User
from clinic.auth.services import (AccountError, authenticate, create_user, end_session, find_user,
                                  generated_password, issue_token, revoke_token, set_active,
                                  set_password, start_session)
from clinic.directory.models import Clinician
from clinic.extensions import db, limiter

bp = Blueprint("auth", __name__)


@bp.route("/login", methods=["GET", "POST"])
@public
@limiter.limit(throttle.account_address_limit, key_func=throttle.account_address_key, methods=["POST"],
               deduct_when=throttle.failed)
@limiter.limit(throttle.account_limit, key_func=throttle.account_key, methods=["POST"], deduct_when=throttle.failed,
               exempt_when=throttle.known_device)
@limiter.limit(throttle.address_limit, key_func=throttle.address_key, methods=["POST"], deduct_when=throttle.failed)
def login():
    if current_user.is_authenticated:
        return redirect(url_for(role_home(current_user)))
    form = forms.LoginForm()
    if form.validate_on_submit():
        user = authenticate(form.email.data, form.password.data)
        if user is None:
            known = find_user(form.email.data)
            audit.record(None, "login_failed", "user", known.id if known else None,
                         detail=None if known else "unknown account")
            db.session.commit()
            form.password.errors.append("That email and password do not match an active account.")
        else:
            session.clear()  # a fresh session at sign-in (no fixation)
            start_session(user, request.remote_addr)
            login_user(user)
            db.session.commit()
            return throttle.remember_device(redirect(_safe_next(request.args.get("next")) or url_for(role_home(user))),
                                            user.email)
    return render_template("auth/login.html", form=form)


def _safe_next(target: str | None) -> str | None:
    """Only same-site paths: never an absolute or scheme-relative URL."""
    if not target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return None
    return target


@bp.post("/logout")
@public
def logout():
    if current_user.is_authenticated:
        end_session(current_user)
        db.session.commit()
        logout_user()
    session.clear()
    flash("You are signed out.", "info")
    return redirect(url_for("auth.login"))


@bp.get("/")
@public
def home():
    if current_user.is_authenticated:
        return redirect(url_for(role_home(current_user)))
    return render_template("auth/landing.html")


@bp.get("/admin/users")
@roles_required(ADMIN)
def users():
    audit.record(current_user, "view", "user", None, detail="list")
    db.session.commit()  # before the read: a commit expires what was loaded
    rows = db.session.scalars(sa.select(User).order_by(User.active.desc(), User.name)).all()
    return render_template("auth/users.html", users=rows, form=forms.UserForm())


@bp.post("/admin/users")
@roles_required(ADMIN)
def create():
    form = forms.UserForm()
    if form.validate_on_submit():
        clinician = None
        if form.npi.data:
            clinician = db.session.scalar(sa.select(Clinician).where(Clinician.npi == form.npi.data))
        try:
            user, password = create_user(current_user, form.email.data, form.name.data, form.role.data,
                                         form.password.data or None, clinician)
        except AccountError as error:
            getattr(form, error.field, form.email).errors.append(error.message)
        else:
            db.session.commit()
            return _show_password_once(user, password, "created")
    rows = db.session.scalars(sa.select(User).order_by(User.active.desc(), User.name)).all()
    return render_template("auth/users.html", users=rows, form=form), 422


def _show_password_once(user: User, password: str, what: str):
    return render_template("auth/secret_once.html", user=user, secret=password, label="Password",
                           message=f"Account {what}. Give this password to {user.name} through a safe channel; "
                                   "it will not be shown again.")


def _user_or_404(user_id: int) -> User:
    return db.get_or_404(User, user_id)


@bp.get("/admin/users/<int:user_id>")
@roles_required(ADMIN)
def user(user_id: int):
    account = _user_or_404(user_id)
    audit.record(current_user, "view", "user", account.id)
    db.session.commit()  # before the read: a commit expires what was loaded
    tokens = db.session.scalars(
        sa.select(ApiToken).where(ApiToken.user_id == account.id).order_by(ApiToken.created_at.desc())
    ).all()
    return render_template("auth/user.html", account=account, tokens=tokens,
                           reset_form=forms.PasswordResetForm(), token_form=forms.TokenForm(),
                           confirm=forms.ConfirmForm())


@bp.post("/admin/users/<int:user_id>/active")
@roles_required(ADMIN)
def toggle_active(user_id: int):
    account = _user_or_404(user_id)
    if forms.ConfirmForm().validate_on_submit():
        try:
            set_active(current_user, account, not account.active)
            db.session.commit()
            flash(f"{account.name} is now {'active' if account.active else 'deactivated'}.", "success")
        except AccountError as error:
            flash(error.message, "danger")
    return redirect(url_for("auth.user", user_id=account.id))


@bp.post("/admin/users/<int:user_id>/password")
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
            return redirect(url_for("auth.user", user_id=account.id))
        db.session.commit()
        return _show_password_once(account, password, "password reset")
    flash("Password not changed: " + " ".join(e for errors in form.errors.values() for e in errors), "danger")
    return redirect(url_for("auth.user", user_id=account.id))


@bp.post("/admin/users/<int:user_id>/tokens")
@roles_required(ADMIN)
def new_token(user_id: int):
    account = _user_or_404(user_id)
    form = forms.TokenForm()
    if not form.validate_on_submit():
        flash("Give the token a name (what it is for).", "danger")
        return redirect(url_for("auth.user", user_id=account.id))
    try:
        secret = issue_token(current_user, account, form.name.data)
    except AccountError as error:
        flash(error.message, "danger")
        return redirect(url_for("auth.user", user_id=account.id))
    db.session.commit()
    return render_template("auth/secret_once.html", user=account, secret=secret, label="API token",
                           message="Copy this token into the system that will use it; it will not be shown again.")


@bp.post("/admin/tokens/<int:token_id>/revoke")
@roles_required(ADMIN)
def revoke(token_id: int):
    token = db.get_or_404(ApiToken, token_id)
    if forms.ConfirmForm().validate_on_submit():
        revoke_token(current_user, token)
        db.session.commit()
        flash(f"Token “{token.name}” revoked.", "success")
    return redirect(url_for("auth.user", user_id=token.user_id))
