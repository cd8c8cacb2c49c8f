"""matching: active flags for organizations, subspecialties and plans; the subspecialty an assignment was matched on

Revision ID: 0003_matching
Revises: 0002_records
Create Date: 2026-11-25 07:42:53.215843

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0003_matching'
down_revision = '0002_records'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('assignments', schema=None) as batch_op:
        batch_op.add_column(sa.Column('subspecialty_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_assignments_subspecialty_id_subspecialties'), 'subspecialties', ['subspecialty_id'], ['id'])

    with op.batch_alter_table('clinicians', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_clinicians_name'), ['name'], unique=False)

    with op.batch_alter_table('organizations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('active', sa.Boolean(), server_default=sa.true(), nullable=False))

    with op.batch_alter_table('plans', schema=None) as batch_op:
        batch_op.add_column(sa.Column('active', sa.Boolean(), server_default=sa.true(), nullable=False))

    with op.batch_alter_table('subspecialties', schema=None) as batch_op:
        batch_op.add_column(sa.Column('active', sa.Boolean(), server_default=sa.true(), nullable=False))



def downgrade():
    with op.batch_alter_table('subspecialties', schema=None) as batch_op:
        batch_op.drop_column('active')

    with op.batch_alter_table('plans', schema=None) as batch_op:
        batch_op.drop_column('active')

    with op.batch_alter_table('organizations', schema=None) as batch_op:
        batch_op.drop_column('active')

    with op.batch_alter_table('clinicians', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_clinicians_name'))

    with op.batch_alter_table('assignments', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_assignments_subspecialty_id_subspecialties'), type_='foreignkey')
        batch_op.drop_column('subspecialty_id')

