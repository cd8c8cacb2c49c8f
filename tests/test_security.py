"""Security headers, error pages that leak nothing, and the append-only audit log."""
from __future__ import annotations

import pytest

from clinic import audit
from clinic.audit.models import AuditTampering


def test_every_page_carries_security_headers(client):
    headers = client.get("/request").headers
    assert "script-src 'self'" in headers["Content-Security-Policy"]
    assert "unsafe-inline" not in headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "no-referrer"
    assert headers["Cache-Control"] == "no-store"


def test_pages_have_no_inline_script(client):
    for path in ("/", "/request", "/login"):
        page = client.get(path).get_data(as_text=True)
        assert "<script>" not in page and "onclick" not in page.lower()


def test_production_settings_require_a_secret_and_secure_cookies(monkeypatch, tmp_path):
    from clinic import config

    monkeypatch.setenv("CLINIC_ENV", "production")
    monkeypatch.delenv("SECRET_KEY", raising=False)
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        config.from_environment(str(tmp_path))
    monkeypatch.setenv("SECRET_KEY", "x" * 64)
    monkeypatch.setenv("RATELIMIT_STORAGE_URI", "redis://127.0.0.1:6379")
    settings = config.from_environment(str(tmp_path))
    assert settings["SESSION_COOKIE_SECURE"] and settings["SESSION_COOKIE_HTTPONLY"]
    assert settings["SESSION_COOKIE_SAMESITE"] == "Lax"


def test_an_unexpected_error_shows_a_plain_page_without_details(app, client, monkeypatch):
    from clinic.cases import views

    def explode(*args, **kwargs):
        raise RuntimeError("secret internal detail C50.911")
    monkeypatch.setattr(views.forms, "RequestForm", explode)
    response = client.get("/request")
    page = response.get_data(as_text=True)
    assert response.status_code == 500
    assert "secret internal detail" not in page and "Traceback" not in page
    assert "Something went wrong on our side" in page


def test_unknown_page_is_a_plain_404(client):
    response = client.get("/no/such/page")
    assert response.status_code == 404 and "There is nothing here" in response.get_data(as_text=True)


def test_audit_rows_cannot_be_changed_through_the_orm(app, session):
    row = audit.record(None, "view", "case", 7)
    session.flush()
    row.detail = "rewritten"
    with pytest.raises(AuditTampering):
        session.flush()
    session.rollback()


def test_audit_rows_cannot_be_deleted_through_the_orm(app, session):
    row = audit.record(None, "view", "case", 8)
    session.flush()
    session.delete(row)
    with pytest.raises(AuditTampering):
        session.flush()
    session.rollback()
