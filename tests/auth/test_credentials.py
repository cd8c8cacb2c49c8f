"""Credentials end with the account's trust: deactivation and a password reset revoke every one the
user holds (sessions, API tokens, calendar feed links), and reactivation brings none back."""
from __future__ import annotations

import sqlalchemy as sa

from clinic.audit import AuditEvent
from clinic.auth.models import ApiToken, UserSession
from clinic.auth.services import digest, issue_token, revoke_credentials, set_active, start_session
from clinic.scheduling import feeds
from clinic.scheduling.models import CalendarFeed
from tests.conftest import sign_in

API = "/api/v1/requests/1"


def _bearer(secret: str) -> dict:
    return {"Authorization": f"Bearer {secret}"}


def _credentials(app, users):
    """A live session (a signed-in client), an API token and a calendar feed of the specialist."""
    specialist = users["specialist"]
    browser = sign_in(app.test_client(), specialist)
    return browser, issue_token(None, specialist, "gateway"), feeds.issue_feed(None, specialist.clinician)


def _all_dead(app, browser, secret, feed_token):
    anonymous = app.test_client()
    assert browser.get("/specialist/cases").status_code == 302
    assert anonymous.get(API, headers=_bearer(secret)).status_code == 401
    assert anonymous.get(f"/calendar/{feed_token}.ics").status_code == 404


def test_deactivation_ends_sessions_api_tokens_and_the_calendar_feed(app, client_as, users, session):
    browser, secret, feed_token = _credentials(app, users)
    assert app.test_client().get(f"/calendar/{feed_token}.ics").status_code == 200

    client_as("admin").post(f"/admin/users/{users['specialist'].id}/active")

    _all_dead(app, browser, secret, feed_token)
    assert session.scalar(sa.select(sa.func.count()).select_from(CalendarFeed)
                          .where(CalendarFeed.revoked_at.is_(None))) == 0


def test_reactivation_brings_no_credential_back(app, client_as, users, session):
    browser, secret, feed_token = _credentials(app, users)
    admin = client_as("admin")
    admin.post(f"/admin/users/{users['specialist'].id}/active")
    admin.post(f"/admin/users/{users['specialist'].id}/active")
    session.expire_all()
    assert users["specialist"].active

    _all_dead(app, browser, secret, feed_token)
    assert feeds.active_feed(users["specialist"].clinician_id) is None  # a new link only when asked for


def test_password_reset_ends_api_tokens_feeds_and_sessions(app, client_as, users, session):
    browser, secret, feed_token = _credentials(app, users)

    client_as("admin").post(f"/admin/users/{users['specialist'].id}/password",
                            data={"password": "violet-harbor-tunes-83"})

    _all_dead(app, browser, secret, feed_token)


def test_revocation_is_audited_once_with_its_reason_and_counts(app, client_as, users, session):
    _credentials(app, users)
    client_as("admin").post(f"/admin/users/{users['specialist'].id}/password",
                            data={"password": "violet-harbor-tunes-83"})
    rows = session.scalars(sa.select(AuditEvent).where(AuditEvent.entity == "user",
                                                       AuditEvent.detail.like("credentials revoked%"))).all()
    assert [(r.user_id, r.entity_id, r.detail) for r in rows] == [
        (users["admin"].id, str(users["specialist"].id),
         "credentials revoked (password reset): sessions=1 api_tokens=1 calendar_feeds=1")]
    assert session.scalar(sa.select(AuditEvent).where(AuditEvent.entity == "calendar_feed",
                                                      AuditEvent.detail == "revoked")) is not None


def test_a_user_acting_on_their_own_account_keeps_their_current_session(users, session):
    admin = users["admin"]
    start_session(admin, None)  # signed in elsewhere
    start_session(admin, None)  # the session acting now
    assert revoke_credentials(admin, admin, "password reset")["sessions"] == 1
    live = session.scalars(sa.select(UserSession.token_hash).where(UserSession.ended_at.is_(None))).all()
    assert live == [digest(admin.session_token)]


def test_a_feed_of_a_deactivated_account_is_not_served_even_if_left_unrevoked(app, users, session):
    token = feeds.issue_feed(None, users["specialist"].clinician)
    users["specialist"].active = False  # as a direct database change would leave it
    session.flush()
    assert app.test_client().get(f"/calendar/{token}.ics").status_code == 404


def test_no_calendar_link_is_made_for_a_deactivated_account(client_as, users, session):
    set_active(users["admin"], users["specialist"], False)
    session.flush()
    response = client_as("admin").post(f"/availability/{users['specialist'].clinician_id}/feed",
                                       follow_redirects=True)
    assert "Reactivate the specialist&#39;s account" in response.get_data(as_text=True)
    assert feeds.active_feed(users["specialist"].clinician_id) is None


def test_deactivating_an_account_without_a_directory_record_revokes_its_tokens(users, session):
    issue_token(None, users["coordinator"], "gateway")
    set_active(users["admin"], users["coordinator"], False)
    assert session.scalars(sa.select(ApiToken.revoked_at)).one() is not None
