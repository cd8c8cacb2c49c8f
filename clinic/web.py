"""The page shell every stage's pages share: navigation by role, times on the reader's clock, a page
of patient data rendered with the audit row of its viewing, error pages that leak nothing, and
`attempt`, the one way a view runs a change (commit on success, the refusal beside its field)."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Generic, TypeVar
from zoneinfo import ZoneInfo

import sqlite3

from flask import Flask, current_app, flash, render_template, request
from flask_login import current_user
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.exceptions import HTTPException

from clinic.auth.access import public
from clinic.errors import DomainError, is_api_request, json_error
from clinic.extensions import db
from clinic.security import too_large_message
from clinic.wiring import wiring

T = TypeVar("T")

MESSAGES = {
    400: "The request could not be understood. Go back and try again.",
    401: "Sign in to continue.",
    403: "Your role does not give access to this page.",
    404: "There is nothing here, or you do not have access to it.",
    405: "This address does not accept that kind of request.",
    409: "Someone else changed this record while you were working. Reload the page and try again.",
    413: "The file or form is larger than the limit. Send a smaller one.",
    422: "Some fields are missing or invalid.",
    429: "Too many attempts. Wait a minute, then try again.",
    500: "Something went wrong on our side. Your change was not saved; try again in a moment.",
    503: "The clinic's system is busy with another change. Nothing was saved: go back and send it again in a moment.",
}
BUSY_RETRY_SECONDS = 2


def add_navigation(app: Flask, role: str, endpoint: str, label: str, order: int) -> None:
    """A link in the navigation of everyone holding `role`, placed by `order` (smallest first)."""
    entries = wiring(app).navigation.setdefault(role, [])
    entries.append((order, endpoint, label))
    entries.sort()


def render_viewed(template: str, **context) -> str:
    """Render a page of patient data, then commit the audit row of its viewing.

    Rendering first uses the rows as loaded; a commit first would expire them all and
    reload each one (and its relations) while the template reads them. Once the page is
    rendered nothing reads them again, so the commit leaves them as they are (expiring the
    few hundred rows of a work-queue page costs a tenth of its time).
    """
    page = render_template(template, **context)
    session = db.session()
    session.expire_on_commit = False
    try:
        session.commit()
    finally:
        session.expire_on_commit = True
    return page


@dataclass(frozen=True)
class Attempt(Generic[T]):
    """What a view's change came to: the service's result, or its refusal (already shown)."""

    value: T | None = None
    refusal: DomainError | None = None

    @property
    def ok(self) -> bool:
        return self.refusal is None

    @property
    def status(self) -> int:
        """The page's status when it is shown again: 200, or the refusal's (422, 409...)."""
        return 200 if self.refusal is None else self.refusal.status


def attempt(change: Callable[[], T], form=None, success: str | Callable[[T], str] | None = None,
            rename: dict[str, str] | None = None, beside: str | None = None) -> Attempt[T]:
    """Run one service call for a view: commit and flash `success` when it is done; when the service
    refuses, roll back and show its sentence beside the form's field it names (`rename` maps the
    service's name of an input to the form's; `beside` is the field for a refusal that names none),
    flashed when the form has no such field."""
    try:
        value = change()
    except DomainError as refusal:
        db.session.rollback()
        refuse(refusal, form, rename, beside)
        return Attempt(refusal=refusal)
    db.session.commit()
    if success:
        flash(success(value) if callable(success) else success, "success")
    return Attempt(value=value)


def refuse(refusal: DomainError, form=None, rename: dict[str, str] | None = None, beside: str | None = None) -> None:
    """Show a refusal where the user will look: beside its fields, the rest at the top of the page
    (without a form, its one sentence at the top)."""
    if form is None:
        flash(refusal.message, "danger")
        return
    loose, shown = [], False
    for name, messages in (refusal.field_errors() or {beside: [refusal.message]}).items():
        name = (rename or {}).get(name, name)
        field = getattr(form, name, None) if name else None
        if field is not None and hasattr(field, "errors"):
            field.errors = [*(field.errors or []), *messages]
            shown = True
        else:
            loose.extend(messages)
    if loose or not shown:
        flash(" ".join(loose) or refusal.message, "danger")


def user_zone() -> ZoneInfo:
    """The signed-in user's time zone (the clinic's for everyone else)."""
    return ZoneInfo(getattr(current_user, "timezone", None) or current_app.config["CLINIC_TIMEZONE"])


def local_time(moment: datetime | None, fmt: str = "%Y-%m-%d %H:%M") -> str:
    """A UTC instant shown in the signed-in user's time zone, with the zone named."""
    if moment is None:
        return ""
    local = moment.astimezone(user_zone())
    return f"{local.strftime(fmt)} {local.tzname()}"


@public
def health():
    """Liveness for load balancers, and the benchmark's framework floor."""
    return "ok", 200, {"Content-Type": "text/plain; charset=utf-8"}


def error_page(status: int, message: str | None = None):
    """The answer to a refused request: JSON for the API, a page that says what to do next otherwise."""
    message = message or MESSAGES.get(status, "The request could not be completed.")
    if is_api_request():
        return json_error(status, message)
    return render_template("error.html", status=status, message=message), status


def database_busy(error: OperationalError) -> bool:
    """SQLite's "database is locked" (or "table is locked"): another connection held the write lock
    for longer than busy_timeout."""
    code = getattr(error.orig, "sqlite_errorcode", None)
    return code is not None and code & 0xFF in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED)


def init_app(app: Flask) -> None:
    app.add_url_rule("/healthz", "health", health)
    app.add_template_filter(local_time, "local_time")
    app.add_template_filter(lambda mapping, **changes: {**mapping, **changes}, "combine")
    app.add_template_global(user_zone, "user_zone")

    @app.context_processor
    def _shell():
        entries = wiring().navigation.get(current_user.role, []) if current_user.is_authenticated else []
        return {"navigation": [(endpoint, label) for _, endpoint, label in entries], "clinic_name": app.config["CLINIC_NAME"]}

    @app.errorhandler(HTTPException)
    def _http(error: HTTPException):
        status = error.code or 500
        if status == 413:
            return error_page(413, too_large_message(request.environ, current_app.config["MAX_CONTENT_LENGTH"]))
        return error_page(status)

    @app.errorhandler(StaleDataError)
    def _stale(error):
        db.session.rollback()
        return error_page(409)

    @app.errorhandler(DomainError)
    def _refused(error: DomainError):
        """A refusal no view caught (the API's own handler answers its routes): its sentence, its status."""
        db.session.rollback()
        return error_page(error.status, error.message)

    @app.errorhandler(Exception)
    def _unexpected(error):
        db.session.rollback()
        app.logger.exception("unhandled error on %s %s", request.method, request.endpoint)
        return error_page(500)

    @app.errorhandler(OperationalError)
    def _busy(error: OperationalError):
        if not database_busy(error):
            return _unexpected(error)
        db.session.rollback()
        # SQLite lets one writer at a time; a write that waited out busy_timeout is refused, not failed.
        app.logger.warning("database busy on %s %s: answered 503", request.method, request.endpoint)
        response = current_app.make_response(error_page(503))
        response.headers["Retry-After"] = str(BUSY_RETRY_SECONDS)
        return response
