"""The records gate: records_pending -> ready_to_match once every required record is verified
(or not applicable, with its reason) and coverage is verified or self-pay; and back again
when a record is rejected or coverage fails while the case waits for matching.

Also the work queue's records filters, which read the same facts.
"""
from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask import current_app

from clinic.cases import workflow
from clinic.cases.models import Case
from clinic.cases.workflow import CaseStatus
from clinic.coverage.status import coverage_missing
from clinic.records.checklist import waiting_sentence
from clinic.records.models import RecordItem
from clinic.records.vocabulary import OUTSTANDING, RecordStatus


def clinic_today() -> date:
    """Due dates are the clinic's calendar days."""
    return datetime.now(ZoneInfo(current_app.config["CLINIC_TIMEZONE"])).date()


def records_missing(case: Case, today: date | None = None) -> list[str]:
    if not case.record_items:  # a case from before the checklist existed is never waved through
        return ["Records: no checklist yet; add the required records to the case"]
    today = today or clinic_today()
    sentences = (waiting_sentence(item.name, item.status, today, item.requested_from, item.due_on,
                                  item.rejection_reason) for item in case.record_items if item.required)
    return [sentence for sentence in sentences if sentence]


def records_and_coverage(case: Case) -> list[str]:
    return records_missing(case) + coverage_missing(case)


def settle(actor, case: Case, change: str) -> None:
    """After a records or coverage change: open the gate, or close it again with the reason."""
    if case.status == CaseStatus.RECORDS_PENDING:
        workflow.advance(actor, case)
    elif case.status == CaseStatus.READY_TO_MATCH:
        missing = records_and_coverage(case)
        if missing:
            workflow.transition(actor, case, CaseStatus.RECORDS_PENDING,
                                note=f"{change} Back to records pending: {'; '.join(missing)}."[:1000])


# Asked of each open case (EXISTS, from the index on case, status and due date), not gathered from
# every outstanding item: ended cases keep theirs forever, and the queue must not read the archive.
def overdue() -> sa.ColumnElement[bool]:
    return sa.exists().where(RecordItem.case_id == Case.id, RecordItem.status.in_(OUTSTANDING),
                             RecordItem.due_on < clinic_today())


def to_verify() -> sa.ColumnElement[bool]:
    return sa.exists().where(RecordItem.case_id == Case.id, RecordItem.status == RecordStatus.RECEIVED)

