"""Sign-in, sign-out and the landing page (the admin's account pages are in clinic.admin)."""
from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_user, logout_user

from clinic import audit
from clinic.auth import forms, throttle
from clinic.auth.access import public, role_home
from clinic.auth.services import authenticate, end_session, find_user, start_session
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


@bp.errorhandler(429)
def _throttled(error):
    """Too many failed sign-ins: the form again, with the wait beside the password and in Retry-After."""
    seconds = throttle.seconds_to_wait()
    form = forms.LoginForm()
    form.password.errors = [f"Too many failed sign-in attempts. Try again in {throttle.wait_in_words(seconds)}."]
    return render_template("auth/login.html", form=form), 429, {"Retry-After": str(seconds)}
