"""replies to invites read from the clinic's mailbox: every message received (once: the sha256 of
its bytes is unique), the attendees' answers (one current per attendee of an appointment) and the new
times they proposed

Revision ID: 0013_inbox
Revises: 0012_patients
Create Date: 2026-12-01 08:13:37.550526

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0013_inbox'
down_revision = '0012_patients'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('inbound_messages',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('message_id', sa.String(length=300), nullable=False),
    sa.Column('sender', sa.String(length=254), nullable=False),
    sa.Column('subject', sa.String(length=300), nullable=False),
    sa.Column('method', sa.String(length=40), nullable=False),
    sa.Column('received_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('raw', sa.LargeBinary(), nullable=True),
    sa.Column('outcome', sa.String(length=12), nullable=False),
    sa.Column('reason', sa.String(length=500), nullable=False),
    sa.Column('appointment_id', sa.Integer(), nullable=True),
    sa.CheckConstraint("outcome IN ('applied', 'stale', 'kept_aside', 'not_calendar')", name=op.f('ck_inbound_messages_outcome_allowed')),
    sa.CheckConstraint('size >= 0', name=op.f('ck_inbound_messages_size_positive')),
    sa.ForeignKeyConstraint(['appointment_id'], ['appointments.id'], name=op.f('fk_inbound_messages_appointment_id_appointments'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_inbound_messages')),
    sa.UniqueConstraint('sha256', name=op.f('uq_inbound_messages_sha256'))
    )
    with op.batch_alter_table('inbound_messages', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_inbound_messages_appointment_id'), ['appointment_id'], unique=False)
        batch_op.create_index('ix_inbound_messages_outcome', ['outcome', 'received_at'], unique=False)

    op.create_table('attendee_responses',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('appointment_id', sa.Integer(), nullable=False),
    sa.Column('role', sa.String(length=12), nullable=False),
    sa.Column('address', sa.String(length=254), nullable=False),
    sa.Column('partstat', sa.String(length=12), nullable=False),
    sa.Column('sequence', sa.Integer(), nullable=False),
    sa.Column('stamp', sa.DateTime(timezone=True), nullable=True),
    sa.Column('received_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('is_current', sa.Boolean(), nullable=False),
    sa.Column('inbound_message_id', sa.Integer(), nullable=False),
    sa.CheckConstraint("partstat IN ('ACCEPTED', 'TENTATIVE', 'DECLINED')", name=op.f('ck_attendee_responses_partstat_allowed')),
    sa.CheckConstraint("role IN ('patient', 'specialist')", name=op.f('ck_attendee_responses_role_allowed')),
    sa.CheckConstraint('sequence >= 0', name=op.f('ck_attendee_responses_sequence_positive')),
    sa.ForeignKeyConstraint(['appointment_id'], ['appointments.id'], name=op.f('fk_attendee_responses_appointment_id_appointments'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['inbound_message_id'], ['inbound_messages.id'], name=op.f('fk_attendee_responses_inbound_message_id_inbound_messages')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_attendee_responses')),
    sa.UniqueConstraint('inbound_message_id', name=op.f('uq_attendee_responses_inbound_message_id'))
    )
    with op.batch_alter_table('attendee_responses', schema=None) as batch_op:
        batch_op.create_index('ix_attendee_responses_declined', ['partstat', 'is_current', 'appointment_id'], unique=False)
        batch_op.create_index('uq_attendee_responses_current', ['appointment_id', 'role'], unique=True, sqlite_where=sa.text('is_current'), postgresql_where=sa.text('is_current'))

    op.create_table('counter_proposals',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('appointment_id', sa.Integer(), nullable=False),
    sa.Column('role', sa.String(length=12), nullable=False),
    sa.Column('proposer', sa.String(length=254), nullable=False),
    sa.Column('proposer_name', sa.String(length=200), nullable=False),
    sa.Column('start', sa.DateTime(timezone=True), nullable=False),
    sa.Column('end', sa.DateTime(timezone=True), nullable=False),
    sa.Column('sequence', sa.Integer(), nullable=False),
    sa.Column('comment', sa.String(length=1000), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('received_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('inbound_message_id', sa.Integer(), nullable=False),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint("role IN ('patient', 'specialist')", name=op.f('ck_counter_proposals_role_allowed')),
    sa.CheckConstraint("status IN ('pending', 'accepted', 'declined', 'superseded')", name=op.f('ck_counter_proposals_status_allowed')),
    sa.CheckConstraint('"end" > start', name=op.f('ck_counter_proposals_times_ordered')),
    sa.CheckConstraint('sequence >= 0', name=op.f('ck_counter_proposals_sequence_positive')),
    sa.ForeignKeyConstraint(['appointment_id'], ['appointments.id'], name=op.f('fk_counter_proposals_appointment_id_appointments'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['decided_by_id'], ['users.id'], name=op.f('fk_counter_proposals_decided_by_id_users')),
    sa.ForeignKeyConstraint(['inbound_message_id'], ['inbound_messages.id'], name=op.f('fk_counter_proposals_inbound_message_id_inbound_messages')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_counter_proposals')),
    sa.UniqueConstraint('inbound_message_id', name=op.f('uq_counter_proposals_inbound_message_id'))
    )
    with op.batch_alter_table('counter_proposals', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_counter_proposals_appointment_id'), ['appointment_id'], unique=False)
        batch_op.create_index('ix_counter_proposals_status', ['status', 'appointment_id'], unique=False)


def downgrade():
    with op.batch_alter_table('counter_proposals', schema=None) as batch_op:
        batch_op.drop_index('ix_counter_proposals_status')
        batch_op.drop_index(batch_op.f('ix_counter_proposals_appointment_id'))

    op.drop_table('counter_proposals')
    with op.batch_alter_table('attendee_responses', schema=None) as batch_op:
        batch_op.drop_index('uq_attendee_responses_current', sqlite_where=sa.text('is_current'), postgresql_where=sa.text('is_current'))
        batch_op.drop_index('ix_attendee_responses_declined')

    op.drop_table('attendee_responses')
    with op.batch_alter_table('inbound_messages', schema=None) as batch_op:
        batch_op.drop_index('ix_inbound_messages_outcome')
        batch_op.drop_index(batch_op.f('ix_inbound_messages_appointment_id'))

    op.drop_table('inbound_messages')
