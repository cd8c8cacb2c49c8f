"""Sessions and sign-in, completing tests/auth/test_login.py (idle logoff, absolute lifetime, a new
server-side session at sign-in, logout ending it for good, per-account throttling and one generic
message are tested there): fixation, per-address throttling, no user enumeration by work done or
time taken, the password policy on every path that sets one, CSRF on every form, and the cookie
flags and headers of production settings (CLINIC_ENV=production)."""
from __future__ import annotations

import re
import time

import pytest
import sqlalchemy as sa
from flask_migrate import upgrade

from clinic.auth import services
from clinic.auth.models import User
from clinic.extensions import db, limiter
from tests.conftest import make_app, sign_in
from tests.factories import PASSWORD, UserFactory

GENERIC = "That email and password do not match an active account."


def test_sign_in_replaces_the_session_cookie_and_the_cookie_from_before_opens_nothing(client, users):
    client.get("/cases")  # an anonymous visit leaves a session cookie (the sign-in prompt is flashed)
    before = client.get_cookie("session").value
    sign_in(client, users["coordinator"])
    after = client.get_cookie("session").value
    assert after != before
    planted = client.application.test_client()
    planted.set_cookie("session", before)
    response = planted.get("/cases")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_a_session_cookie_signed_with_another_key_is_ignored(app, client, users):
    sign_in(client, users["coordinator"])
    stolen = client.get_cookie("session").value
    other = app.test_client()
    other.set_cookie("session", stolen[:-4] + ("AAAA" if not stolen.endswith("AAAA") else "BBBB"))
    assert other.get("/cases").status_code == 302


def test_failed_sign_ins_are_throttled_per_address_across_accounts(app, client):
    allowed = int(app.config["LOGIN_ADDRESS_LIMIT"].split()[0])
    statuses = [client.post("/login", data={"email": f"guess{i}@clinic.example", "password": "wrong-password-x"}
                            ).status_code for i in range(allowed + 1)]
    assert statuses[:allowed] == [200] * allowed and statuses[allowed] == 429


def _hash_calls(monkeypatch) -> list[str]:
    calls: list[str] = []
    real = services.check_password

    def counting(password_hash: str, password: str) -> bool:
        calls.append(password_hash.split("$", 1)[0])  # the method and its cost, e.g. pbkdf2:sha256:1000
        return real(password_hash, password)
    monkeypatch.setattr(services, "check_password", counting)
    return calls


@pytest.mark.parametrize("case", ["unknown account", "wrong password", "deactivated account"])
def test_every_failed_sign_in_does_the_same_hash_work_as_a_wrong_password(app, client, users, monkeypatch, case):
    inactive = UserFactory(active=False)
    email, password = {"unknown account": ("nobody@clinic.example", PASSWORD),
                       "wrong password": (users["admin"].email, "not-the-password-9"),
                       "deactivated account": (inactive.email, PASSWORD)}[case]
    calls = _hash_calls(monkeypatch)
    response = client.post("/login", data={"email": email, "password": password})
    assert calls == [users["admin"].password_hash.split("$", 1)[0]]  # one check, at the configured cost
    assert response.status_code == 200 and GENERIC in response.get_data(as_text=True)


def test_unknown_and_known_accounts_get_the_same_page(client, users):
    pages = []
    for email in (users["admin"].email, "nobody@clinic.example"):
        page = client.post("/login", data={"email": email, "password": "not-the-password-9"}).get_data(as_text=True)
        pages.append(page.replace(email, "EMAIL"))
    assert pages[0] == pages[1]


def test_unknown_account_and_wrong_password_take_similar_time_with_the_production_hash(app, client, users,
                                                                                     monkeypatch):
    """Measured with scrypt, the production method: the mean of each within a factor 2 of the other."""
    monkeypatch.setitem(app.config, "PASSWORD_HASH_METHOD", "scrypt")
    account = UserFactory(password_hash=services.hash_password(PASSWORD))
    tries = 6

    def mean(email: str) -> float:
        started = time.perf_counter()
        for _ in range(tries):
            client.post("/login", data={"email": email, "password": "not-the-password-9"})
        return (time.perf_counter() - started) / tries

    limiter.enabled = False
    try:
        mean(account.email)  # warm: the dummy hash for unknown accounts is made once per process
        mean("nobody@clinic.example")
        known, unknown = mean(account.email), mean("nobody@clinic.example")
    finally:
        limiter.enabled = True
    assert 0.5 < known / unknown < 2, (known, unknown)


@pytest.mark.parametrize("password", ["short-pass", "Password1234!", "123456789012", "qwertyuiop123", "Welcome12345",
                                      "Admin@123456", "Summer2024!!", "Clinic2024!!", "aaaaaaaaaaaa", "x" * 129])
def test_weak_and_common_passwords_are_refused_on_every_path_that_sets_one(client_as, users, session, password):
    """The admin's create and reset pages here; the CLI shares create_user (tests/test_cli.py)."""
    admin = client_as("admin")
    created = admin.post("/admin/users", data={"email": "new@clinic.example", "name": "New", "role": "coordinator",
                                               "password": password})
    assert created.status_code == 422
    reset = admin.post(f"/admin/users/{users['coordinator'].id}/password", data={"password": password})
    assert "Password not changed" in admin.get(reset.headers["Location"]).get_data(as_text=True) \
        if reset.status_code == 302 else reset.status_code == 422
    session.expire_all()
    assert session.scalar(sa.select(sa.func.count()).select_from(User).where(User.email == "new@clinic.example")) == 0
    assert services.authenticate(users["coordinator"].email, PASSWORD) is not None  # unchanged


@pytest.mark.parametrize("password", ["violet-harbor-tunes-83", "a-Long-Passphrase-of-ninety-characters-" * 2 + "ok",
                                      "ø" * 40 + "-tunes-83-" + "harbor" * 13])
def test_strong_passphrases_up_to_128_characters_are_accepted(client_as, session, password):
    """Past 72 characters the strength check raised (a 500) before it was given the 128 limit."""
    assert len(password) <= 128
    response = client_as("admin").post("/admin/users", data={"email": "new@clinic.example", "name": "New",
                                                             "role": "coordinator", "password": password})
    assert response.status_code == 200


@pytest.mark.sweep
def test_every_form_refuses_a_post_without_its_csrf_token(app, users, every_stage, session):
    """Every form the pages render, posted without its token: refused (400), nothing changed."""
    from tests.security.fuzz import baseline, crawl, data_fingerprint
    from tests.security.test_hostile_input import _pages

    clients = {"anonymous": app.test_client()}
    for role in ("coordinator", "specialist", "admin"):
        clients[role] = sign_in(app.test_client(), users[role])
    forms = [f for f in crawl(app, clients, _pages(app, every_stage, session)).values() if f.method == "POST"]
    app.config["WTF_CSRF_ENABLED"] = True
    problems = []
    try:
        for form in forms:
            before = data_fingerprint()
            payload = {k: v for k, v in baseline(form).items() if k != "csrf_token"}
            response = clients[form.role].post(form.action, data=payload)
            if response.status_code != 400 or data_fingerprint() != before:
                problems.append(f"{form.role} POST {form.action}: {response.status_code}")
    finally:
        app.config["WTF_CSRF_ENABLED"] = False
    assert len(forms) > 40 and problems == []


TEMPLATES = __import__("pathlib").Path(__file__).resolve().parents[2] / "templates"


def mail_body(path) -> bool:
    """A mail's HTML part (the mail layout, its parts, a mail extending it): read in mail clients, which
    keep only inline styles and never see the app's CSP. Scripts and event handlers stay forbidden there."""
    relative = path.relative_to(TEMPLATES).as_posix()
    return relative in ("mail/_layout.html", "mail/_parts.html") \
        or '{% extends "mail/_layout.html" %}' in path.read_text()


@pytest.mark.parametrize("pattern, what", [
    (r"<script(?![^>]*\bsrc=)[^>]*>", "an inline script"),
    (r"<[a-zA-Z][^>]*\son[a-z]+\s*=", "an inline event handler"),
    (r"<[a-zA-Z][^>]*\sstyle\s*=", "an inline style"),
    (r"javascript:", "a javascript: URL"),
])
def test_no_template_holds_inline_script_or_style(pattern, what):
    found = [f"{path.relative_to(TEMPLATES)}:{n}" for path in TEMPLATES.rglob("*.html")
             if not (what == "an inline style" and mail_body(path))
             for n, line in enumerate(path.read_text().splitlines(), 1) if re.search(pattern, line, re.I)]
    assert found == [], f"{what} (the CSP forbids it): {found}"


@pytest.fixture
def production(monkeypatch, tmp_path_factory):
    """The app as CLINIC_ENV=production configures it, on a database of its own."""
    monkeypatch.setenv("CLINIC_ENV", "production")
    monkeypatch.setenv("SECRET_KEY", "p" * 64)
    monkeypatch.setenv("RATELIMIT_ALLOW_MEMORY", "1")  # one test process
    url = "sqlite:///" + str(tmp_path_factory.mktemp("prod") / "prod.db")
    app = make_app(url, tmp_path_factory, SECRET_KEY="p" * 64)
    with app.app_context():
        upgrade()
        UserFactory(email="coordinator@prod.example", role="coordinator")
        db.session.commit()
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def test_production_cookies_are_secure_httponly_and_samesite(production):
    client = production.test_client()
    response = client.post("/login", base_url="https://clinic.example",
                           data={"email": "coordinator@prod.example", "password": PASSWORD})
    assert response.status_code == 302
    cookie = response.headers["Set-Cookie"]
    assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie


@pytest.mark.parametrize("path", ["/login", "/request", "/no/such/page", "/api/v1/requests/1", "/healthz"])
def test_production_responses_carry_every_security_header(production, path):
    headers = production.test_client().get(path, base_url="https://clinic.example").headers
    csp = headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert "frame-ancestors 'none'" in csp and "object-src 'none'" in csp
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "no-referrer"
    assert headers["Strict-Transport-Security"].startswith("max-age=31536000")
    assert headers["Cache-Control"] == "no-store"


def test_production_is_never_in_debug_and_keeps_request_urls_out_of_the_log(production):
    import logging

    assert not production.debug and production.config["SESSION_COOKIE_SECURE"]
    assert logging.getLogger("werkzeug").getEffectiveLevel() >= logging.WARNING
