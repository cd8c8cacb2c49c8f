"""Every page the benchmark measures costs the same number of queries whatever the number of rows.

A correctness property (no N+1: no query per case, specialist, record, appointment or
audit row), checked by counting the statements of one request on a small clinic and
again after it grew. Nothing here times anything: `clinic bench` measures time.
"""
from __future__ import annotations

import pytest

from clinic import audit
from tests import factories
from tests.bench.conftest import counts_before_and_after_growth

# On one xdist worker, so the clinic below is built once (per database).
pytestmark = pytest.mark.xdist_group("bench-clinic")


def _grew(counts, pages) -> dict:
    """The pages among `pages` whose statements changed as the clinic grew: name -> (before, after)."""
    return {name: counts[name] for name in pages if counts[name][0] != counts[name][1]}


QUEUE = {
    "first page": lambda c: "/cases?status=open",
    "one stage": lambda c: "/cases?status=scheduled",
    "filtered": lambda c: "/cases?status=all&urgency=routine&reason=invasive_treatment&age=3&sort=oldest",
    "records overdue": lambda c: "/cases?flag=records_overdue",
    "consult soon": lambda c: "/cases?flag=consult_soon",
    "opinion written": lambda c: "/cases?status=opinion_recorded",
    "second page": lambda c: "/cases?status=all&page=2",
}


def test_work_queue_queries_do_not_grow_with_cases_in_every_stage(counts):
    assert _grew(counts, QUEUE) == {}


CASE_PAGES = {
    stage: (lambda c, stage=stage: f"/cases/{c['cases'][stage][-1].id}")
    for stage in ("records_pending", "ready_to_match", "proposed", "matched", "scheduled", "consulted",
                  "opinion_recorded")
}


def test_case_page_queries_do_not_grow_with_the_panel_records_or_history(counts):
    """The ready-to-match case page ranks the whole panel: ten times the specialists, the same queries."""
    assert _grew(counts, CASE_PAGES) == {}


MATCHING_AND_SCHEDULING = {
    "shortlist": lambda c: f"/cases/{c['cases']['ready_to_match'][0].id}/matches",
    "slot picker": lambda c: f"/cases/{c['cases']['matched'][0].id}/booking",
    "appointment": lambda c: f"/appointments/{c['appointments'][0].id}",
}


@pytest.fixture(scope="module")
def counts(_app):
    """Every page above counted on a clinic with one case in every stage, and again once it grew tenfold
    (the clinic is built once for the module: tests/bench/conftest.py)."""
    return counts_before_and_after_growth(_app, QUEUE | CASE_PAGES | MATCHING_AND_SCHEDULING)


def test_shortlist_slot_picker_and_appointment_queries_do_not_grow(counts):
    assert _grew(counts, MATCHING_AND_SCHEDULING) == {}


def test_specialist_proposals_page_queries_do_not_grow_with_their_cases(users, client_as, count_queries, new_case):
    me = users["specialist"].clinician
    factories.open_every_day(me)
    specialist = client_as("specialist")

    def give(n):
        for _ in range(n):
            factories.accept(new_case(), me)

    give(1)
    small = count_queries(specialist, "/specialist/cases")
    give(10)
    assert count_queries(specialist, "/specialist/cases") == small


@pytest.mark.parametrize("section", ["clinicians", "organizations", "subspecialties", "plans"])
def test_directory_list_queries_do_not_grow_with_entries(section, client_as, count_queries, session):
    admin = client_as("admin")
    make = {"clinicians": factories.ClinicianFactory, "organizations": factories.OrganizationFactory,
            "subspecialties": factories.SubspecialtyFactory, "plans": factories.PlanFactory}[section]
    make()
    small = count_queries(admin, f"/directory/{section}")
    for _ in range(40):
        make()
    assert count_queries(admin, f"/directory/{section}") == small
    assert count_queries(admin, f"/directory/{section}?page=2") == small


def test_audit_log_queries_do_not_grow_with_events(client_as, count_queries, users, session):
    admin = client_as("admin")
    audit.record(users["coordinator"], "view", "case", 1)
    session.flush()
    small = count_queries(admin, "/admin/audit/")
    for i in range(120):
        audit.record(users[("coordinator", "admin", "specialist")[i % 3]], "view", "case", i)
    session.flush()
    assert count_queries(admin, "/admin/audit/") == small
    assert count_queries(admin, "/admin/audit/?entity=case&entity_id=7") == small


def test_status_page_queries_do_not_grow_with_the_case_history(client, matched_case, next_slot, users, count_queries):
    """The patient's page: moves, messages and records sent add rows, not statements."""
    from clinic.patients import services as patients
    from clinic.scheduling import services as scheduling

    case = matched_case()
    specialist = scheduling.accepted_assignment(case).specialist
    far = 8 * 3  # days ahead: the page offers other times (a slot search) before and after the moves
    appointment = scheduling.book(users["coordinator"], case, next_slot(specialist, far))
    link = patients.resolve_status_link(token := patients.issue_status_link(None, case))
    small = count_queries(client, f"/status/{token}")
    for n in range(1, 8):
        appointment = scheduling.reschedule(users["coordinator"], appointment, next_slot(specialist, far + n))
        patients.write_message(link, f"Question {n}: can my daughter come along?")
    assert count_queries(client, f"/status/{token}") == small
