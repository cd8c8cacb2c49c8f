"""HTTP security headers on every response (ASVS V14): CSP without inline script, no framing;
and the refusal of NUL characters in any text a request carries (ASVS V5: PostgreSQL cannot
store them, so one would fail deep inside a change instead of being refused at the door)."""
from __future__ import annotations

from flask import abort, render_template, request
from werkzeug.datastructures import ImmutableMultiDict

from clinic.api.errors import json_error
from clinic.auth.access import is_api_request

CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
       "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'")
NUL_MESSAGE = "The text sent contains a NUL character, which no field accepts. Remove it and send it again."
FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


def carries_nul() -> bool:
    """True when a form field, an upload's name or a JSON body holds U+0000.
    (File contents may hold any byte: they are stored as files, never as text.)"""
    if request.is_json:
        body = request.get_data(cache=True)
        return b"\x00" in body or b"\\u0000" in body
    if request.mimetype in FORM_TYPES:
        return any("\x00" in v for _, v in request.form.items(multi=True)) or \
            any("\x00" in (f.filename or "") for _, f in request.files.items(multi=True))
    return False


def _without_nul_in_query() -> None:
    """Query strings hold only filters and ids, where unknown values fall back to the default:
    a NUL is dropped from them like any other noise."""
    if any("\x00" in key or "\x00" in value for key, value in request.args.items(multi=True)):
        request.args = ImmutableMultiDict([(k.replace("\x00", ""), v.replace("\x00", ""))
                                           for k, v in request.args.items(multi=True)])


def register(app) -> None:
    production = app.config["CLINIC_ENV"] == "production"

    @app.before_request
    def _refuse_nul():
        if "\x00" in request.path:
            abort(404)  # no address holds one: the same neutral answer as any made-up link
        _without_nul_in_query()
        if carries_nul():
            if is_api_request():
                return json_error(400, NUL_MESSAGE)
            return render_template("error.html", status=400, message=NUL_MESSAGE), 400
        return None

    @app.after_request
    def _headers(response):
        headers = response.headers
        headers.setdefault("Content-Security-Policy", CSP)
        headers.setdefault("X-Frame-Options", "DENY")
        headers.setdefault("X-Content-Type-Options", "nosniff")
        headers.setdefault("Referrer-Policy", "no-referrer")
        headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
        if not response.headers.get("Cache-Control"):
            # Pages carry health data: never kept by browsers or proxies.
            headers["Cache-Control"] = "no-store"
        if production:
            headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
        return response
