"""review and outcomes: opinions, answers, addenda, decisions, report links

A signed opinion is immutable in the database too: triggers refuse the UPDATE or
DELETE of an opinion once signed_at is set, any INSERT, UPDATE or DELETE of the
answers of a signed opinion, and any UPDATE or DELETE of an addendum (append-only,
as the audit log). Signing itself is the last change of the row (signed_at from NULL).

Revision ID: 0005_review
Revises: 0004_scheduling
Create Date: 2026-11-25 08:09:32.542006

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0005_review'
down_revision = '0004_scheduling'
branch_labels = None
depends_on = None

SIGNED_MESSAGE = "a signed opinion cannot be changed"
SQLITE_TRIGGERS = {
    "opinions_signed_no_update": "BEFORE UPDATE ON opinions WHEN OLD.signed_at IS NOT NULL",
    "opinions_signed_no_delete": "BEFORE DELETE ON opinions WHEN OLD.signed_at IS NOT NULL",
    "opinion_answers_signed_no_insert": "BEFORE INSERT ON opinion_answers WHEN "
                                        "(SELECT signed_at FROM opinions WHERE id = NEW.opinion_id) IS NOT NULL",
    "opinion_answers_signed_no_update": "BEFORE UPDATE ON opinion_answers WHEN "
                                        "(SELECT signed_at FROM opinions WHERE id = OLD.opinion_id) IS NOT NULL",
    "opinion_answers_signed_no_delete": "BEFORE DELETE ON opinion_answers WHEN "
                                        "(SELECT signed_at FROM opinions WHERE id = OLD.opinion_id) IS NOT NULL",
    "opinion_addenda_no_update": "BEFORE UPDATE ON opinion_addenda",
    "opinion_addenda_no_delete": "BEFORE DELETE ON opinion_addenda",
}
PG_FUNCTION = """
CREATE OR REPLACE FUNCTION opinions_signed_immutable() RETURNS trigger AS $$
DECLARE
  parent integer;
BEGIN
  IF TG_TABLE_NAME = 'opinion_addenda' THEN
    RAISE EXCEPTION '%s';
  ELSIF TG_TABLE_NAME = 'opinions' THEN
    IF OLD.signed_at IS NOT NULL THEN RAISE EXCEPTION '%s'; END IF;
  ELSE
    IF TG_OP = 'INSERT' THEN parent := NEW.opinion_id; ELSE parent := OLD.opinion_id; END IF;
    IF (SELECT signed_at FROM opinions WHERE id = parent) IS NOT NULL THEN RAISE EXCEPTION '%s'; END IF;
    IF TG_OP = 'UPDATE' AND NEW.opinion_id <> OLD.opinion_id
       AND (SELECT signed_at FROM opinions WHERE id = NEW.opinion_id) IS NOT NULL THEN
      RAISE EXCEPTION '%s';
    END IF;
  END IF;
  IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
  RETURN NEW;
END $$ LANGUAGE plpgsql
""" % ((SIGNED_MESSAGE,) * 4)
PG_TRIGGERS = {
    "opinions_signed_immutable": "BEFORE UPDATE OR DELETE ON opinions",
    "opinion_answers_signed_immutable": "BEFORE INSERT OR UPDATE OR DELETE ON opinion_answers",
    "opinion_addenda_append_only": "BEFORE UPDATE OR DELETE ON opinion_addenda",
}


def _protect_signed_opinions():
    if op.get_bind().dialect.name == "postgresql":
        op.execute(PG_FUNCTION)
        for name, when in PG_TRIGGERS.items():
            op.execute(f"CREATE TRIGGER {name} {when} FOR EACH ROW EXECUTE FUNCTION opinions_signed_immutable()")
    else:
        for name, when in SQLITE_TRIGGERS.items():
            op.execute(f"CREATE TRIGGER {name} {when} BEGIN SELECT RAISE(ABORT, '{SIGNED_MESSAGE}'); END")


def _unprotect_signed_opinions():
    if op.get_bind().dialect.name == "postgresql":
        for name, when in PG_TRIGGERS.items():
            table = when.rsplit(" ", 1)[1]
            op.execute(f"DROP TRIGGER IF EXISTS {name} ON {table}")
        op.execute("DROP FUNCTION IF EXISTS opinions_signed_immutable()")
    else:
        for name in SQLITE_TRIGGERS:
            op.execute(f"DROP TRIGGER IF EXISTS {name}")


def upgrade():
    op.create_table('decisions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('choice', sa.String(length=20), nullable=False),
    sa.Column('note', sa.String(length=1000), nullable=True),
    sa.Column('recorded_by_id', sa.Integer(), nullable=True),
    sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("choice IN ('follow_first', 'follow_second', 'seek_third', 'undecided')", name=op.f('ck_decisions_choice_allowed')),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_decisions_case_id_cases')),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['users.id'], name=op.f('fk_decisions_recorded_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_decisions')),
    sa.UniqueConstraint('case_id', name=op.f('uq_decisions_case_id'))
    )
    op.create_table('report_links',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('recipient', sa.String(length=254), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_opened_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_report_links_case_id_cases')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_report_links_created_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_report_links')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_report_links_token_hash'))
    )
    with op.batch_alter_table('report_links', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_report_links_case_id'), ['case_id'], unique=False)

    op.create_table('opinions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('assignment_id', sa.Integer(), nullable=False),
    sa.Column('specialist_id', sa.Integer(), nullable=False),
    sa.Column('diagnosis_text', sa.Text(), nullable=False),
    sa.Column('icd10_code', sa.String(length=10), nullable=True),
    sa.Column('diagnosis_comparison', sa.String(length=10), nullable=True),
    sa.Column('treatment_comparison', sa.String(length=10), nullable=True),
    sa.Column('less_invasive', sa.Boolean(), nullable=True),
    sa.Column('less_invasive_option', sa.Text(), nullable=False),
    sa.Column('if_patient_waits', sa.Text(), nullable=False),
    sa.Column('recommendation', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('signed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('signed_by_id', sa.Integer(), nullable=True),
    sa.CheckConstraint("diagnosis_comparison IN ('confirmed', 'refined', 'changed')", name=op.f('ck_opinions_diagnosis_comparison_allowed')),
    sa.CheckConstraint("treatment_comparison IN ('same', 'modified', 'changed')", name=op.f('ck_opinions_treatment_comparison_allowed')),
    sa.ForeignKeyConstraint(['assignment_id'], ['assignments.id'], name=op.f('fk_opinions_assignment_id_assignments')),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_opinions_case_id_cases')),
    sa.ForeignKeyConstraint(['signed_by_id'], ['users.id'], name=op.f('fk_opinions_signed_by_id_users')),
    sa.ForeignKeyConstraint(['specialist_id'], ['clinicians.id'], name=op.f('fk_opinions_specialist_id_clinicians')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_opinions')),
    sa.UniqueConstraint('assignment_id', name=op.f('uq_opinions_assignment_id'))
    )
    with op.batch_alter_table('opinions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_opinions_case_id'), ['case_id'], unique=False)
        batch_op.create_index('ix_opinions_signed_at', ['signed_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_opinions_specialist_id'), ['specialist_id'], unique=False)
        batch_op.create_index('uq_opinions_signed_case', ['case_id'], unique=True, sqlite_where=sa.text('signed_at IS NOT NULL'), postgresql_where=sa.text('signed_at IS NOT NULL'))

    op.create_table('opinion_addenda',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('opinion_id', sa.Integer(), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('signed_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('signed_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['opinion_id'], ['opinions.id'], name=op.f('fk_opinion_addenda_opinion_id_opinions')),
    sa.ForeignKeyConstraint(['signed_by_id'], ['users.id'], name=op.f('fk_opinion_addenda_signed_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_opinion_addenda'))
    )
    with op.batch_alter_table('opinion_addenda', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_opinion_addenda_opinion_id'), ['opinion_id'], unique=False)

    op.create_table('opinion_answers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('opinion_id', sa.Integer(), nullable=False),
    sa.Column('question_id', sa.Integer(), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['opinion_id'], ['opinions.id'], name=op.f('fk_opinion_answers_opinion_id_opinions')),
    sa.ForeignKeyConstraint(['question_id'], ['case_questions.id'], name=op.f('fk_opinion_answers_question_id_case_questions')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_opinion_answers')),
    sa.UniqueConstraint('opinion_id', 'question_id', name=op.f('uq_opinion_answers_opinion_id_question_id'))
    )
    with op.batch_alter_table('opinion_answers', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_opinion_answers_opinion_id'), ['opinion_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_opinion_answers_question_id'), ['question_id'], unique=False)

    _protect_signed_opinions()



def downgrade():
    _unprotect_signed_opinions()
    with op.batch_alter_table('opinion_answers', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_opinion_answers_question_id'))
        batch_op.drop_index(batch_op.f('ix_opinion_answers_opinion_id'))

    op.drop_table('opinion_answers')
    with op.batch_alter_table('opinion_addenda', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_opinion_addenda_opinion_id'))

    op.drop_table('opinion_addenda')
    with op.batch_alter_table('opinions', schema=None) as batch_op:
        batch_op.drop_index('uq_opinions_signed_case', sqlite_where=sa.text('signed_at IS NOT NULL'), postgresql_where=sa.text('signed_at IS NOT NULL'))
        batch_op.drop_index(batch_op.f('ix_opinions_specialist_id'))
        batch_op.drop_index('ix_opinions_signed_at')
        batch_op.drop_index(batch_op.f('ix_opinions_case_id'))

    op.drop_table('opinions')
    with op.batch_alter_table('report_links', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_report_links_case_id'))

    op.drop_table('report_links')
    op.drop_table('decisions')
