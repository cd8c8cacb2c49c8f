"""Pages cost a fixed number of queries whatever the number of rows (no N+1).

A correctness property, not a timing: the benchmark (`clinic bench`) measures time.
"""
from __future__ import annotations

import pytest


def _cases(new_case, count: int):
    for i in range(count):
        new_case(urgency=("urgent", "soon", "routine")[i % 3], reasons=["invasive_treatment", "rare_condition"])


@pytest.mark.parametrize("path", ["/cases?status=open", "/cases?status=records_pending&urgency=urgent&reason=rare_condition",
                                  "/cases?page=2"])
def test_work_queue_queries_do_not_grow_with_cases(client_as, new_case, count_queries, path):
    coordinator = client_as("coordinator")
    _cases(new_case, 10)
    small = count_queries(coordinator, path)
    assert small > 0
    _cases(new_case, 190)
    assert count_queries(coordinator, path) == small


def test_case_page_queries_do_not_grow_with_its_questions_and_timeline(client_as, new_case, count_queries, session):
    from clinic.cases.services import add_note

    coordinator = client_as("coordinator")
    short = new_case(questions=[("other", "One?")])
    long = new_case(questions=[("other", f"Question {i}?") for i in range(20)])
    for i in range(30):
        add_note(None, long, f"note {i}")
    session.flush()
    assert count_queries(coordinator, f"/cases/{short.id}") == count_queries(coordinator, f"/cases/{long.id}")
