"""The required checklist and the sentences saying what each record still waits for."""
from __future__ import annotations

from datetime import date

import pytest

from clinic.records.checklist import BASE_CHECKLIST, is_overdue, required_kinds, waiting_sentence

TODAY = date(2026, 12, 10)


@pytest.mark.parametrize("code, pathology", [
    ("C50.911", True), ("C61", True), ("D25.9", True), ("D49.2", True),
    ("D50.0", False), ("M51.26", False), ("I25.10", False), (None, False), ("", False),
])
def test_pathology_is_required_only_for_neoplasms(code, pathology):
    kinds = required_kinds(code)
    assert kinds[:len(BASE_CHECKLIST)] == list(BASE_CHECKLIST)
    assert ("pathology" in kinds) is pathology


def test_imaging_and_its_report_are_both_required_not_a_summary():
    assert {"imaging", "imaging_report", "visit_summary", "lab_result", "medication_list"} <= set(required_kinds(None))


@pytest.mark.parametrize("status, kwargs, expected", [
    ("missing", {}, "Imaging report: missing, not requested yet"),
    ("requested", {"requested_from": "Mercy General", "due_on": date(2026, 12, 12)},
     "Imaging report: requested from Mercy General, due 12 Dec"),
    ("requested", {"requested_from": "Mercy General", "due_on": date(2026, 12, 1)},
     "Imaging report: requested from Mercy General, due 1 Dec (overdue)"),
    ("requested", {"requested_from": "the patient", "due_on": date(2027, 1, 5)},
     "Imaging report: requested from the patient, due 5 Jan 2027"),
    ("received", {}, "Imaging report: received, to be verified"),
    ("rejected", {"requested_from": "the patient", "due_on": date(2026, 12, 17), "rejection_reason": "page 2 missing"},
     "Imaging report: rejected (page 2 missing); a new copy is awaited from the patient, due 17 Dec"),
    ("verified", {}, None),
    ("not_applicable", {}, None),
])
def test_each_status_says_what_the_item_waits_for(status, kwargs, expected):
    assert waiting_sentence("Imaging report", status, TODAY, **kwargs) == expected


@pytest.mark.parametrize("status, due, overdue", [
    ("requested", date(2026, 12, 9), True), ("requested", TODAY, False), ("rejected", date(2026, 11, 1), True),
    ("received", date(2026, 11, 1), False), ("requested", None, False),
])
def test_only_awaited_items_past_their_due_date_are_overdue(status, due, overdue):
    assert is_overdue(status, due, TODAY) is overdue
