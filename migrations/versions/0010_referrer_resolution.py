"""referrer resolution: who a doctor named without an NPI is, and proposals made before it was known

A clinician named on a request without an NPI is unresolved until a coordinator confirms a
directory clinician or states that the doctor is not in the directory (who, when, why). Until
then proposing a specialist needs an override with a reason, kept on the assignment.

Existing rows: a clinician named with an NPI is resolved by it; one named without stays
unresolved (nobody has said who they are). The column is added nullable, filled, then made
non-null (two steps, so no default is left on the table).

Revision ID: 0010_referrer_resolution
Revises: 0009_rejected_files
Create Date: 2026-12-01 04:30:00

"""
from alembic import op
import sqlalchemy as sa

# revision identifiers, used by Alembic.
revision = '0010_referrer_resolution'
down_revision = '0009_rejected_files'
branch_labels = None
depends_on = None

RESOLUTIONS = "resolution IN ('by_npi', 'unresolved', 'confirmed', 'not_in_directory')"


# case_clinicians carries no trigger nor partial index: a batch (a table copy on SQLite) loses nothing.
def upgrade():
    with op.batch_alter_table('case_clinicians', schema=None) as batch_op:
        batch_op.add_column(sa.Column('resolution', sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column('resolved_by_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('resolved_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('resolution_note', sa.String(length=500), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_case_clinicians_resolved_by_id_users'), 'users',
                                    ['resolved_by_id'], ['id'])
    op.execute("UPDATE case_clinicians SET resolution = CASE WHEN npi IS NULL THEN 'unresolved' ELSE 'by_npi' END")
    with op.batch_alter_table('case_clinicians', schema=None) as batch_op:
        batch_op.alter_column('resolution', existing_type=sa.String(length=20), nullable=False)
        batch_op.create_check_constraint(op.f('ck_case_clinicians_resolution_allowed'), RESOLUTIONS)
    # Plain, not a batch: a copy of assignments on SQLite would have to carry its partial unique index.
    op.add_column('assignments', sa.Column('independence_override', sa.String(length=500), nullable=True))


def downgrade():
    op.drop_column('assignments', 'independence_override')
    with op.batch_alter_table('case_clinicians', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_case_clinicians_resolution_allowed'), type_='check')
        batch_op.drop_constraint(batch_op.f('fk_case_clinicians_resolved_by_id_users'), type_='foreignkey')
        batch_op.drop_column('resolution_note')
        batch_op.drop_column('resolved_at')
        batch_op.drop_column('resolved_by_id')
        batch_op.drop_column('resolution')
