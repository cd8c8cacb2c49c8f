"""HTTP security headers on every response (ASVS V14): CSP without inline script, no framing;
and, at the door (ASVS V5), the refusal of text bodies over their limit (Werkzeug caps only
multipart fields, so a 50 MB urlencoded form was parsed and validated in full) and of NUL
characters in any text (PostgreSQL cannot store them: one failed deep inside a change, a 500);
and the client's address, from X-Forwarded-For only behind the TRUSTED_PROXIES we run."""
from __future__ import annotations

from flask import abort, render_template, request
from werkzeug.datastructures import ImmutableMultiDict
from werkzeug.middleware.proxy_fix import ProxyFix

from clinic.errors import MAX_JSON, is_api_request, json_error

CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
       "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'")
NUL_MESSAGE = "The text sent contains a NUL character, which no field accepts. Remove it and send it again."
FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")
# Room for a long paste (refused beside its field by the form's own length check), not for 50 MB.
MAX_TEXT_FORM = 2 * 1024 * 1024


def text_limit() -> int | None:
    """The largest body of text this request may carry: a form without files, or JSON."""
    if request.mimetype == "application/x-www-form-urlencoded":
        return MAX_TEXT_FORM
    if request.is_json:
        return MAX_JSON
    return None


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


def _refuse(status: int, message: str):
    if is_api_request():
        return json_error(status, message)
    return render_template("error.html", status=status, message=message), status


def init_app(app) -> None:
    production = app.config["CLINIC_ENV"] == "production"
    proxies = app.config.get("TRUSTED_PROXIES", 0)
    if proxies:
        # Behind our own proxies the socket's peer is the proxy: the client's address (used by the
        # throttles, sessions and the audit trail) is read from the last `proxies` X-Forwarded-For
        # entries, which our proxies wrote. Without them the header is anyone's to forge: ignored.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies)

    @app.before_request
    def _check_text():
        if "\x00" in request.path:
            abort(404)  # no address holds one: the same neutral answer as any made-up link
        _without_nul_in_query()
        limit = text_limit()
        if limit is not None and (request.content_length or 0) > limit:
            return _refuse(413, f"The text sent is larger than the {limit // 1024} KB limit. Shorten it and send it again.")
        if carries_nul():
            return _refuse(400, NUL_MESSAGE)
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
