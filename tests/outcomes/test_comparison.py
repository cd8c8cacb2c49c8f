"""The comparison of the two opinions (pure): which rows differ, and the plain-language next steps."""
from __future__ import annotations

import pytest

from clinic.outcomes.comparison import FirstOpinion, SecondOpinion, compare

FIRST = FirstOpinion("Invasive ductal carcinoma", "C50.911", "Mastectomy", True)


def second(dx="confirmed", tx="same", less=False, code="C50.911"):
    return SecondOpinion("Invasive ductal carcinoma, stage IIA", code, dx, tx, less,
                         "Lumpectomy with radiotherapy" if less else "", "Safe to wait a few weeks.", "Surgery.")


@pytest.mark.parametrize("dx, tx, agree", [
    ("confirmed", "same", True), ("refined", "same", False), ("confirmed", "modified", False),
    ("changed", "changed", False),
])
def test_opinions_agree_only_when_diagnosis_and_treatment_are_the_same(dx, tx, agree):
    result = compare(FIRST, second(dx, tx))
    assert result.agree is agree
    assert ("more confidence" in result.next_steps[0]) is agree
    assert ("third opinion" in " ".join(result.next_steps)) is not agree


def test_differing_rows_are_marked_in_words():
    rows = {r.label: r for r in compare(FIRST, second("changed", "modified", less=True, code="D05.11")).rows}
    assert rows["Diagnosis"].differs and rows["Diagnosis"].verdict == "Changed"
    assert rows["Treatment"].differs and rows["Treatment"].verdict == "Modified"
    assert rows["Diagnosis code (ICD-10-CM)"].differs
    assert rows["A less invasive option"].second == "Lumpectomy with radiotherapy"


def test_a_missing_code_is_not_a_difference():
    rows = {r.label: r for r in compare(FirstOpinion("X", None, "", False), second(code="C50.911")).rows}
    assert not rows["Diagnosis code (ICD-10-CM)"].differs
    assert rows["Diagnosis code (ICD-10-CM)"].verdict == "Not comparable: a code is missing"
    assert rows["Treatment"].first == "No treatment stated"


@pytest.mark.parametrize("code, differs, verdict", [("C50.911", False, "Same code"), ("D05.11", True, "Different code")])
def test_the_code_row_says_what_it_marks(code, differs, verdict):
    row = {r.label: r for r in compare(FIRST, second(code=code)).rows}["Diagnosis code (ICD-10-CM)"]
    assert (row.differs, row.verdict) == (differs, verdict)
