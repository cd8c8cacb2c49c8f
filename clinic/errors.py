"""Error pages and JSON errors that say what to do next and leak nothing."""
from __future__ import annotations

import sqlite3

from flask import current_app, render_template, request
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.exceptions import HTTPException, NotFound

from clinic.api.errors import json_error
from clinic.auth.access import is_api_request
from clinic.extensions import db

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
# Ids are PostgreSQL `integer` columns: a larger id in a URL names nothing, and PostgreSQL refuses to
# compare a column with it (a 500 on every route taking an id, while SQLite simply found no row).
LARGEST_ID = 2**31 - 1


def register(app) -> None:
    @app.url_value_preprocessor
    def _impossible_ids(endpoint, values):
        if values and any(type(value) is int and value > LARGEST_ID for value in values.values()):
            raise NotFound()

    @app.errorhandler(HTTPException)
    def _http(error: HTTPException):
        return _render(error.code or 500, error)

    @app.errorhandler(StaleDataError)
    def _stale(error):
        db.session.rollback()
        return _render(409, error)

    @app.errorhandler(OperationalError)
    def _busy(error: OperationalError):
        db.session.rollback()
        if not _database_busy(error):
            app.logger.exception("unhandled error on %s %s", request.method, request.endpoint)
            return _render(500, error)
        # SQLite lets one writer at a time; a write that waited out busy_timeout is refused, not failed.
        app.logger.warning("database busy on %s %s: answered 503", request.method, request.endpoint)
        response = current_app.make_response(_render(503, error))
        response.headers["Retry-After"] = str(BUSY_RETRY_SECONDS)
        return response

    @app.errorhandler(Exception)
    def _unexpected(error):
        db.session.rollback()
        app.logger.exception("unhandled error on %s %s", request.method, request.endpoint)
        return _render(500, error)


def _database_busy(error: OperationalError) -> bool:
    """SQLite's "database is locked" (or "table is locked"): another connection held the write lock
    for longer than busy_timeout."""
    code = getattr(error.orig, "sqlite_errorcode", None)
    return code is not None and code & 0xFF in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED)


def _render(status: int, error):
    message = MESSAGES.get(status, "The request could not be completed.")
    if status == 413:
        limit = current_app.config["MAX_CONTENT_LENGTH"] // (1024 * 1024)
        message = f"The upload is larger than the {limit} MB limit. Send a smaller file."
    if is_api_request():
        return json_error(status, message)
    if status == 429 and request.endpoint == "auth.login":
        from clinic.auth.forms import LoginForm

        form = LoginForm()
        form.password.errors = ["Too many failed sign-in attempts. Wait a minute, then try again."]
        return render_template("auth/login.html", form=form), 429
    return render_template("error.html", status=status, message=message), status
