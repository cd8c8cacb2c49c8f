"""The workflow table: allowed moves, guards added by later stages, automatic moves."""
import pytest

from clinic.audit import AuditEvent
from clinic.cases import workflow
from clinic.wiring import wiring


@pytest.fixture
def registered_guard(app, monkeypatch):
    """Install a temporary guard on this app; the app's own comes back after the test."""
    def install(source, target, fn):
        monkeypatch.setitem(wiring(app).guards, (source, target), fn)

    return install


def test_new_case_starts_in_records_pending_with_its_first_timeline_line(new_case):
    case = new_case()
    assert case.status == "records_pending"
    assert case.timeline[0].to_status == "records_pending"


def test_a_move_outside_the_table_is_refused_with_a_sentence(new_case):
    case = new_case()
    with pytest.raises(workflow.WorkflowError, match="cannot become closed"):
        workflow.transition(None, case, "closed")


def test_ending_a_case_needs_a_reason(new_case):
    case = new_case()
    with pytest.raises(workflow.WorkflowError, match="Give a reason"):
        workflow.transition(None, case, "withdrawn", "  ")


def test_an_automatic_move_without_its_guard_waits_for_the_stage_that_owns_it(app, new_case, monkeypatch):
    case = new_case()
    monkeypatch.delitem(wiring(app).guards, ("records_pending", "ready_to_match"), raising=False)
    assert workflow.waiting_for(case) == ["Records and coverage to be verified"]
    assert workflow.advance(None, case) == []
    assert case.status == "records_pending"


def test_advance_takes_every_automatic_move_whose_guard_is_met(new_case, registered_guard, session, users):
    case = new_case()
    registered_guard("records_pending", "ready_to_match", lambda c: [])
    registered_guard("ready_to_match", "matched", lambda c: ["A specialist to accept the case"])
    assert workflow.advance(users["coordinator"], case) == ["ready_to_match"]
    assert case.status == "ready_to_match"
    assert workflow.waiting_for(case) == ["A specialist to accept the case"]
    session.flush()
    moves = [(t.from_status, t.to_status) for t in case.timeline if t.kind == "status"]
    assert moves[-1] == ("records_pending", "ready_to_match")
    audit_rows = session.query(AuditEvent).filter_by(entity="case", entity_id=str(case.id), action="update").all()
    assert any("records_pending -> ready_to_match" in (row.detail or "") for row in audit_rows)


def test_a_guard_blocks_a_manual_move_with_what_is_missing(new_case, registered_guard):
    case = new_case()
    registered_guard("records_pending", "ready_to_match", lambda c: ["Imaging report: missing"])
    with pytest.raises(workflow.WorkflowError, match="Imaging report: missing"):
        workflow.transition(None, case, "ready_to_match")
    assert case.status == "records_pending"


def test_ended_cases_wait_for_nothing(new_case):
    case = new_case()
    workflow.transition(None, case, "cancelled", "Duplicate request")
    assert workflow.waiting_for(case) == []
    assert not case.is_open


def test_every_status_except_ended_ones_can_be_withdrawn_and_cancelled():
    for status in workflow.OPEN_STATUSES:
        assert (status, "withdrawn") in workflow.TRANSITIONS
        assert (status, "cancelled") in workflow.TRANSITIONS
    for status in workflow.ENDED_STATUSES:
        assert not any(source == status for source, _ in workflow.TRANSITIONS)
