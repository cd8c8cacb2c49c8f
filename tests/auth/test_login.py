"""Signing in and out: one generic error, throttling, server-side sessions that end for good."""
from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from clinic.audit import AuditEvent
from clinic.auth.models import UserSession
from tests.factories import PASSWORD, UserFactory


def actions(session, action):
    return session.scalars(sa.select(AuditEvent).where(AuditEvent.action == action)).all()


def test_sign_in_takes_each_role_to_its_home(client, users):
    homes = {"coordinator": "/cases", "specialist": "/specialist/cases", "admin": "/admin/users"}
    for role, home in homes.items():
        fresh = client.application.test_client()
        response = fresh.post("/login", data={"email": users[role].email.upper(), "password": PASSWORD})
        assert response.headers["Location"].endswith(home)


def test_wrong_password_and_unknown_account_get_the_same_message(client, users, session):
    wrong = client.post("/login", data={"email": users["admin"].email, "password": "nope-nope-nope"})
    unknown = client.post("/login", data={"email": "nobody@clinic.example", "password": "nope-nope-nope"})
    message = "That email and password do not match an active account."
    assert message in wrong.get_data(as_text=True) and message in unknown.get_data(as_text=True)
    assert wrong.status_code == unknown.status_code == 200
    failures = actions(session, "login_failed")
    assert [f.entity_id for f in failures] == [str(users["admin"].id), None]


def test_deactivated_account_cannot_sign_in(client, session):
    user = UserFactory(active=False)
    response = client.post("/login", data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 200 and "do not match" in response.get_data(as_text=True)


def test_login_and_logout_are_audited_and_logout_ends_the_session_for_good(client, users, session):
    client.post("/login", data={"email": users["coordinator"].email, "password": PASSWORD})
    cookie = client.get_cookie("session").value
    assert client.get("/cases").status_code == 200
    client.post("/logout")
    replay = client.application.test_client()
    replay.set_cookie("session", cookie)
    assert replay.get("/cases").status_code == 302  # the old cookie no longer opens a session
    assert len(actions(session, "login")) == 1 and len(actions(session, "logout")) == 1


def test_sign_in_starts_a_new_session(client, users, session):
    for _ in range(2):
        client.post("/login", data={"email": users["coordinator"].email, "password": PASSWORD})
        client.post("/logout")
    tokens = session.scalars(sa.select(UserSession.token_hash)).all()
    assert len(set(tokens)) == 2


def test_idle_session_is_signed_out_with_a_message(app, client, users, session):
    client.post("/login", data={"email": users["coordinator"].email, "password": PASSWORD})
    row = session.scalars(sa.select(UserSession)).one()
    row.last_seen_at -= timedelta(minutes=app.config["IDLE_TIMEOUT_MINUTES"] + 1)
    session.flush()
    response = client.get("/cases")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert "after a period without activity" in client.get("/login").get_data(as_text=True)
    session.expire_all()
    assert session.get(UserSession, row.id).ended_at is not None


def test_session_has_an_absolute_lifetime(app, client, users, session):
    client.post("/login", data={"email": users["coordinator"].email, "password": PASSWORD})
    row = session.scalars(sa.select(UserSession)).one()
    row.created_at -= timedelta(hours=app.config["SESSION_LIFETIME_HOURS"], minutes=1)
    session.flush()
    assert client.get("/cases").status_code == 302
    assert "maximum length" in client.get("/login").get_data(as_text=True)


def test_failed_sign_ins_are_throttled_per_account(app, client, users):
    email = users["admin"].email
    statuses = [client.post("/login", data={"email": email, "password": "wrong-password-x"}).status_code
                for _ in range(6)]
    assert statuses[:5] == [200] * 5 and statuses[5] == 429
    blocked = client.post("/login", data={"email": email, "password": PASSWORD})
    assert blocked.status_code == 429
    assert "Too many failed sign-in attempts" in blocked.get_data(as_text=True)


def test_successful_sign_ins_are_not_counted_as_failures(client, users):
    for _ in range(7):
        fresh = client.application.test_client()
        assert fresh.post("/login", data={"email": users["admin"].email, "password": PASSWORD}).status_code == 302


@pytest.mark.parametrize("target, expected", [
    ("/cases?status=ready_to_match", "/cases?status=ready_to_match"),
    ("https://evil.example/phish", "/cases"),
    ("//evil.example", "/cases"),
    ("/\\evil.example", "/cases"),
    ("javascript:alert(1)", "/cases"),
])
def test_next_only_leads_inside_the_site(client, users, target, expected):
    response = client.post("/login", query_string={"next": target},
                           data={"email": users["coordinator"].email, "password": PASSWORD})
    assert response.headers["Location"] == expected


@pytest.mark.parametrize("data", [{}, {"email": "", "password": ""}, {"email": "a" * 10_000, "password": "b"},
                                  {"email": "x@y.z", "password": "p" * 100_000}, {"email": ["a", "b"]}])
def test_malformed_sign_in_is_a_form_error_not_a_crash(client, data):
    assert client.post("/login", data=data).status_code == 200


def test_csrf_token_is_required_on_forms(app, users):
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        response = app.test_client().post("/login", data={"email": users["admin"].email, "password": PASSWORD})
    finally:
        app.config["WTF_CSRF_ENABLED"] = False
    assert response.status_code in (200, 400)
    assert response.status_code != 302
