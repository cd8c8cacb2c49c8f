"""The command line: demo (safe twice), users create, users token."""
from __future__ import annotations

import sqlalchemy as sa

from clinic.auth.models import ApiToken
from clinic.auth.services import digest
from clinic.cases.models import Case


def test_demo_loads_a_clinic_once_prints_the_logins_and_they_work(app, session):
    """One load of the demo for all three (it is the slowest builder in this file)."""
    runner = app.test_cli_runner()
    first = runner.invoke(args=["demo"])
    assert first.exit_code == 0, first.output
    for email in ("admin@demo.clinic", "coordinator@demo.clinic", "specialist@demo.clinic"):
        assert email in first.output
    cases = session.scalar(sa.select(sa.func.count()).select_from(Case))
    assert cases >= 10
    second = runner.invoke(args=["demo"])
    assert second.exit_code == 0 and "already loaded" in second.output
    assert session.scalar(sa.select(sa.func.count()).select_from(Case)) == cases
    response = app.test_client().post("/login", data={"email": "coordinator@demo.clinic",
                                                      "password": "coordinator-demo-password-2026"})
    assert response.status_code == 302


def test_users_create_generates_and_prints_a_password(app, session):
    result = app.test_cli_runner().invoke(args=["users", "create", "new@clinic.example", "--role", "coordinator"])
    assert result.exit_code == 0, result.output
    password = result.output.split("Password: ")[1].strip()
    assert app.test_client().post("/login", data={"email": "new@clinic.example", "password": password}).status_code == 302


def test_users_create_refuses_a_specialist_without_a_directory_record(app):
    result = app.test_cli_runner().invoke(args=["users", "create", "s@clinic.example", "--role", "specialist",
                                                "--npi", "1234567893"])
    assert result.exit_code != 0 and "No clinician with NPI" in result.output


def test_users_create_refuses_a_weak_password(app):
    result = app.test_cli_runner().invoke(args=["users", "create", "w@clinic.example", "--role", "admin",
                                                "--password", "password1234"])
    assert result.exit_code != 0 and "password" in result.output


def test_users_token_prints_only_the_token_and_stores_its_hash(app, users, session):
    result = app.test_cli_runner().invoke(args=["users", "token", users["coordinator"].email])
    assert result.exit_code == 0
    secret = result.output.strip()
    assert "\n" not in secret and secret.startswith("so_")
    assert session.scalars(sa.select(ApiToken)).one().token_hash == digest(secret)


def test_users_token_for_an_unknown_user_fails(app):
    result = app.test_cli_runner().invoke(args=["users", "token", "ghost@clinic.example"])
    assert result.exit_code != 0 and "No user" in result.output
