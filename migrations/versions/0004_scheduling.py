"""scheduling: availability, days off, appointments, calendar feeds, mail attempts

No double booking is a database rule: a partial unique index on (specialist, start)
for booked appointments on both backends, and on PostgreSQL an exclusion constraint
so that overlapping bookings of any length cannot both commit (btree_gist supplies
the equality operator class for the integer column inside a GiST index).

Revision ID: 0004_scheduling
Revises: 0003_matching
Create Date: 2026-11-25 07:47:54.533024

"""
from alembic import op
import sqlalchemy as sa

# revision identifiers, used by Alembic.
revision = '0004_scheduling'
down_revision = '0003_matching'
branch_labels = None
depends_on = None


NO_OVERLAP = """
ALTER TABLE appointments ADD CONSTRAINT ex_appointments_no_overlap
EXCLUDE USING gist (specialist_id WITH =, tstzrange(start, "end") WITH &&) WHERE (status = 'booked')
"""


def upgrade():
    op.create_table('availability_rules',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('specialist_id', sa.Integer(), nullable=False),
    sa.Column('weekday', sa.Integer(), nullable=False),
    sa.Column('start_time', sa.Time(), nullable=False),
    sa.Column('end_time', sa.Time(), nullable=False),
    sa.Column('slot_minutes', sa.Integer(), nullable=False),
    sa.Column('timezone', sa.String(length=64), nullable=False),
    sa.Column('modality', sa.String(length=10), nullable=False),
    sa.Column('location', sa.String(length=300), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("modality IN ('in_person', 'video')", name=op.f('ck_availability_rules_modality_allowed')),
    sa.CheckConstraint('end_time > start_time', name=op.f('ck_availability_rules_times_ordered')),
    sa.CheckConstraint('slot_minutes BETWEEN 10 AND 480', name=op.f('ck_availability_rules_slot_minutes_range')),
    sa.CheckConstraint('weekday BETWEEN 0 AND 6', name=op.f('ck_availability_rules_weekday_range')),
    sa.ForeignKeyConstraint(['specialist_id'], ['clinicians.id'], name=op.f('fk_availability_rules_specialist_id_clinicians')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_availability_rules')),
    sa.UniqueConstraint('specialist_id', 'weekday', 'start_time', name=op.f('uq_availability_rules_specialist_id_weekday_start_time'))
    )
    with op.batch_alter_table('availability_rules', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_availability_rules_specialist_id'), ['specialist_id'], unique=False)

    op.create_table('days_off',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('specialist_id', sa.Integer(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('reason', sa.String(length=200), nullable=False),
    sa.ForeignKeyConstraint(['specialist_id'], ['clinicians.id'], name=op.f('fk_days_off_specialist_id_clinicians')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_days_off')),
    sa.UniqueConstraint('specialist_id', 'day', name=op.f('uq_days_off_specialist_id_day'))
    )
    op.create_table('calendar_feeds',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('specialist_id', sa.Integer(), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_used_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_calendar_feeds_created_by_id_users')),
    sa.ForeignKeyConstraint(['specialist_id'], ['clinicians.id'], name=op.f('fk_calendar_feeds_specialist_id_clinicians')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_calendar_feeds')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_calendar_feeds_token_hash'))
    )
    with op.batch_alter_table('calendar_feeds', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_calendar_feeds_specialist_id'), ['specialist_id'], unique=False)

    op.create_table('appointments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('specialist_id', sa.Integer(), nullable=False),
    sa.Column('start', sa.DateTime(timezone=True), nullable=False),
    sa.Column('end', sa.DateTime(timezone=True), nullable=False),
    sa.Column('timezone', sa.String(length=64), nullable=False),
    sa.Column('modality', sa.String(length=10), nullable=False),
    sa.Column('location', sa.String(length=300), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('ical_uid', sa.String(length=120), nullable=False),
    sa.Column('ical_sequence', sa.Integer(), nullable=False),
    sa.Column('status_reason', sa.String(length=500), nullable=True),
    sa.Column('booked_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.CheckConstraint("modality IN ('in_person', 'video')", name=op.f('ck_appointments_modality_allowed')),
    sa.CheckConstraint("status IN ('booked', 'cancelled', 'completed', 'no_show')", name=op.f('ck_appointments_status_allowed')),
    sa.CheckConstraint('"end" > start', name=op.f('ck_appointments_times_ordered')),
    sa.ForeignKeyConstraint(['booked_by_id'], ['users.id'], name=op.f('fk_appointments_booked_by_id_users')),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_appointments_case_id_cases')),
    sa.ForeignKeyConstraint(['specialist_id'], ['clinicians.id'], name=op.f('fk_appointments_specialist_id_clinicians')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_appointments')),
    sa.UniqueConstraint('ical_uid', name=op.f('uq_appointments_ical_uid'))
    )
    with op.batch_alter_table('appointments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_appointments_case_id'), ['case_id'], unique=False)
        batch_op.create_index('ix_appointments_specialist_start', ['specialist_id', 'status', 'start'], unique=False)
        batch_op.create_index('uq_appointments_active_case', ['case_id'], unique=True, sqlite_where=sa.text("status = 'booked'"), postgresql_where=sa.text("status = 'booked'"))
        batch_op.create_index('uq_appointments_active_slot', ['specialist_id', 'start'], unique=True, sqlite_where=sa.text("status = 'booked'"), postgresql_where=sa.text("status = 'booked'"))

    if op.get_bind().dialect.name == "postgresql":
        op.execute("CREATE EXTENSION IF NOT EXISTS btree_gist")
        op.execute(NO_OVERLAP)

    op.create_table('mail_attempts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('message_id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('delivered', sa.Boolean(), nullable=False),
    sa.Column('error', sa.String(length=500), nullable=True),
    sa.ForeignKeyConstraint(['message_id'], ['outbox_messages.id'], name=op.f('fk_mail_attempts_message_id_outbox_messages'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_mail_attempts'))
    )
    with op.batch_alter_table('mail_attempts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_mail_attempts_message_id'), ['message_id'], unique=False)



def downgrade():
    with op.batch_alter_table('mail_attempts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_mail_attempts_message_id'))

    op.drop_table('mail_attempts')
    if op.get_bind().dialect.name == "postgresql":
        # The btree_gist extension stays: other schemas in the database may use it.
        op.execute("ALTER TABLE appointments DROP CONSTRAINT IF EXISTS ex_appointments_no_overlap")
    with op.batch_alter_table('appointments', schema=None) as batch_op:
        batch_op.drop_index('uq_appointments_active_slot', sqlite_where=sa.text("status = 'booked'"), postgresql_where=sa.text("status = 'booked'"))
        batch_op.drop_index('uq_appointments_active_case', sqlite_where=sa.text("status = 'booked'"), postgresql_where=sa.text("status = 'booked'"))
        batch_op.drop_index('ix_appointments_specialist_start')
        batch_op.drop_index(batch_op.f('ix_appointments_case_id'))

    op.drop_table('appointments')
    with op.batch_alter_table('calendar_feeds', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_calendar_feeds_specialist_id'))

    op.drop_table('calendar_feeds')
    op.drop_table('days_off')
    with op.batch_alter_table('availability_rules', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_availability_rules_specialist_id'))

    op.drop_table('availability_rules')
