"""milestones: the first time each case reached each status, kept by the workflow for the outcomes dashboard

One narrow row per case (case_milestones, keyed by the case) that the workflow fills on
each move, so the dashboard no longer scans the timeline. Existing databases are
backfilled from the timeline's status lines, in day numbers (fractional days since
1970-01-01 UTC, as clinic.database.day_number computes them).

Revision ID: 0007_milestones
Revises: 0006_performance
Create Date: 2026-11-25 10:12:26.211351

"""
from alembic import op
import sqlalchemy as sa

# revision identifiers, used by Alembic.
revision = '0007_milestones'
down_revision = '0006_performance'
branch_labels = None
depends_on = None

STATUSES = ('records_pending', 'ready_to_match', 'matched', 'scheduled', 'consulted', 'opinion_recorded', 'closed')


def upgrade():
    op.create_table('case_milestones',
    sa.Column('case_id', sa.Integer(), autoincrement=False, nullable=False),
    *(sa.Column(f'reached_{status}', sa.Double(), nullable=True) for status in STATUSES),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_case_milestones_case_id_cases'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('case_id', name=op.f('pk_case_milestones'))
    )
    _backfill()


def _backfill():
    """The earliest status line into each status, per case (what the workflow writes from now on)."""
    timeline = sa.table('timeline_entries', sa.column('case_id', sa.Integer), sa.column('at', sa.DateTime),
                        sa.column('to_status', sa.String))
    milestones = sa.table('case_milestones', sa.column('case_id', sa.Integer),
                          *(sa.column(f'reached_{status}', sa.Float) for status in STATUSES))
    if op.get_bind().dialect.name == 'sqlite':
        day = sa.func.julianday(timeline.c.at) - 2440587.5
    else:
        day = sa.extract('epoch', timeline.c.at) / 86400.0
    firsts = [sa.func.min(sa.case((timeline.c.to_status == status, day))) for status in STATUSES]
    op.execute(milestones.insert().from_select(
        ['case_id', *(f'reached_{status}' for status in STATUSES)],
        sa.select(timeline.c.case_id, *firsts).where(timeline.c.to_status.in_(STATUSES))
        .group_by(timeline.c.case_id)))


def downgrade():
    op.drop_table('case_milestones')
