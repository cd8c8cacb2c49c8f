"""When coverage lets a case go to matching."""
from __future__ import annotations

import pytest

from clinic.coverage.status import coverage_problem


@pytest.mark.parametrize("result, agreed, stated_self_pay, ok", [
    (None, False, False, False),
    (None, False, True, True),
    ("verified_in_network", False, False, True),
    ("verified_out_of_network", False, False, False),
    ("verified_out_of_network", True, False, True),
    ("not_covered", False, False, False),
    ("not_covered", False, True, False),  # a later check overrides what the request stated
    ("self_pay", False, False, True),
])
def test_in_network_out_of_network_with_agreement_or_self_pay_open_coverage(result, agreed, stated_self_pay, ok):
    assert (coverage_problem(result, agreed, "Acme Gold", stated_self_pay) == []) is ok


def test_the_sentences_say_what_to_do():
    assert coverage_problem(None) == ["Coverage: not verified"]
    assert "agreement" in coverage_problem("verified_out_of_network")[0]
    assert coverage_problem("not_covered", plan="Acme Gold") == \
        ["Coverage: not covered by Acme Gold; the patient may choose self-pay"]


def test_an_unknown_result_is_a_bug_not_a_pass():
    with pytest.raises(ValueError):
        coverage_problem("maybe")
