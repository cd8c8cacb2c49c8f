"""performance: indexes for the open work queue, its flags and matching

The open cases are a few percent of a clinic with years of history: partial indexes
hold only them, so the default queue, its deep pages and its stage counts never read
the archive. The flags ask each open case about its records through a covering index;
matching reads caseloads and the networks in force on a day from covering indexes.

Revision ID: 0006_performance
Revises: 0005_review
Create Date: 2026-11-25 08:22:49.646540

"""
from alembic import op
import sqlalchemy as sa

# revision identifiers, used by Alembic.
revision = '0006_performance'
down_revision = '0005_review'
branch_labels = None
depends_on = None

OPEN = sa.text("status IN ('records_pending', 'ready_to_match', 'matched', 'scheduled', 'consulted', "
               "'opinion_recorded')")


def upgrade():
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.create_index('ix_cases_open_newest', ['urgency', 'created_at', 'id', 'status'], unique=False,
                              sqlite_where=OPEN, postgresql_where=OPEN)
        batch_op.create_index('ix_cases_open_oldest', [sa.literal_column('urgency DESC'), 'created_at', 'id', 'status'],
                              unique=False, sqlite_where=OPEN, postgresql_where=OPEN)
    with op.batch_alter_table('record_items', schema=None) as batch_op:
        batch_op.create_index('ix_record_items_case_status', ['case_id', 'status', 'due_on'], unique=False)
    with op.batch_alter_table('assignments', schema=None) as batch_op:
        batch_op.create_index('ix_assignments_case_status', ['case_id', 'status', 'specialist_id'], unique=False)
    with op.batch_alter_table('network_memberships', schema=None) as batch_op:
        batch_op.create_index('ix_network_memberships_plan_days', ['plan_id', 'start', 'end', 'specialist_id'],
                              unique=False)


def downgrade():
    with op.batch_alter_table('network_memberships', schema=None) as batch_op:
        batch_op.drop_index('ix_network_memberships_plan_days')
    with op.batch_alter_table('assignments', schema=None) as batch_op:
        batch_op.drop_index('ix_assignments_case_status')
    with op.batch_alter_table('record_items', schema=None) as batch_op:
        batch_op.drop_index('ix_record_items_case_status')
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.drop_index('ix_cases_open_oldest')
        batch_op.drop_index('ix_cases_open_newest')
