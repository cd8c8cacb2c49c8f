"""Who may use each route: the role decorators every view carries, and the session loaders."""
from __future__ import annotations

from functools import wraps

from flask import abort, flash, g, jsonify, redirect, request, url_for
from flask_login import current_user
from sqlalchemy.exc import OperationalError

from clinic import audit
from clinic.auth.models import ADMIN, COORDINATOR, ROLES, SPECIALIST
from clinic.auth.services import session_user, token_user
from clinic.errors import is_api_request
from clinic.extensions import db, login_manager

__all__ = ["ADMIN", "COORDINATOR", "SPECIALIST", "roles_required", "public", "deny", "is_api_request"]

PUBLIC = frozenset({"anonymous"})


def roles_required(*roles: str):
    """Only signed-in users holding one of `roles` may use the view; others are refused and audited."""
    unknown = set(roles) - set(ROLES)
    if not roles or unknown:
        raise ValueError(f"roles_required needs known roles, got {roles!r}")

    def decorate(view):
        @wraps(view)
        def guarded(*args, **kwargs):
            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            if current_user.role not in roles:
                deny("route", request.endpoint, status=403)
            return view(*args, **kwargs)

        guarded.allowed_roles = frozenset(roles)
        return guarded

    return decorate


def public(view):
    """Marks a view that anyone may use (the sign-in page, the patient request form)."""
    view.allowed_roles = PUBLIC
    return view


def deny(entity: str, entity_id, status: int = 404):
    """Refuse access, write the denial to the audit log, and stop the request.

    Objects the user may not see answer 404 so their existence is not revealed.
    """
    actor = current_user if current_user.is_authenticated else None
    audit.record(actor, "denied", entity, entity_id, detail=f"{request.method} {request.endpoint}")
    db.session.commit()
    abort(status)


def load_from_session(token: str):
    if is_api_request():
        return None  # the API takes bearer tokens only, so a browser cookie cannot be replayed there
    user, ended = session_user(token)
    if ended:
        g.session_ended = ended
    if db.session.dirty or db.session.new:
        _commit_bookkeeping()
    return user


def load_from_token(req):
    header = req.headers.get("Authorization", "")
    if not is_api_request() or not header.startswith("Bearer "):
        return None
    user = token_user(header[len("Bearer "):].strip())
    if db.session.dirty:
        _commit_bookkeeping()
    return user


def _commit_bookkeeping() -> None:
    """Save last-seen / last-used times. On SQLite a concurrent writer can make this read-then-write
    transaction fail at once (database is locked); the times are best effort, so give up on them
    rather than fail the request."""
    try:
        db.session.commit()
    except OperationalError:
        db.session.rollback()


def unauthorized():
    if is_api_request():
        response = jsonify(error="Authentication required: send 'Authorization: Bearer <token>'.")
        response.status_code = 401
        return response
    reason = g.get("session_ended")
    if reason == "idle":
        flash("You were signed out after a period without activity. Sign in again to continue.", "info")
    elif reason == "expired":
        flash("Your session reached its maximum length. Sign in again to continue.", "info")
    else:
        flash("Sign in to continue.", "info")
    return redirect(url_for("auth.login", next=request.full_path if request.method == "GET" else None))


def role_home(user) -> str:
    """Where each role starts its day."""
    return {
        COORDINATOR: "cases.queue",
        SPECIALIST: "review.home",
        ADMIN: "admin.users",
    }[user.role]
