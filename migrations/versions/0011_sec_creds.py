"""audit truncate guard: TRUNCATE of the audit trail refused by the database too

Row triggers (0001) refuse UPDATE and DELETE on audit_events, but TRUNCATE fires no row
trigger: one statement emptied the trail. PostgreSQL runs a statement-level BEFORE TRUNCATE
trigger; it raises, so the truncation rolls back. SQLite has no TRUNCATE (its DELETE without a
WHERE clause still fires the row trigger of 0001). The README also tells operators to revoke
TRUNCATE from the application's role: the owner of a table can disable its triggers.

Revision ID: 0011_sec_creds
Revises: 0010_referrer_resolution
Create Date: 2026-12-01 04:30:00

"""
from alembic import op

# revision identifiers, used by Alembic.
revision = '0011_sec_creds'
down_revision = '0010_referrer_resolution'
branch_labels = None
depends_on = None

# The function of 0001 raises 'audit_events is append-only'; a statement trigger may call it too.
TRUNCATE_GUARD = """
CREATE TRIGGER audit_events_no_truncate BEFORE TRUNCATE ON audit_events
FOR EACH STATEMENT EXECUTE FUNCTION audit_events_append_only()
"""


def upgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute(TRUNCATE_GUARD)


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS audit_events_no_truncate ON audit_events")
