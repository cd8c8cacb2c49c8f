"""The schema exists only through migrations: one head, models and migrations agree, and
the chain downgrades to nothing and upgrades again."""
from __future__ import annotations


import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask_migrate import downgrade, upgrade

from clinic import MIGRATIONS
from clinic.extensions import db
from tests.conftest import make_app, scratch_postgres_url


def test_single_alembic_head():
    from alembic.config import Config

    config = Config(str(MIGRATIONS / "alembic.ini"))
    config.set_main_option("script_location", str(MIGRATIONS))
    assert len(ScriptDirectory.from_config(config).get_heads()) == 1


def test_upgraded_empty_database_matches_the_models(_app):
    """The session database was created from empty by `upgrade`; autogenerate finds nothing to add."""
    with _app.app_context(), db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, db.metadata)
    assert differences == []


@pytest.fixture
def scratch_url(backend, tmp_path, tmp_path_factory):
    """An empty database of this test's own (each xdist worker makes its own)."""
    if backend == "sqlite":
        yield "sqlite:///" + str(tmp_path / "scratch.db")
        return
    with scratch_postgres_url(tmp_path_factory, "mig", empty=True) as url:
        yield url


def test_migrations_downgrade_to_base_and_upgrade_again(scratch_url, tmp_path_factory):
    app = make_app(scratch_url, tmp_path_factory)
    with app.app_context():
        upgrade()
        downgrade(revision="base")
        assert set(sa.inspect(db.engine).get_table_names()) <= {"alembic_version"}
        upgrade()
        assert "cases" in sa.inspect(db.engine).get_table_names()
        db.engine.dispose()


def test_audit_rows_cannot_be_updated_or_deleted_even_in_sql(app, session):
    from clinic import audit

    row = audit.record(None, "view", "case", 1)
    session.flush()
    for statement in (sa.update(audit.AuditEvent).values(detail="changed"), sa.delete(audit.AuditEvent)):
        with pytest.raises(sa.exc.DatabaseError, match="append-only"):
            with session.begin_nested():
                session.execute(statement.where(audit.AuditEvent.id == row.id))


def test_rejected_files_are_backfilled_from_the_audit_log(scratch_url, tmp_path_factory):
    """0009: on a database that had rejections, the files a rejection covered are rejected (when and by
    whom from the audit log); a replacement uploaded after it, and a file of an unrejected record, are not."""
    from clinic.audit.models import AuditEvent
    from clinic.cases.services import submit_request
    from clinic.records import services
    from clinic.records.models import Document
    from tests import factories
    from tests.conftest import build_intake

    app = make_app(scratch_url, tmp_path_factory)
    with app.test_request_context():
        upgrade()
        coordinator = factories.UserFactory(role="coordinator")
        case = submit_request(coordinator, build_intake())
        replaced, still_rejected, fine = case.record_items[:3]
        first = factories.attach(coordinator, replaced)
        services.reject_record(coordinator, replaced, "Illegible")
        second = factories.attach(coordinator, replaced)
        services.verify_record(coordinator, replaced)
        third = factories.attach(coordinator, still_rejected)
        services.reject_record(coordinator, still_rejected, "Pages 2 and 3 are missing")
        fourth = factories.attach(coordinator, fine)
        ids, coordinator_id = [d.id for d in (first, second, third, fourth)], coordinator.id
        rejected_at = db.session.scalar(sa.select(AuditEvent.at).where(
            AuditEvent.entity == "record_item", AuditEvent.entity_id == str(replaced.id), AuditEvent.detail == "rejected"))
        db.session.commit()
        downgrade(revision="0008_outcome_index")
        db.session.remove()
        upgrade()
        first, second, third, fourth = (db.session.get(Document, i) for i in ids)
        assert (first.rejected_at, first.rejected_by_id) == (rejected_at, coordinator_id)
        assert first.rejection_reason.startswith("Rejected before each file kept its own reason")
        assert third.is_rejected and third.rejection_reason == "Pages 2 and 3 are missing"
        assert not second.is_rejected and not fourth.is_rejected
        db.session.remove()
        db.engine.dispose()
