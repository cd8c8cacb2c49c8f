"""foundation: users, audit, directory, cases, outbox, assignments

Revision ID: 0001_foundation
Revises: 
Create Date: 2026-11-25 07:35:19.567371

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0001_foundation'
down_revision = None
branch_labels = None
depends_on = None


AUDIT_GUARD_SQLITE = """
CREATE TRIGGER audit_events_{op}_forbidden BEFORE {OP} ON audit_events
BEGIN SELECT RAISE(ABORT, 'audit_events is append-only'); END
"""
AUDIT_GUARD_PG_FUNCTION = """
CREATE OR REPLACE FUNCTION audit_events_append_only() RETURNS trigger AS $$
BEGIN RAISE EXCEPTION 'audit_events is append-only'; END $$ LANGUAGE plpgsql
"""
AUDIT_GUARD_PG_TRIGGER = """
CREATE TRIGGER audit_events_append_only BEFORE UPDATE OR DELETE ON audit_events
FOR EACH ROW EXECUTE FUNCTION audit_events_append_only()
"""


def _protect_audit_log():
    """The audit trail is append-only in the database too, not only in the application."""
    if op.get_bind().dialect.name == "postgresql":
        op.execute(AUDIT_GUARD_PG_FUNCTION)
        op.execute(AUDIT_GUARD_PG_TRIGGER)
    else:
        for name in ("update", "delete"):
            op.execute(AUDIT_GUARD_SQLITE.format(op=name, OP=name.upper()))


def _unprotect_audit_log():
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS audit_events_append_only ON audit_events")
        op.execute("DROP FUNCTION IF EXISTS audit_events_append_only()")
    else:
        for name in ("update", "delete"):
            op.execute(f"DROP TRIGGER IF EXISTS audit_events_{name}_forbidden")


def upgrade():
    op.create_table('clinicians',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('npi', sa.String(length=10), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('specialty', sa.String(length=120), nullable=True),
    sa.Column('languages', sa.String(length=100), nullable=False),
    sa.Column('academic', sa.Boolean(), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=True),
    sa.Column('timezone', sa.String(length=64), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("kind IN ('specialist', 'external')", name=op.f('ck_clinicians_kind_allowed')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_clinicians')),
    sa.UniqueConstraint('npi', name=op.f('uq_clinicians_npi'))
    )
    with op.batch_alter_table('clinicians', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_clinicians_active'), ['active'], unique=False)
        batch_op.create_index(batch_op.f('ix_clinicians_kind'), ['kind'], unique=False)

    op.create_table('organizations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('normalized_name', sa.String(length=200), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.CheckConstraint("kind IN ('hospital', 'practice', 'academic_center', 'group')", name=op.f('ck_organizations_kind_allowed')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_organizations')),
    sa.UniqueConstraint('normalized_name', name=op.f('uq_organizations_normalized_name'))
    )
    op.create_table('patients',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('birth_date', sa.Date(), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('phone', sa.String(length=40), nullable=True),
    sa.Column('timezone', sa.String(length=64), nullable=False),
    sa.Column('language', sa.String(length=8), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_patients'))
    )
    op.create_table('plans',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('payer', sa.String(length=120), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_plans')),
    sa.UniqueConstraint('payer', 'name', name=op.f('uq_plans_payer_name'))
    )
    op.create_table('subspecialties',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=40), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('icd10_prefixes', sa.String(length=500), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_subspecialties')),
    sa.UniqueConstraint('code', name=op.f('uq_subspecialties_code'))
    )
    op.create_table('affiliations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('clinician_id', sa.Integer(), nullable=False),
    sa.Column('organization_id', sa.Integer(), nullable=False),
    sa.Column('start', sa.Date(), nullable=False),
    sa.Column('end', sa.Date(), nullable=True),
    sa.CheckConstraint('"end" IS NULL OR "end" >= start', name=op.f('ck_affiliations_dates_ordered')),
    sa.ForeignKeyConstraint(['clinician_id'], ['clinicians.id'], name=op.f('fk_affiliations_clinician_id_clinicians')),
    sa.ForeignKeyConstraint(['organization_id'], ['organizations.id'], name=op.f('fk_affiliations_organization_id_organizations')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_affiliations')),
    sa.UniqueConstraint('clinician_id', 'organization_id', 'start', name=op.f('uq_affiliations_clinician_id_organization_id_start'))
    )
    with op.batch_alter_table('affiliations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_affiliations_clinician_id'), ['clinician_id'], unique=False)
        batch_op.create_index('ix_affiliations_organization', ['organization_id', 'clinician_id'], unique=False)

    op.create_table('network_memberships',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('specialist_id', sa.Integer(), nullable=False),
    sa.Column('plan_id', sa.Integer(), nullable=False),
    sa.Column('start', sa.Date(), nullable=False),
    sa.Column('end', sa.Date(), nullable=True),
    sa.CheckConstraint('"end" IS NULL OR "end" >= start', name=op.f('ck_network_memberships_dates_ordered')),
    sa.ForeignKeyConstraint(['plan_id'], ['plans.id'], name=op.f('fk_network_memberships_plan_id_plans')),
    sa.ForeignKeyConstraint(['specialist_id'], ['clinicians.id'], name=op.f('fk_network_memberships_specialist_id_clinicians')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_network_memberships')),
    sa.UniqueConstraint('specialist_id', 'plan_id', 'start', name=op.f('uq_network_memberships_specialist_id_plan_id_start'))
    )
    with op.batch_alter_table('network_memberships', schema=None) as batch_op:
        batch_op.create_index('ix_network_memberships_plan', ['plan_id', 'specialist_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_network_memberships_specialist_id'), ['specialist_id'], unique=False)

    op.create_table('relationships',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('clinician_a_id', sa.Integer(), nullable=False),
    sa.Column('clinician_b_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('start', sa.Date(), nullable=True),
    sa.Column('end', sa.Date(), nullable=True),
    sa.CheckConstraint("kind IN ('co_practice', 'training', 'family', 'financial', 'co_author', 'other')", name=op.f('ck_relationships_kind_allowed')),
    sa.CheckConstraint('"end" IS NULL OR "end" >= start', name=op.f('ck_relationships_dates_ordered')),
    sa.CheckConstraint('clinician_a_id <> clinician_b_id', name=op.f('ck_relationships_distinct_clinicians')),
    sa.ForeignKeyConstraint(['clinician_a_id'], ['clinicians.id'], name=op.f('fk_relationships_clinician_a_id_clinicians')),
    sa.ForeignKeyConstraint(['clinician_b_id'], ['clinicians.id'], name=op.f('fk_relationships_clinician_b_id_clinicians')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_relationships')),
    sa.UniqueConstraint('clinician_a_id', 'clinician_b_id', 'kind', 'start', name=op.f('uq_relationships_clinician_a_id_clinician_b_id_kind_start'))
    )
    with op.batch_alter_table('relationships', schema=None) as batch_op:
        batch_op.create_index('ix_relationships_b', ['clinician_b_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_relationships_clinician_a_id'), ['clinician_a_id'], unique=False)

    op.create_table('specialist_subspecialties',
    sa.Column('specialist_id', sa.Integer(), nullable=False),
    sa.Column('subspecialty_id', sa.Integer(), nullable=False),
    sa.Column('annual_volume', sa.Integer(), nullable=False),
    sa.CheckConstraint('annual_volume >= 0', name=op.f('ck_specialist_subspecialties_volume_positive')),
    sa.ForeignKeyConstraint(['specialist_id'], ['clinicians.id'], name=op.f('fk_specialist_subspecialties_specialist_id_clinicians')),
    sa.ForeignKeyConstraint(['subspecialty_id'], ['subspecialties.id'], name=op.f('fk_specialist_subspecialties_subspecialty_id_subspecialties')),
    sa.PrimaryKeyConstraint('specialist_id', 'subspecialty_id', name=op.f('pk_specialist_subspecialties'))
    )
    with op.batch_alter_table('specialist_subspecialties', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_specialist_subspecialties_subspecialty_id'), ['subspecialty_id'], unique=False)

    op.create_table('users',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('role', sa.String(length=20), nullable=False),
    sa.Column('password_hash', sa.String(length=255), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('timezone', sa.String(length=64), nullable=False),
    sa.Column('clinician_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('password_changed_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("role IN ('coordinator', 'specialist', 'admin')", name=op.f('ck_users_role_allowed')),
    sa.ForeignKeyConstraint(['clinician_id'], ['clinicians.id'], name=op.f('fk_users_clinician_id_clinicians')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_users')),
    sa.UniqueConstraint('clinician_id', name=op.f('uq_users_clinician_id')),
    sa.UniqueConstraint('email', name=op.f('uq_users_email'))
    )
    op.create_table('api_tokens',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('prefix', sa.String(length=12), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_used_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_api_tokens_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_api_tokens')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_api_tokens_token_hash'))
    )
    with op.batch_alter_table('api_tokens', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_api_tokens_user_id'), ['user_id'], unique=False)

    op.create_table('audit_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('action', sa.String(length=20), nullable=False),
    sa.Column('entity', sa.String(length=40), nullable=False),
    sa.Column('entity_id', sa.String(length=64), nullable=True),
    sa.Column('ip', sa.String(length=45), nullable=True),
    sa.Column('detail', sa.String(length=200), nullable=True),
    sa.CheckConstraint("action IN ('view', 'create', 'update', 'delete', 'export', 'login', 'logout', 'login_failed', 'denied')", name=op.f('ck_audit_events_action_allowed')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_audit_events_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_events'))
    )
    with op.batch_alter_table('audit_events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_audit_events_at'), ['at'], unique=False)
        batch_op.create_index('ix_audit_events_entity', ['entity', 'entity_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_audit_events_user_id'), ['user_id'], unique=False)

    op.create_table('cases',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('reference', sa.String(length=16), nullable=False),
    sa.Column('patient_id', sa.Integer(), nullable=False),
    sa.Column('channel', sa.String(length=20), nullable=False),
    sa.Column('diagnosis_text', sa.Text(), nullable=False),
    sa.Column('icd10_code', sa.String(length=10), nullable=True),
    sa.Column('treatment_text', sa.Text(), nullable=False),
    sa.Column('treatment_invasive', sa.Boolean(), nullable=False),
    sa.Column('urgency', sa.String(length=10), nullable=False),
    sa.Column('consent_to_contact_first_doctor', sa.Boolean(), nullable=False),
    sa.Column('self_pay', sa.Boolean(), nullable=False),
    sa.Column('payer', sa.String(length=120), nullable=True),
    sa.Column('plan_name', sa.String(length=120), nullable=True),
    sa.Column('member_id', sa.String(length=60), nullable=True),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('status_changed_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.CheckConstraint("channel IN ('self', 'physician', 'staff', 'api')", name=op.f('ck_cases_channel_allowed')),
    sa.CheckConstraint("status IN ('records_pending', 'ready_to_match', 'matched', 'scheduled', 'consulted', 'opinion_recorded', 'closed', 'withdrawn', 'cancelled')", name=op.f('ck_cases_status_allowed')),
    sa.CheckConstraint("urgency IN ('urgent', 'soon', 'routine')", name=op.f('ck_cases_urgency_allowed')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_cases_created_by_id_users')),
    sa.ForeignKeyConstraint(['patient_id'], ['patients.id'], name=op.f('fk_cases_patient_id_patients')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_cases')),
    sa.UniqueConstraint('reference', name=op.f('uq_cases_reference'))
    )
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.create_index('ix_cases_stage_oldest', ['status', sa.literal_column('urgency DESC'), 'created_at', 'id'], unique=False)
        batch_op.create_index('ix_cases_stage_newest', ['status', 'urgency', 'created_at', 'id'], unique=False)
        batch_op.create_index(batch_op.f('ix_cases_patient_id'), ['patient_id'], unique=False)
        batch_op.create_index('ix_cases_oldest', [sa.literal_column('urgency DESC'), 'created_at', 'id'], unique=False)
        batch_op.create_index('ix_cases_newest', ['urgency', 'created_at', 'id'], unique=False)

    op.create_table('user_sessions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_seen_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('ended_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('ip', sa.String(length=45), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_user_sessions_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_user_sessions')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_user_sessions_token_hash'))
    )
    with op.batch_alter_table('user_sessions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_user_sessions_user_id'), ['user_id'], unique=False)

    op.create_table('assignments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('specialist_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('decline_reason', sa.String(length=500), nullable=True),
    sa.Column('conflict_declared', sa.Boolean(), nullable=False),
    sa.Column('proposed_by_id', sa.Integer(), nullable=True),
    sa.Column('proposed_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('responded_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint("status IN ('proposed', 'accepted', 'declined', 'withdrawn')", name=op.f('ck_assignments_status_allowed')),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_assignments_case_id_cases')),
    sa.ForeignKeyConstraint(['proposed_by_id'], ['users.id'], name=op.f('fk_assignments_proposed_by_id_users')),
    sa.ForeignKeyConstraint(['specialist_id'], ['clinicians.id'], name=op.f('fk_assignments_specialist_id_clinicians')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_assignments'))
    )
    with op.batch_alter_table('assignments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_assignments_case_id'), ['case_id'], unique=False)
        batch_op.create_index('ix_assignments_specialist', ['specialist_id', 'status'], unique=False)
        batch_op.create_index('uq_assignments_live_case', ['case_id'], unique=True, sqlite_where=sa.text("status IN ('proposed', 'accepted')"), postgresql_where=sa.text("status IN ('proposed', 'accepted')"))

    op.create_table('case_clinicians',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('role', sa.String(length=20), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('npi', sa.String(length=10), nullable=True),
    sa.Column('organization', sa.String(length=200), nullable=True),
    sa.Column('clinician_id', sa.Integer(), nullable=True),
    sa.CheckConstraint("role IN ('referring', 'first_opinion')", name=op.f('ck_case_clinicians_role_allowed')),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_case_clinicians_case_id_cases'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['clinician_id'], ['clinicians.id'], name=op.f('fk_case_clinicians_clinician_id_clinicians')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_case_clinicians')),
    sa.UniqueConstraint('case_id', 'role', name=op.f('uq_case_clinicians_case_id_role'))
    )
    with op.batch_alter_table('case_clinicians', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_case_clinicians_case_id'), ['case_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_case_clinicians_clinician_id'), ['clinician_id'], unique=False)

    op.create_table('case_questions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('category', sa.String(length=20), nullable=False),
    sa.Column('text', sa.String(length=500), nullable=False),
    sa.Column('answer', sa.Text(), nullable=True),
    sa.CheckConstraint("category IN ('diagnosis', 'treatment', 'alternatives', 'experience', 'prognosis', 'urgency', 'other')", name=op.f('ck_case_questions_category_allowed')),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_case_questions_case_id_cases'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_case_questions')),
    sa.UniqueConstraint('case_id', 'position', name=op.f('uq_case_questions_case_id_position'))
    )
    with op.batch_alter_table('case_questions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_case_questions_case_id'), ['case_id'], unique=False)

    op.create_table('case_reasons',
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('reason', sa.String(length=40), nullable=False),
    sa.CheckConstraint("reason IN ('serious_or_uncertain_diagnosis', 'invasive_treatment', 'persistent_symptoms', 'rare_condition', 'lack_of_clarity', 'conflicting_opinions')", name=op.f('ck_case_reasons_reason_allowed')),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_case_reasons_case_id_cases'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('case_id', 'reason', name=op.f('pk_case_reasons'))
    )
    with op.batch_alter_table('case_reasons', schema=None) as batch_op:
        batch_op.create_index('ix_case_reasons_reason', ['reason', 'case_id'], unique=False)

    op.create_table('outbox_messages',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('recipient', sa.String(length=254), nullable=False),
    sa.Column('subject', sa.String(length=200), nullable=False),
    sa.Column('text_body', sa.Text(), nullable=False),
    sa.Column('html_body', sa.Text(), nullable=True),
    sa.Column('ics', sa.Text(), nullable=True),
    sa.Column('ics_method', sa.String(length=20), nullable=True),
    sa.Column('case_id', sa.Integer(), nullable=True),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('next_attempt_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('claimed_until', sa.DateTime(timezone=True), nullable=True),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('last_error', sa.String(length=500), nullable=True),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('message_id', sa.String(length=200), nullable=False),
    sa.CheckConstraint("status IN ('pending', 'sent', 'failed')", name=op.f('ck_outbox_messages_status_allowed')),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_outbox_messages_case_id_cases')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_outbox_messages')),
    sa.UniqueConstraint('message_id', name=op.f('uq_outbox_messages_message_id'))
    )
    with op.batch_alter_table('outbox_messages', schema=None) as batch_op:
        batch_op.create_index('ix_outbox_due', ['status', 'next_attempt_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_outbox_messages_case_id'), ['case_id'], unique=False)

    op.create_table('timeline_entries',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('from_status', sa.String(length=20), nullable=True),
    sa.Column('to_status', sa.String(length=20), nullable=True),
    sa.Column('note', sa.String(length=1000), nullable=True),
    sa.ForeignKeyConstraint(['actor_id'], ['users.id'], name=op.f('fk_timeline_entries_actor_id_users')),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_timeline_entries_case_id_cases'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_timeline_entries'))
    )
    with op.batch_alter_table('timeline_entries', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_timeline_entries_case_id'), ['case_id'], unique=False)

    _protect_audit_log()


def downgrade():
    _unprotect_audit_log()
    with op.batch_alter_table('timeline_entries', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_timeline_entries_case_id'))

    op.drop_table('timeline_entries')
    with op.batch_alter_table('outbox_messages', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_outbox_messages_case_id'))
        batch_op.drop_index('ix_outbox_due')

    op.drop_table('outbox_messages')
    with op.batch_alter_table('case_reasons', schema=None) as batch_op:
        batch_op.drop_index('ix_case_reasons_reason')

    op.drop_table('case_reasons')
    with op.batch_alter_table('case_questions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_case_questions_case_id'))

    op.drop_table('case_questions')
    with op.batch_alter_table('case_clinicians', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_case_clinicians_clinician_id'))
        batch_op.drop_index(batch_op.f('ix_case_clinicians_case_id'))

    op.drop_table('case_clinicians')
    with op.batch_alter_table('assignments', schema=None) as batch_op:
        batch_op.drop_index('uq_assignments_live_case', sqlite_where=sa.text("status IN ('proposed', 'accepted')"), postgresql_where=sa.text("status IN ('proposed', 'accepted')"))
        batch_op.drop_index('ix_assignments_specialist')
        batch_op.drop_index(batch_op.f('ix_assignments_case_id'))

    op.drop_table('assignments')
    with op.batch_alter_table('user_sessions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_user_sessions_user_id'))

    op.drop_table('user_sessions')
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.drop_index('ix_cases_oldest')
        batch_op.drop_index('ix_cases_newest')
        batch_op.drop_index(batch_op.f('ix_cases_patient_id'))
        batch_op.drop_index('ix_cases_stage_oldest')
        batch_op.drop_index('ix_cases_stage_newest')

    op.drop_table('cases')
    with op.batch_alter_table('audit_events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_audit_events_user_id'))
        batch_op.drop_index('ix_audit_events_entity')
        batch_op.drop_index(batch_op.f('ix_audit_events_at'))

    op.drop_table('audit_events')
    with op.batch_alter_table('api_tokens', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_api_tokens_user_id'))

    op.drop_table('api_tokens')
    op.drop_table('users')
    with op.batch_alter_table('specialist_subspecialties', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_specialist_subspecialties_subspecialty_id'))

    op.drop_table('specialist_subspecialties')
    with op.batch_alter_table('relationships', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_relationships_clinician_a_id'))
        batch_op.drop_index('ix_relationships_b')

    op.drop_table('relationships')
    with op.batch_alter_table('network_memberships', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_network_memberships_specialist_id'))
        batch_op.drop_index('ix_network_memberships_plan')

    op.drop_table('network_memberships')
    with op.batch_alter_table('affiliations', schema=None) as batch_op:
        batch_op.drop_index('ix_affiliations_organization')
        batch_op.drop_index(batch_op.f('ix_affiliations_clinician_id'))

    op.drop_table('affiliations')
    op.drop_table('subspecialties')
    op.drop_table('plans')
    op.drop_table('patients')
    op.drop_table('organizations')
    with op.batch_alter_table('clinicians', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_clinicians_kind'))
        batch_op.drop_index(batch_op.f('ix_clinicians_active'))

    op.drop_table('clinicians')
