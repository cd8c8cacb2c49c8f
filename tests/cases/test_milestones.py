"""The first time each case reached each status, kept by the workflow for the outcomes dashboard."""
from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from clinic.cases import milestones
from clinic.cases.models import CaseMilestones, TimelineEntry
from clinic.database import day_number
from tests import factories


def kept(session, case) -> CaseMilestones:
    session.expire_all()
    return session.get(CaseMilestones, case.id)


def test_the_workflow_notes_the_moment_of_every_status_the_case_enters(new_case, users, session):
    case = new_case()
    factories.open_gate(users["coordinator"], case)
    lines = {t.to_status: t.at for t in case.timeline if t.kind == "status"}
    row = kept(session, case)
    assert row.reached_records_pending == pytest.approx(milestones.day_of(lines["records_pending"]), abs=1e-8)
    assert row.reached_ready_to_match == pytest.approx(milestones.day_of(lines["ready_to_match"]), abs=1e-8)
    assert row.reached_matched is None and row.reached_closed is None


def test_reaching_a_status_again_keeps_the_first_time(new_case, session):
    case = new_case()
    first = kept(session, case).reached_records_pending
    milestones.reached(case.id, "records_pending", case.created_at + timedelta(days=3))
    milestones.reached(case.id, "withdrawn", case.created_at)  # an ending is not a milestone
    assert kept(session, case).reached_records_pending == first


def test_rebuilding_reads_the_re_dated_timeline_again(new_case, session):
    case, other = new_case(), new_case()
    untouched = kept(session, other).reached_records_pending
    case.timeline[0].at -= timedelta(days=10)
    milestones.rebuild([case.id])
    assert kept(session, case).reached_records_pending == pytest.approx(
        milestones.day_of(case.timeline[0].at), abs=1e-8)
    assert kept(session, other).reached_records_pending == untouched


def test_the_database_day_number_agrees_with_the_one_written_by_the_workflow(new_case, session):
    case = new_case()
    in_sql = session.scalar(sa.select(day_number(TimelineEntry.at)).where(TimelineEntry.case_id == case.id))
    assert in_sql == pytest.approx(milestones.day_of(case.timeline[0].at), abs=1e-6)
