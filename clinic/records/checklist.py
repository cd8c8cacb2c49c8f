"""The required record checklist and the sentences that say what a case still waits for.

Pure: plain values in, plain values out. The seed's rule: the specialist reviews the
full record, imaging and reports included, not summaries; so the images and their
report are both required, and pathology whenever the diagnosis is a neoplasm.
"""
from __future__ import annotations

from datetime import date

from clinic.cases.icd10 import is_neoplasm
from clinic.records.vocabulary import RecordStatus

BASE_CHECKLIST = ("visit_summary", "lab_result", "medication_list", "imaging", "imaging_report")


def required_kinds(icd10_code: str | None) -> list[str]:
    """The record kinds every new case needs: pathology too for ICD-10 C00-D49."""
    return [*BASE_CHECKLIST, "pathology"] if is_neoplasm(icd10_code) else list(BASE_CHECKLIST)


def short_date(day: date, today: date) -> str:
    """'12 Dec', with the year when it is not this year's."""
    text = f"{day.day} {day.strftime('%b')}"
    return text if day.year == today.year else f"{text} {day.year}"


def is_overdue(status: str, due_on: date | None, today: date) -> bool:
    return status in (RecordStatus.REQUESTED, RecordStatus.REJECTED) and due_on is not None and due_on < today


def waiting_sentence(label: str, status: str, today: date, requested_from: str | None = None,
                     due_on: date | None = None, rejection_reason: str | None = None) -> str | None:
    """What one record item still needs, as the case page and the API say it (None when settled)."""
    if status in (RecordStatus.VERIFIED, RecordStatus.NOT_APPLICABLE):
        return None
    if status == RecordStatus.RECEIVED:
        return f"{label}: received, to be verified"
    whom = f" from {requested_from}" if requested_from else ""
    due = ""
    if due_on:
        due = f", due {short_date(due_on, today)}" + (" (overdue)" if is_overdue(status, due_on, today) else "")
    if status == RecordStatus.REQUESTED:
        return f"{label}: requested{whom}{due}"
    if status == RecordStatus.REJECTED:
        return f"{label}: rejected ({rejection_reason}); a new copy is awaited{whom}{due}"
    return f"{label}: missing, not requested yet"
