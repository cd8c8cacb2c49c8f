"""records and coverage: record_items, documents, upload_links, coverage_checks

Revision ID: 0002_records
Revises: 0001_foundation
Create Date: 2026-11-25 07:44:33.512628

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0002_records'
down_revision = '0001_foundation'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('coverage_checks',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('plan_id', sa.Integer(), nullable=True),
    sa.Column('payer', sa.String(length=120), nullable=True),
    sa.Column('plan_name', sa.String(length=120), nullable=True),
    sa.Column('member_id', sa.String(length=60), nullable=True),
    sa.Column('result', sa.String(length=30), nullable=False),
    sa.Column('prior_auth_required', sa.Boolean(), nullable=False),
    sa.Column('auth_number', sa.String(length=60), nullable=True),
    sa.Column('method', sa.String(length=20), nullable=True),
    sa.Column('notes', sa.String(length=1000), nullable=True),
    sa.Column('patient_agreed_out_of_network', sa.Boolean(), nullable=False),
    sa.Column('checked_by_id', sa.Integer(), nullable=True),
    sa.Column('checked_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("method IN ('portal', 'phone', 'electronic')", name=op.f('ck_coverage_checks_method_allowed')),
    sa.CheckConstraint("result IN ('verified_in_network', 'verified_out_of_network', 'not_covered', 'self_pay')", name=op.f('ck_coverage_checks_result_allowed')),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_coverage_checks_case_id_cases'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['checked_by_id'], ['users.id'], name=op.f('fk_coverage_checks_checked_by_id_users')),
    sa.ForeignKeyConstraint(['plan_id'], ['plans.id'], name=op.f('fk_coverage_checks_plan_id_plans')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_coverage_checks'))
    )
    with op.batch_alter_table('coverage_checks', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_coverage_checks_case_id'), ['case_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_coverage_checks_plan_id'), ['plan_id'], unique=False)

    op.create_table('record_items',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('label', sa.String(length=120), nullable=True),
    sa.Column('required', sa.Boolean(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('source', sa.String(length=20), nullable=True),
    sa.Column('requested_from_kind', sa.String(length=10), nullable=True),
    sa.Column('requested_from', sa.String(length=200), nullable=True),
    sa.Column('request_method', sa.String(length=20), nullable=True),
    sa.Column('requested_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('due_on', sa.Date(), nullable=True),
    sa.Column('follow_ups', sa.Integer(), nullable=False),
    sa.Column('last_follow_up_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('received_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('verified_by_id', sa.Integer(), nullable=True),
    sa.Column('verified_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('rejection_reason', sa.String(length=500), nullable=True),
    sa.Column('not_applicable_reason', sa.String(length=500), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("kind IN ('visit_summary', 'lab_result', 'medication_list', 'imaging', 'imaging_report', 'pathology', 'operative_note', 'other')", name=op.f('ck_record_items_kind_allowed')),
    sa.CheckConstraint("request_method IN ('upload_link', 'email', 'fax', 'phone', 'portal', 'mail')", name=op.f('ck_record_items_request_method_allowed')),
    sa.CheckConstraint("requested_from_kind IN ('patient', 'facility')", name=op.f('ck_record_items_requested_from_kind_allowed')),
    sa.CheckConstraint("source IN ('patient_portal', 'direct_request', 'mobile_app', 'patient_upload', 'referring_doctor')", name=op.f('ck_record_items_source_allowed')),
    sa.CheckConstraint("status <> 'not_applicable' OR not_applicable_reason IS NOT NULL", name=op.f('ck_record_items_not_applicable_has_reason')),
    sa.CheckConstraint("status <> 'rejected' OR rejection_reason IS NOT NULL", name=op.f('ck_record_items_rejected_has_reason')),
    sa.CheckConstraint("status IN ('missing', 'requested', 'received', 'verified', 'rejected', 'not_applicable')", name=op.f('ck_record_items_status_allowed')),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_record_items_case_id_cases'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['verified_by_id'], ['users.id'], name=op.f('fk_record_items_verified_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_record_items'))
    )
    with op.batch_alter_table('record_items', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_record_items_case_id'), ['case_id'], unique=False)
        batch_op.create_index('ix_record_items_overdue', ['status', 'due_on', 'case_id'], unique=False)

    op.create_table('upload_links',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('last_used_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_upload_links_case_id_cases'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_upload_links_created_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_upload_links')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_upload_links_token_hash'))
    )
    with op.batch_alter_table('upload_links', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_upload_links_case_id'), ['case_id'], unique=False)

    op.create_table('documents',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('record_item_id', sa.Integer(), nullable=False),
    sa.Column('storage_key', sa.String(length=64), nullable=False),
    sa.Column('original_name', sa.String(length=200), nullable=False),
    sa.Column('content_type', sa.String(length=60), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('uploaded_via', sa.String(length=20), nullable=False),
    sa.Column('uploaded_by_id', sa.Integer(), nullable=True),
    sa.Column('uploaded_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("uploaded_via IN ('coordinator', 'patient_link', 'api')", name=op.f('ck_documents_uploaded_via_allowed')),
    sa.CheckConstraint('size > 0', name=op.f('ck_documents_not_empty')),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_documents_case_id_cases'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['record_item_id'], ['record_items.id'], name=op.f('fk_documents_record_item_id_record_items'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['uploaded_by_id'], ['users.id'], name=op.f('fk_documents_uploaded_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_documents')),
    sa.UniqueConstraint('case_id', 'sha256', name=op.f('uq_documents_case_id_sha256')),
    sa.UniqueConstraint('storage_key', name=op.f('uq_documents_storage_key'))
    )
    with op.batch_alter_table('documents', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_documents_case_id'), ['case_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_documents_record_item_id'), ['record_item_id'], unique=False)


def downgrade():
    with op.batch_alter_table('documents', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_documents_record_item_id'))
        batch_op.drop_index(batch_op.f('ix_documents_case_id'))

    op.drop_table('documents')
    with op.batch_alter_table('upload_links', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_upload_links_case_id'))

    op.drop_table('upload_links')
    with op.batch_alter_table('record_items', schema=None) as batch_op:
        batch_op.drop_index('ix_record_items_overdue')
        batch_op.drop_index(batch_op.f('ix_record_items_case_id'))

    op.drop_table('record_items')
    with op.batch_alter_table('coverage_checks', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_coverage_checks_plan_id'))
        batch_op.drop_index(batch_op.f('ix_coverage_checks_case_id'))

    op.drop_table('coverage_checks')
