"""HTTP security headers on every response (ASVS V14): CSP without inline script, no framing;
and, at the door (ASVS V5), the refusal of text bodies over their limit (Werkzeug caps only
multipart fields, so a 50 MB urlencoded form was parsed and validated in full) and of NUL
characters in any text (PostgreSQL cannot store them: one failed deep inside a change, a 500);
and the client's address, from X-Forwarded-For only behind the TRUSTED_PROXIES we run.

Body limits hold on the stream itself (BodyLimit): a chunked request has no Content-Length to
check, and Werkzeug's own cap (MAX_CONTENT_LENGTH, sized for uploads) hands back the first bytes
of a longer body as if they were all of it, so a JSON body cut at the cap read as "invalid JSON"."""
from __future__ import annotations

import logging
import re

from flask import abort, render_template, request
from werkzeug.datastructures import ImmutableMultiDict
from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.middleware.proxy_fix import ProxyFix

from clinic.errors import MAX_JSON, is_api_request, json_error

CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
       "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'")
NUL_MESSAGE = "The text sent contains a NUL character, which no field accepts. Remove it and send it again."
FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")
# Room for a long paste (refused beside its field by the form's own length check), not for 50 MB.
MAX_TEXT_FORM = 2 * 1024 * 1024


def _mimetype(environ) -> str:
    return environ.get("CONTENT_TYPE", "").split(";")[0].strip().lower()


def body_limit(environ, upload_limit: int) -> int:
    """The most bytes a request of this content type may send: the upload cap for multipart
    (files), the text limits otherwise (a body no route reads gets the JSON limit)."""
    mimetype = _mimetype(environ)
    if mimetype == "multipart/form-data":
        return upload_limit
    return MAX_TEXT_FORM if mimetype == "application/x-www-form-urlencoded" else MAX_JSON


def too_large_message(environ, upload_limit: int) -> str:
    if _mimetype(environ) == "multipart/form-data":
        return f"The upload is larger than the {upload_limit // (1024 * 1024)} MB limit. Send a smaller file."
    limit = body_limit(environ, upload_limit)
    return f"The text sent is larger than the {limit // 1024} KB limit. Shorten it and send it again."


class CappedInput:
    """wsgi.input that never hands out more than `cap` bytes: reading past the cap raises 413, having
    read at most one byte more from the client. CSRF, form and JSON parsing, the NUL check and
    authentication all read the body through it, so none of them buffers more than the cap."""

    CHUNK = 64 * 1024

    def __init__(self, stream, cap: int):
        self._stream, self._cap, self._seen = stream, cap, 0

    def _counted(self, data: bytes) -> bytes:
        self._seen += len(data)
        if self._seen > self._cap:
            raise RequestEntityTooLarge()
        return data

    def _room(self, size: int | None) -> int:
        room = self._cap + 1 - self._seen  # one byte past the cap tells "longer" from "exactly the cap"
        return room if size is None or size < 0 else min(size, room)

    def read(self, size: int | None = -1) -> bytes:
        if size is None or size < 0:
            parts = []
            while chunk := self.read(self.CHUNK):
                parts.append(chunk)
            return b"".join(parts)
        return self._counted(self._stream.read(self._room(size)))

    def readline(self, size: int | None = -1) -> bytes:
        return self._counted(self._stream.readline(self._room(size)))

    def readlines(self, hint: int | None = -1) -> list[bytes]:
        return list(self)

    def __iter__(self):
        while line := self.readline():
            yield line


class BodyLimit:
    """WSGI middleware: every request's body is read through CappedInput, for every route."""

    def __init__(self, wsgi_app, config):
        self.wsgi_app, self.config = wsgi_app, config

    def __call__(self, environ, start_response):
        if "wsgi.input" in environ:
            cap = body_limit(environ, self.config["MAX_CONTENT_LENGTH"])
            environ["wsgi.input"] = CappedInput(environ["wsgi.input"], cap)
        return self.wsgi_app(environ, start_response)


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


# Loggers that write request paths: Werkzeug's and gunicorn's access logs, the app's own.
PATH_LOGGERS = ("werkzeug", "gunicorn.access", "gunicorn.error", "clinic")
TOKEN_KEPT = 6


class TokenMask(logging.Filter):
    """Private links (a patient's upload link, a report link, a calendar feed: every route with a
    <token>) grant access to whoever holds them, so a log line keeps only a token's first
    TOKEN_KEPT characters, enough to tell two links apart in an investigation.

    The paths are read from the app's routes at the first line logged, once every blueprint is in."""

    def __init__(self, app):
        super().__init__()
        self.app, self.pattern = app, None

    def mask(self, text: str) -> str:
        if self.pattern is None:
            paths = sorted(set(token_paths(self.app)), key=len, reverse=True)
            if not paths:
                return text
            alternatives = "|".join(re.escape(p) for p in paths)
            self.pattern = re.compile(rf"({alternatives})([A-Za-z0-9_-]{{{TOKEN_KEPT}}})[A-Za-z0-9_-]+")
        return self.pattern.sub("\\1\\2…", text)

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        masked = self.mask(message)
        if masked != message:
            record.msg, record.args = masked, None
        return True


def token_paths(app) -> list[str]:
    """The path before <token> of every route that takes one ("/upload/", "/reports/", ...)."""
    return [rule.rule.split("<token>")[0] for rule in app.url_map.iter_rules() if "token" in rule.arguments]


def mask_tokens_in_logs(app) -> None:
    mask = TokenMask(app)
    for name in PATH_LOGGERS:
        logger = logging.getLogger(name)
        for old in [f for f in logger.filters if isinstance(f, TokenMask)]:
            logger.removeFilter(old)  # a second app in the same process (tests) replaces the first's
        logger.addFilter(mask)


def init_app(app) -> None:
    production = app.config["CLINIC_ENV"] == "production"
    app.wsgi_app = BodyLimit(app.wsgi_app, app.config)
    mask_tokens_in_logs(app)
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
