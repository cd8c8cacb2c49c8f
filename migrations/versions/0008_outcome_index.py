"""outcome index: the dashboard's reads of signed opinions answered from one covering index

The outcomes dashboard groups the opinions signed in a period by subspecialty and outcome
and reads each one's case for its stage times. Keyed by signed_at and carrying the case, the
assignment and the three outcome columns, the index answers both queries without reading
the opinions' wide rows (their texts). It replaces the plain index on signed_at.

Revision ID: 0008_outcome_index
Revises: 0007_milestones
Create Date: 2026-11-25 12:00:00

"""
from alembic import op

# revision identifiers, used by Alembic.
revision = '0008_outcome_index'
down_revision = '0007_milestones'
branch_labels = None
depends_on = None

COLUMNS = ['signed_at', 'case_id', 'assignment_id', 'diagnosis_comparison', 'treatment_comparison', 'less_invasive']


# Plain index operations, not a batch: a batch could copy the table on SQLite and lose its triggers.
def upgrade():
    op.drop_index('ix_opinions_signed_at', table_name='opinions')
    op.create_index('ix_opinions_signed_outcome', 'opinions', COLUMNS, unique=False)


def downgrade():
    op.drop_index('ix_opinions_signed_outcome', table_name='opinions')
    op.create_index('ix_opinions_signed_at', 'opinions', ['signed_at'], unique=False)
