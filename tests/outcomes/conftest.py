"""Fixtures for review and outcomes: cases accepted by the signed-in specialist (users['specialist'])."""
from __future__ import annotations

import pytest

from tests import factories


@pytest.fixture
def my_case(matched_case, users):
    """my_case(held=True, **intake_changes): a case accepted by users['specialist'], consulted when held."""
    specialist = users["specialist"].clinician
    factories.open_every_day(specialist)

    def make(held: bool = True, **changes):
        case = matched_case(specialist, **changes)
        if held:
            factories.consult(case)
        return case
    return make


@pytest.fixture
def signed_case(my_case, users):
    """signed_case(**intake_changes): a consulted case whose complete opinion users['specialist'] signed."""
    def make(**changes):
        case = my_case(**changes)
        factories.sign(case, users["specialist"])
        return case
    return make
