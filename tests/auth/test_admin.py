"""The admin's pages: create and deactivate users, reset passwords, issue and revoke API tokens."""
from __future__ import annotations

import sqlalchemy as sa

from clinic.auth.models import ApiToken, User
from clinic.auth.passwords import password_problem
from clinic.auth.services import digest
from tests.factories import PASSWORD, ClinicianFactory


def test_password_policy():
    assert password_problem("short") == "Use at least 12 characters."
    assert "at most 128" in password_problem("a-Long-Passphrase-" * 10)
    assert password_problem("password1234") is not None           # common
    assert password_problem("qwertyuiopasdf") is not None         # keyboard walk
    assert password_problem("jane.doe@clinic.org", "jane.doe@clinic.org") is not None
    assert password_problem("violet-harbor-tunes-83") is None


def test_admin_creates_a_coordinator_and_sees_the_generated_password_once(client_as, session):
    response = client_as("admin").post("/admin/users", data={"email": "New.Person@Clinic.example", "name": "New Person",
                                                             "role": "coordinator"})
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "will not be shown again" in page
    user = session.scalars(sa.select(User).where(User.email == "new.person@clinic.example")).one()
    assert user.password_hash not in page


def test_specialist_accounts_are_linked_to_their_directory_record(client_as, session):
    record = ClinicianFactory()
    client_as("admin").post("/admin/users", data={"email": "doc@clinic.example", "name": "Dr. Doc",
                                                  "role": "specialist", "npi": record.npi})
    assert session.scalars(sa.select(User).where(User.email == "doc@clinic.example")).one().clinician_id == record.id


def test_create_user_refuses_duplicates_and_weak_passwords_beside_the_field(client_as, users, session):
    admin = client_as("admin")
    duplicate = admin.post("/admin/users", data={"email": users["admin"].email, "name": "X", "role": "admin"})
    weak = admin.post("/admin/users", data={"email": "weak@clinic.example", "name": "W", "role": "admin",
                                            "password": "password1234"})
    specialist = admin.post("/admin/users", data={"email": "s@clinic.example", "name": "S", "role": "specialist"})
    assert duplicate.status_code == weak.status_code == specialist.status_code == 422
    assert "already exists" in duplicate.get_data(as_text=True)
    assert 'id="password-error"' in weak.get_data(as_text=True)
    assert "NPI" in specialist.get_data(as_text=True)
    assert session.scalar(sa.select(sa.func.count()).select_from(User)) == 3


def test_deactivating_a_user_ends_their_sessions_and_tokens(client_as, users, session, app):
    from clinic.auth.services import issue_token

    token = issue_token(None, users["coordinator"], "gateway")
    coordinator = client_as("coordinator")
    client_as("admin").post(f"/admin/users/{users['coordinator'].id}/active")
    assert coordinator.get("/cases").status_code == 302
    api = app.test_client().get("/api/v1/requests/1", headers={"Authorization": f"Bearer {token}"})
    assert api.status_code == 401


def test_admin_cannot_deactivate_themself(client_as, users, session):
    client_as("admin").post(f"/admin/users/{users['admin'].id}/active")
    session.expire_all()
    assert session.get(User, users["admin"].id).active


def test_password_reset_lets_the_new_password_in_and_the_old_one_not(client_as, users, app):
    client_as("admin").post(f"/admin/users/{users['coordinator'].id}/password",
                            data={"password": "violet-harbor-tunes-83"})
    fresh = app.test_client()
    assert fresh.post("/login", data={"email": users["coordinator"].email, "password": PASSWORD}).status_code == 200
    assert fresh.post("/login", data={"email": users["coordinator"].email,
                                      "password": "violet-harbor-tunes-83"}).status_code == 302


def test_api_token_is_shown_once_and_stored_hashed_and_can_be_revoked(client_as, users, session, app):
    admin = client_as("admin")
    page = admin.post(f"/admin/users/{users['coordinator'].id}/tokens", data={"name": "Gateway"}).get_data(as_text=True)
    secret = page.split('aria-label="API token">')[1].split("<")[0].strip()
    token = session.scalars(sa.select(ApiToken)).one()
    assert token.token_hash == digest(secret) and secret not in token.token_hash
    assert app.test_client().get("/api/v1/requests/1", headers={"Authorization": f"Bearer {secret}"}).status_code == 404
    admin.post(f"/admin/tokens/{token.id}/revoke")
    assert app.test_client().get("/api/v1/requests/1", headers={"Authorization": f"Bearer {secret}"}).status_code == 401


def test_audit_log_page_filters_by_action(client_as, users):
    admin = client_as("admin")
    page = admin.get("/admin/audit/?action=login").get_data(as_text=True)
    assert users["admin"].email in page
    assert "No events match" in admin.get("/admin/audit/?action=export").get_data(as_text=True)
    assert admin.get("/admin/audit/?since=not-a-date&before=abc&entity=<script>").status_code == 200
