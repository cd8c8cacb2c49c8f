"""the patient's side: status links, the report released to the patient, patient messages,
what a rejected record's patient is told, reminders sent (one per appointment version and lead time, so two workers cannot both send),
and the decision's follow-up date ("undecided" keeps the case open) and channel

Revision ID: 0012_patients
Revises: 0011_sec_creds
Create Date: 2026-12-01 08:04:58.715460

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0012_patients'
down_revision = '0011_sec_creds'
branch_labels = None
depends_on = None

PROBLEM_CHECK = "rejection_problem IN ('illegible', 'incomplete', 'wrong_record', 'wrong_patient', 'other')"


def upgrade():
    op.create_table('patient_messages',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('body', sa.String(length=2000), nullable=False),
    sa.Column('received_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('handled_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('handled_by_id', sa.Integer(), nullable=True),
    sa.CheckConstraint('length(body) > 0', name=op.f('ck_patient_messages_not_empty')),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_patient_messages_case_id_cases'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['handled_by_id'], ['users.id'], name=op.f('fk_patient_messages_handled_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_patient_messages'))
    )
    with op.batch_alter_table('patient_messages', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_patient_messages_case_id'), ['case_id'], unique=False)
        batch_op.create_index('ix_patient_messages_open', ['handled_at', 'case_id'], unique=False)

    op.create_table('report_releases',
    sa.Column('case_id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('released_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('released_by_id', sa.Integer(), nullable=True),
    sa.Column('first_read_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_report_releases_case_id_cases'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['released_by_id'], ['users.id'], name=op.f('fk_report_releases_released_by_id_users')),
    sa.PrimaryKeyConstraint('case_id', name=op.f('pk_report_releases'))
    )
    op.create_table('status_links',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('last_used_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('revoked_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_status_links_case_id_cases'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_status_links_created_by_id_users')),
    sa.ForeignKeyConstraint(['revoked_by_id'], ['users.id'], name=op.f('fk_status_links_revoked_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_status_links')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_status_links_token_hash'))
    )
    with op.batch_alter_table('status_links', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_status_links_case_id'), ['case_id'], unique=False)

    op.create_table('reminders',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('appointment_id', sa.Integer(), nullable=False),
    sa.Column('sequence', sa.Integer(), nullable=False),
    sa.Column('lead_minutes', sa.Integer(), nullable=False),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('outbox_message_id', sa.Integer(), nullable=True),
    sa.CheckConstraint('lead_minutes > 0', name=op.f('ck_reminders_lead_positive')),
    sa.ForeignKeyConstraint(['appointment_id'], ['appointments.id'], name=op.f('fk_reminders_appointment_id_appointments'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['outbox_message_id'], ['outbox_messages.id'], name=op.f('fk_reminders_outbox_message_id_outbox_messages')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_reminders')),
    sa.UniqueConstraint('appointment_id', 'sequence', 'lead_minutes', name=op.f('uq_reminders_appointment_id_sequence_lead_minutes'))
    )
    # Not a batch: on SQLite a batch copies record_items and drops the old table, and with foreign keys
    # on, that DROP deletes every document through ON DELETE CASCADE. ADD COLUMN with its CHECK is native.
    op.execute("ALTER TABLE record_items ADD COLUMN rejection_problem VARCHAR(20) "
               f"CONSTRAINT ck_record_items_rejection_problem_allowed CHECK ({PROBLEM_CHECK})")
    op.execute("UPDATE record_items SET rejection_problem = 'other' WHERE status = 'rejected'")
    # Not a batch either: reminders (above) refer to appointments with ON DELETE CASCADE.
    op.add_column('appointments', sa.Column('invited_at', sa.DateTime(timezone=True), nullable=True))
    op.execute("UPDATE appointments SET invited_at = updated_at")
    with op.batch_alter_table('decisions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('follow_up_on', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('recorded_via', sa.String(length=20), nullable=False,
                                      server_default='staff'))
    # Undecided decisions recorded before this revision closed their case; they get a date for the record.
    op.execute("UPDATE decisions SET follow_up_on = recorded_at WHERE choice = 'undecided'")
    with op.batch_alter_table('decisions', schema=None) as batch_op:
        batch_op.alter_column('recorded_via', server_default=None)
        batch_op.create_check_constraint(batch_op.f('ck_decisions_recorded_via_allowed'),
                                         "recorded_via IN ('staff', 'status_page', 'api')")
        batch_op.create_check_constraint(batch_op.f('ck_decisions_undecided_has_follow_up'),
                                         "choice <> 'undecided' OR follow_up_on IS NOT NULL")



def downgrade():
    with op.batch_alter_table('decisions', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_decisions_undecided_has_follow_up'), type_='check')
        batch_op.drop_constraint(batch_op.f('ck_decisions_recorded_via_allowed'), type_='check')
        batch_op.drop_column('recorded_via')
        batch_op.drop_column('follow_up_on')

    op.execute("ALTER TABLE record_items DROP COLUMN rejection_problem")  # its CHECK goes with it (both databases)
    op.drop_table('reminders')
    op.execute("ALTER TABLE appointments DROP COLUMN invited_at")
    with op.batch_alter_table('status_links', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_status_links_case_id'))

    op.drop_table('status_links')
    op.drop_table('report_releases')
    with op.batch_alter_table('patient_messages', schema=None) as batch_op:
        batch_op.drop_index('ix_patient_messages_open')
        batch_op.drop_index(batch_op.f('ix_patient_messages_case_id'))

    op.drop_table('patient_messages')
