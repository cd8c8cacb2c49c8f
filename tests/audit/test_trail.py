"""The audit trail guards itself: reading it is recorded with the filter used, a staff account's page
is recorded, and the database refuses to empty it (TRUNCATE on PostgreSQL, DELETE on both)."""
from __future__ import annotations

import pytest
import sqlalchemy as sa

from clinic import audit
from clinic.audit import AuditEvent


def _views(session, entity):
    return session.execute(sa.select(AuditEvent.user_id, AuditEvent.entity_id, AuditEvent.detail)
                           .where(AuditEvent.action == "view", AuditEvent.entity == entity)
                           .order_by(AuditEvent.id)).all()


def test_reading_the_audit_log_is_audited_with_the_filter_used(client_as, users, session):
    admin = client_as("admin")
    admin.get("/admin/audit/")
    admin.get(f"/admin/audit/?email={users['coordinator'].email}&action=login&since=2026-01-01&before=9")
    assert _views(session, "audit_log") == [
        (users["admin"].id, None, "all"),
        (users["admin"].id, None, f"email={users['coordinator'].email} action=login since=2026-01-01 before=9"),
    ]


def test_viewing_a_staff_account_is_audited(client_as, users, session):
    admin = client_as("admin")
    admin.get("/admin/users")
    admin.get(f"/admin/users/{users['specialist'].id}")
    assert _views(session, "user") == [(users["admin"].id, None, "list"),
                                       (users["admin"].id, str(users["specialist"].id), None)]


@pytest.mark.parametrize("statement", ["TRUNCATE audit_events", "TRUNCATE audit_events CASCADE",
                                       "DELETE FROM audit_events"])
def test_the_database_refuses_to_empty_the_audit_trail(app, session, statement):
    if statement.startswith("TRUNCATE") and session.get_bind().dialect.name != "postgresql":
        pytest.skip("SQLite has no TRUNCATE; its DELETE is refused by the row triggers")
    audit.record(None, "view", "case", 1)
    session.flush()
    with pytest.raises(sa.exc.DatabaseError, match="append-only"):
        with session.begin_nested():
            session.execute(sa.text(statement))
    assert session.scalar(sa.select(sa.func.count()).select_from(AuditEvent)) >= 1
