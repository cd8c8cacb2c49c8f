"""rejected files: a rejection is kept on each file, and private links can be revoked

A rejected record used to keep its files unmarked: once a replacement was verified, the
rejected file was shown to the specialist as part of the verified record. Each file now
carries its own rejection (when, by whom, why), and upload and report links carry their
revocation (a replaced link is revoked).

Existing databases are backfilled from the audit log: a file is rejected at the first
rejection of its record after it was uploaded, by whoever rejected it; the files of a
record that is rejected now are rejected whatever the log holds. The reason is the
record's own while it stays rejected; older reasons are on the case timeline.

Revision ID: 0009_rejected_files
Revises: 0008_outcome_index
Create Date: 2026-12-01 04:30:00

"""
from alembic import op
import sqlalchemy as sa

# revision identifiers, used by Alembic.
revision = '0009_rejected_files'
down_revision = '0008_outcome_index'
branch_labels = None
depends_on = None

# (table, the time column, the user column, an extra text column or None)
CHANGES = (('documents', 'rejected_at', 'rejected_by_id', 'rejection_reason'),
           ('upload_links', 'revoked_at', 'revoked_by_id', None),
           ('report_links', 'revoked_at', 'revoked_by_id', None))

EARLIER = 'Rejected before each file kept its own reason: see the case timeline.'
FIRST_REJECTION = """
  FROM audit_events a
 WHERE a.entity = 'record_item' AND a.action = 'update' AND a.detail = 'rejected'
   AND a.entity_id = CAST(documents.record_item_id AS VARCHAR(64))"""


# A batch: on SQLite a foreign key can only be added by copying the table (none of these has a trigger).
def upgrade():
    for table, at, by, text in CHANGES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column(at, sa.DateTime(timezone=True), nullable=True))
            batch_op.add_column(sa.Column(by, sa.Integer(), nullable=True))
            if text:
                batch_op.add_column(sa.Column(text, sa.String(length=500), nullable=True))
            batch_op.create_foreign_key(batch_op.f(f'fk_{table}_{by}_users'), 'users', [by], ['id'])
    _backfill()
    with op.batch_alter_table('documents', schema=None) as batch_op:
        batch_op.create_check_constraint(batch_op.f('ck_documents_rejected_has_reason'),
                                         'rejected_at IS NULL OR rejection_reason IS NOT NULL')


def _backfill():
    op.execute(f"UPDATE documents SET rejected_at = (SELECT MIN(a.at) {FIRST_REJECTION} "
               f"AND a.at >= documents.uploaded_at)")
    op.execute(f"UPDATE documents SET rejected_by_id = (SELECT MIN(a.user_id) {FIRST_REJECTION} "
               f"AND a.at = documents.rejected_at) WHERE rejected_at IS NOT NULL")
    op.execute("UPDATE documents SET rejected_at = uploaded_at WHERE rejected_at IS NULL "
               "AND record_item_id IN (SELECT id FROM record_items WHERE status = 'rejected')")
    op.execute(sa.text("UPDATE documents SET rejection_reason = COALESCE((SELECT r.rejection_reason FROM record_items r "
                       "WHERE r.id = documents.record_item_id AND r.status = 'rejected'), :earlier) "
                       "WHERE rejected_at IS NOT NULL").bindparams(earlier=EARLIER))


def downgrade():
    with op.batch_alter_table('documents', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_documents_rejected_has_reason'), type_='check')
    for table, at, by, text in reversed(CHANGES):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_constraint(batch_op.f(f'fk_{table}_{by}_users'), type_='foreignkey')
            if text:
                batch_op.drop_column(text)
            batch_op.drop_column(by)
            batch_op.drop_column(at)
