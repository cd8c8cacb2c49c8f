"""Records fixtures: a case with its checklist, and a helper taking items through to verified."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import sqlalchemy as sa

from clinic.records.models import Document
from clinic.records.services import verify_record
from tests import factories


@pytest.fixture
def coordinator(users):
    return users["coordinator"]


@pytest.fixture
def case(new_case, coordinator):
    return new_case(coordinator)


@pytest.fixture
def settle_records(coordinator):
    """settle_records(case, keep=()) attaches a document to every item and verifies it, except `keep` kinds."""
    def run(case, keep=()):
        for item in list(case.record_items):
            if item.kind not in keep and item.status not in ("verified", "not_applicable"):
                factories.attach(coordinator, item)
                verify_record(coordinator, item)
    return run


@pytest.fixture
def stored(app, session):
    """stored() -> (files under UPLOAD_FOLDER, Document rows): what an upload left behind.

    The folder is emptied first: earlier tests' rows were rolled back, their files not."""
    folder = Path(app.config["UPLOAD_FOLDER"])
    shutil.rmtree(folder, ignore_errors=True)

    def count():
        files = [p for p in folder.rglob("*") if p.is_file()] if folder.exists() else []
        return len(files), session.scalar(sa.select(sa.func.count()).select_from(Document))
    return count
