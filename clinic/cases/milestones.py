"""The first time each case reached each status of the forward path (models.CaseMilestones).

The workflow writes it on every move (one UPSERT that keeps an earlier value); code that
writes timeline lines in bulk or re-dates them (the benchmark's builders, the demo) rebuilds
it from the timeline with `rebuild`, the same statement the migration backfilled it with.
"""
from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from clinic.cases.models import MILESTONE_STATUSES, CaseMilestones, TimelineEntry
from clinic.database import day_number
from clinic.extensions import db

TABLE = CaseMilestones.__table__


def column(status: str) -> str:
    return f"reached_{status}"


def day_of(moment: datetime) -> float:
    """A timestamp as the database's day_number computes it (fractional days since the epoch, UTC)."""
    return moment.timestamp() / 86400.0


def reached(case_id: int, status: str, at: datetime) -> None:
    """Note that the case entered `status` at `at`, unless it had reached it before."""
    if status not in MILESTONE_STATUSES:
        return
    name = column(status)
    dialect = sqlite if db.session.get_bind().dialect.name == "sqlite" else postgresql
    statement = dialect.insert(TABLE).values(case_id=case_id, **{name: day_of(at)})
    db.session.execute(statement.on_conflict_do_update(
        index_elements=[TABLE.c.case_id],
        set_={name: sa.func.coalesce(TABLE.c[name], statement.excluded[name])}))


def rebuild(case_ids: Iterable[int] | None = None) -> None:
    """Write the milestones of these cases (all when None) again from their timeline's status lines."""
    where = [] if case_ids is None else [TABLE.c.case_id.in_(list(case_ids))]
    db.session.flush()
    db.session.execute(TABLE.delete().where(*where))
    db.session.execute(TABLE.insert().from_select(["case_id", *map(column, MILESTONE_STATUSES)], from_timeline(
        [] if case_ids is None else [TimelineEntry.case_id.in_(list(case_ids))])))


def from_timeline(where: list) -> sa.Select:
    """One row per case: the earliest status line into each milestone status, as a day number."""
    firsts = (sa.func.min(sa.case((TimelineEntry.to_status == status, day_number(TimelineEntry.at))))
              for status in MILESTONE_STATUSES)
    return (sa.select(TimelineEntry.case_id, *firsts)
            .where(TimelineEntry.to_status.in_(MILESTONE_STATUSES), *where)
            .group_by(TimelineEntry.case_id))
