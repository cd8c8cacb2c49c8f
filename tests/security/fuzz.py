"""Tools of the hostile-input suite: the forms every page offers (read from the rendered HTML, so
a new form is fuzzed without a line here), hostile values, and a fingerprint of the data tables
that tells whether a refused request left anything behind."""
from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urlsplit

import sqlalchemy as sa
from hypothesis import strategies as st

from clinic.extensions import db

# Written by every request, refused or not (sign-in bookkeeping and the audit trail itself).
BOOKKEEPING = {"audit_events", "user_sessions", "api_tokens", "alembic_version"}

ONE_MB = "x" * (1024 * 1024)
XSS = ('<script>alert("xss")</script>', '"><img src=x onerror=alert(1)>', "<svg/onload=alert(1)>",
       "javascript:alert(1)//", "</textarea><script>alert(2)</script>")
XSS_MARKERS = ("<script>alert(", "<img src=x onerror", "<svg/onload", "</textarea><script>")
TEMPLATE = ("{{ 7777*7 }}", "{% print(7777*7) %}", "${7777*7}", "#{7777*7}")
TEMPLATE_RESULT = "54439"
SQL = ("' OR '1'='1", "'; DROP TABLE cases; --", '" OR ""="', "1; SELECT pg_sleep(5)--", "%' AND 1=1 --",
       "\\'; --", "1 UNION SELECT password_hash FROM users")
PATHS = ("../../../../etc/passwd", "..\\..\\windows\\win.ini", "/etc/shadow", "%2e%2e%2f%2e%2e%2f", "file:///etc/passwd")
WEIRD = ("", " ", "\x00", "nul\x00byte", "\r\n\r\nSet-Cookie: x=1", "\u202etxt.exe", "\ufeff", "🩺" * 50, "Ω≈ç√∫",
         "𝕬" * 10, "\x1b[31m", "\u0000\u0001\u0002\u007f", "ﷺ" * 20, "A" * 255, "-1", "0", "1e309", "NaN",
         "99999999999999999999999999", "-99999999999999999999", "2024-02-30", "9999-12-31", "0000-00-00", "true",
         "null", "[]", "{}",
         # issue 14: ids past PostgreSQL's integer and bigint, the calendar's ends, C0/C1 controls
         # without a NUL (which the door refuses first), several addresses in one email field
         str(2 ** 31), str(2 ** 63), str(2 ** 64), "0001-01-01", "0001-01-01T00:00:00+01:00",
         "9999-12-31T23:59:59-05:00", "Jane\x07Roe", "esc\x1b[2Jape", "v\x0btab", "nel\x85", "csi\x9b",
         "a@x.test,b@y.test", "a,b@y.test", "Ana <a@x.test>, b@y.test")
HOSTILE_STRINGS = XSS + TEMPLATE + SQL + PATHS + WEIRD
# Every field of every form gets each of these once (random search alone rarely lands the one
# byte that breaks a field): markup, SQL and template syntax with right-to-left and astral
# characters in one value, NUL and control characters, and a megabyte.
SWEEP = ("</textarea><script>alert(\"xss\")</script>\"><img src=x onerror=alert(1)> ' OR '1'='1; -- {{ 7777*7 }} "
         "\u202e🩺𝕬 ﷺ",
         "nul\x00byte \x01\x02\x1b[31m\r\nSet-Cookie: x=1",
         ONE_MB)

hostile_text = st.one_of(
    st.sampled_from(HOSTILE_STRINGS + (ONE_MB,)),
    st.text(max_size=40),                                               # any unicode, control characters too
    st.text(alphabet=st.characters(codec="utf-8", categories=["Cc", "Cf", "Zs", "So"]), max_size=20),
    st.integers(min_value=-(2 ** 80), max_value=2 ** 80).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
)

json_leaf = st.one_of(hostile_text, st.integers(min_value=-(2 ** 70), max_value=2 ** 70), st.booleans(), st.none(),
                      st.floats(allow_nan=False, allow_infinity=False), st.just(10 ** 40), st.just(-(10 ** 40)),
                      st.sampled_from([2 ** 31, 2 ** 63, -(2 ** 31) - 1]))
json_value = st.recursive(json_leaf, lambda inner: st.one_of(
    st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=10), inner, max_size=4)), max_leaves=12)


def deeply_nested(depth: int = 5000) -> str:
    return "[" * depth + "]" * depth


@dataclass
class Form:
    """A form as a page renders it: where it posts and its fields with their first valid values."""

    role: str
    method: str
    action: str
    fields: dict[str, list[str]] = field(default_factory=dict)
    files: list[str] = field(default_factory=list)
    submits: dict[str, str] = field(default_factory=dict)
    endpoint: str = ""

    @property
    def key(self) -> tuple:
        """The same form on another object's page is the same code path: kept once."""
        return self.role, self.method, self.endpoint, tuple(sorted(self.fields)), tuple(sorted(self.submits))


class _FormReader(HTMLParser):
    def __init__(self, role: str, page: str):
        super().__init__(convert_charrefs=True)
        self.role, self.page, self.forms, self._form, self._select, self._textarea = role, page, [], None, None, None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            action = a.get("action") or self.page
            self._form = Form(self.role, (a.get("method") or "get").upper(), action)
            self.forms.append(self._form)
            return
        form = self._form
        if form is None or not a.get("name") or "disabled" in a:
            return
        name = a["name"]
        if tag == "input":
            kind = (a.get("type") or "text").lower()
            if kind == "file":
                form.files.append(name)
            elif kind == "submit":
                form.submits.setdefault(name, a.get("value") or "")
            elif kind in ("checkbox", "radio"):
                values = form.fields.setdefault(name, [])
                if "checked" in a or (kind == "radio" and not values):
                    values[:] = [a.get("value") or "y"]
            else:
                form.fields[name] = [a.get("value") or _sample(kind, a)]
        elif tag == "button" and (a.get("type") or "submit") == "submit":
            form.submits.setdefault(name, a.get("value") or "")
        elif tag == "select":
            self._select = name
            form.fields.setdefault(name, [])
        elif tag == "option" and self._select:
            values = form.fields[self._select]
            if a.get("value") and (not values or "selected" in a):
                values[:] = [a["value"]]
        elif tag == "textarea":
            self._textarea = name
            form.fields[name] = ["A note written by the test."]

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None

    def handle_data(self, data):
        if self._textarea and self._form is not None and data.strip():
            self._form.fields[self._textarea] = [data]


def _sample(kind: str, attrs: dict) -> str:
    """A plausible value for an empty input, so the baseline submission reaches the service."""
    return {"email": "probe@example.org", "date": "2031-03-04", "time": "10:00", "number": "3",
            "password": "violet-harbor-tunes-83", "tel": "+1 555 010 0000", "url": "https://video.example/r"
            }.get(kind, "Probe text")


def read_forms(role: str, page: str, html: str) -> list[Form]:
    reader = _FormReader(role, page)
    reader.feed(html)
    return reader.forms


SIGN_OUT = "auth.logout"  # submitting it would end the session every later form is sent in


def crawl(app, clients: dict, urls: dict[str, list[str]]) -> dict[tuple, Form]:
    """Every form on the given pages, per role, keyed so each distinct form is kept once
    (the sign-out button left out: tests/auth covers it)."""
    adapter = app.url_map.bind("localhost")
    found: dict[tuple, Form] = {}
    for role, pages in urls.items():
        for page in pages:
            response = clients[role].get(page)
            if response.status_code != 200 or "html" not in response.content_type:
                continue
            for form in read_forms(role, page, response.get_data(as_text=True)):
                path = urlsplit(form.action).path
                try:
                    form.endpoint = adapter.match(path, method=form.method)[0]
                except Exception:  # a form posting elsewhere would itself be a finding
                    form.endpoint = f"<no route for {form.method} {path}>"
                if form.endpoint != SIGN_OUT:
                    found.setdefault(form.key, form)
    return found


def baseline(form: Form) -> dict:
    """The form as the page fills it in, with its first button and a small PDF for each file input."""
    payload: dict = {name: list(values) for name, values in form.fields.items() if values}
    if form.submits:
        first = sorted(form.submits)[0]
        payload[first] = [form.submits[first]]
    for name in form.files:
        payload[name] = [(io.BytesIO(TINY_PDF + str(id(payload)).encode()), "report.pdf")]
    return payload


def sweep(form: Form):
    """The baseline with one field at a time set to each SWEEP value (file names included)."""
    for name in sorted(form.fields) + form.files:
        for value in SWEEP:
            payload = baseline(form)
            if name in form.files:
                payload[name] = [(io.BytesIO(TINY_PDF), value[:300])]
            else:
                payload[name] = [value]
            yield name, payload


def form_payload(form: Form, data: st.DataObject) -> dict:
    """The form's valid values with some fields replaced by hostile ones, dropped, doubled or added."""
    payload: dict = {name: list(values) for name, values in form.fields.items() if values}
    names = sorted(form.fields)
    for name in data.draw(st.lists(st.sampled_from(names), max_size=3, unique=True), label="mutated") if names else []:
        action = data.draw(st.sampled_from(["replace", "replace", "drop", "many"]), label=f"how {name}")
        if action == "drop":
            payload.pop(name, None)
        elif action == "many":
            payload[name] = data.draw(st.lists(hostile_text, min_size=2, max_size=3), label=name)
        else:
            payload[name] = [data.draw(hostile_text, label=name)]
    if data.draw(st.booleans(), label="stray field"):
        payload[data.draw(st.sampled_from(["id", "status", "user_id", "role", "case_id", "__proto__"]))] = \
            [data.draw(hostile_text, label="stray value")]
    if form.submits:
        name = data.draw(st.sampled_from(sorted(form.submits)), label="button")
        payload[name] = [form.submits[name]]
    for name in form.files:
        payload[name] = [(io.BytesIO(data.draw(upload_bytes, label="file")),
                          data.draw(st.one_of(st.sampled_from(FILE_NAMES), hostile_text), label="file name"))]
    return payload


FILE_NAMES = ("report.pdf", "../../../../etc/cron.d/evil", "x.pdf\x00.exe", "<script>.pdf", "a" * 300 + ".pdf",
              "CON", ".htaccess", "scan.dcm", "", "résumé 🩺.png")
TINY_PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
upload_bytes = st.one_of(
    st.sampled_from([TINY_PDF, b"", b"\x00" * 64, b"<html><script>alert(1)</script></html>", b"MZ\x90\x00" + b"\x00" * 60,
                     b"\x89PNG\r\n\x1a\n" + b"\x00" * 20, b"GIF89a<script>", b"%PDF-1.4 <script>alert(1)</script>",
                     "name,kind\n".encode() + b"x" * 100]),
    st.binary(max_size=200),
)


def json_payload(baseline: dict, data: st.DataObject):
    """A valid body with values at a few paths replaced, keys dropped or added, or a wholly hostile body."""
    shape = data.draw(st.sampled_from(["mutate", "mutate", "mutate", "random"]), label="shape")
    if shape == "random":
        return data.draw(json_value, label="body")
    body = _copy(baseline)
    paths = list(_paths(body))
    for path in data.draw(st.lists(st.sampled_from(paths), max_size=3, unique=True), label="paths") if paths else []:
        parent, key = _walk(body, path)
        if not isinstance(parent, (dict, list)) or key not in (parent if isinstance(parent, dict) else
                                                                range(len(parent))):
            continue  # an earlier change replaced or dropped this path
        if data.draw(st.booleans(), label="drop"):
            parent.pop(key) if isinstance(parent, dict) else None
        else:
            parent[key] = data.draw(json_value, label=".".join(map(str, path)))
    if data.draw(st.booleans(), label="stray key"):
        body[data.draw(st.sampled_from(["id", "status", "admin", "__proto__", "$where"]))] = data.draw(json_leaf)
    return body


def _copy(value):
    if isinstance(value, dict):
        return {k: _copy(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_copy(v) for v in value]
    return value


def _paths(value, prefix=()):
    items = value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, list) else ()
    for key, child in items:
        yield (*prefix, key)
        yield from _paths(child, (*prefix, key))


def _walk(body, path):
    """The container holding the last step of `path` (None when the path no longer exists)."""
    parent = body
    for key in path[:-1]:
        try:
            parent = parent[key]
        except (KeyError, IndexError, TypeError):
            return None, path[-1]
    return parent, path[-1]


def data_fingerprint() -> str:
    """A digest of every row of every data table (the audit trail and session bookkeeping aside)."""
    digest = hashlib.sha256()
    connection = db.session.connection()
    for table in db.metadata.sorted_tables:
        if table.name in BOOKKEEPING:
            continue
        rows = connection.execute(sa.select(table)).all()
        digest.update(table.name.encode())
        for row in sorted(repr(tuple(r)) for r in rows):
            digest.update(row.encode())
    return digest.hexdigest()


def unescaped(page: str) -> list[str]:
    """Hostile markup that reached a page unescaped, or a template expression that was evaluated."""
    found = [marker for marker in XSS_MARKERS if marker in page]
    if TEMPLATE_RESULT in page:
        found.append(f"template expression evaluated ({TEMPLATE_RESULT})")
    return found
