"""The coordinator's work queue: cases by stage, filtered, most urgent and oldest first.

Later stages add their own filters ("records overdue") with add_flag() from their init_app;
each is a SQL condition on Case, so the page stays a fixed number of queries.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta

import sqlalchemy as sa
from flask import Flask
from sqlalchemy.orm import selectinload

from clinic.cases.models import STATUSES, Case, CaseReason
from clinic.cases.vocabulary import REASONS, URGENCIES
from clinic.cases.workflow import OPEN_STATUSES, open_condition
from clinic.database import utcnow
from clinic.extensions import db
from clinic.formkit import whole_number
from clinic.wiring import wiring

AGE_CHOICES = {"3": "Over 3 days", "7": "Over 7 days", "14": "Over 14 days", "30": "Over 30 days"}
SORTS = {"newest": "Most urgent, newest first", "oldest": "Most urgent, waiting longest first"}
MAX_PAGE = 10_000


@dataclass(frozen=True)
class Flag:
    label: str
    condition: Callable[[], sa.ColumnElement[bool]]


def add_flag(app: Flask, name: str, label: str, condition: Callable[[], sa.ColumnElement[bool]]) -> None:
    wiring(app).queue_flags[name] = Flag(label, condition)


def add_load(app: Flask, option: Callable[[], object]) -> None:
    """Load a relation with the page's cases (e.g. `lambda: selectinload(Case.assignments)`): each stage
    adds the relations its guard reads ("waiting for" runs every stage's guard), so a page is one
    query per relation, not per case."""
    wiring(app).queue_loads.append(option)


def flags() -> dict[str, Flag]:
    return wiring().queue_flags


def _reasons():
    return selectinload(Case.reasons)


@dataclass
class QueueFilter:
    status: str = "open"
    urgency: str = ""
    reason: str = ""
    age: str = ""
    flag: str = ""
    sort: str = "newest"
    page: int = 1

    @classmethod
    def from_args(cls, args) -> "QueueFilter":
        """Unknown values fall back to the default rather than failing: these come from URLs."""
        status = args.get("status", "open")
        page = args.get("page", "1")
        return cls(
            status=status if status in STATUSES or status in ("open", "all") else "open",
            urgency=args.get("urgency", "") if args.get("urgency") in URGENCIES else "",
            reason=args.get("reason", "") if args.get("reason") in REASONS else "",
            age=args.get("age", "") if args.get("age") in AGE_CHOICES else "",
            flag=args.get("flag", "") if args.get("flag") in flags() else "",
            sort=args.get("sort", "newest") if args.get("sort") in SORTS else "newest",
            page=min(whole_number(page, digits=18) or 1, MAX_PAGE),  # a huge number: the last page
        )

    def as_args(self, **changes) -> dict:
        values = {"status": self.status, "urgency": self.urgency, "reason": self.reason,
                  "age": self.age, "flag": self.flag, "sort": self.sort, "page": self.page} | changes
        defaults = QueueFilter()
        return {k: v for k, v in values.items() if v != getattr(defaults, k)}

    def conditions(self) -> list[sa.ColumnElement[bool]]:
        found = []
        if self.status == "open":
            found.append(open_condition())
        elif self.status != "all":
            found.append(Case.status == self.status)
        if self.urgency:
            found.append(Case.urgency == self.urgency)
        if self.reason:
            # EXISTS lets the planner walk the queue index and probe each case's reasons,
            # instead of materialising every case with that reason first.
            found.append(sa.exists().where(CaseReason.case_id == Case.id, CaseReason.reason == self.reason))
        if self.age:
            found.append(Case.created_at < utcnow() - timedelta(days=int(self.age)))
        if self.flag:
            found.append(flags()[self.flag].condition())
        return found


@dataclass
class QueuePage:
    cases: list[Case]
    total: int
    page: int
    pages: int
    stage_counts: dict[str, int] = field(default_factory=dict)
    flag_counts: dict[str, int] = field(default_factory=dict)


def queue_page(filters: QueueFilter, page_size: int) -> QueuePage:
    conditions = filters.conditions()
    counts, flagged = stage_counts(), flag_counts()
    narrowed = filters.urgency or filters.reason or filters.age
    if filters.flag and filters.status == "open" and not narrowed:  # the flag's own count is the total
        total = flagged[filters.flag]
    elif narrowed or filters.flag or filters.status not in (*counts, "open"):
        total = db.session.scalar(sa.select(sa.func.count()).select_from(Case).where(*conditions))
    else:  # only an open stage chosen: the stage counts already hold the total
        total = sum(counts.values()) if filters.status == "open" else counts[filters.status]
    pages = max(1, -(-total // page_size))
    page = min(filters.page, pages)
    # Alphabetical descending order of urgency is urgent, soon, routine (vocabulary.URGENCIES).
    if filters.sort == "oldest":
        order = (Case.urgency.desc(), Case.created_at, Case.id)
    else:
        order = (Case.urgency.desc(), Case.created_at.desc(), Case.id.desc())
    # The page's ids first, from the queue's covering indexes alone, then their rows: skipping to
    # page 200 walks index entries, not 5,000 full rows.
    ids = sa.select(Case.id).where(*conditions).order_by(*order).offset((page - 1) * page_size).limit(page_size)
    cases = db.session.scalars(
        sa.select(Case).where(Case.id.in_(ids.scalar_subquery())).options(_reasons(), *(option() for option in wiring().queue_loads))
        .order_by(*order)
    ).all()
    return QueuePage(cases, total, page, pages, counts, flagged)


def stage_counts() -> dict[str, int]:
    """Cases in each open stage. The archive (closed, withdrawn, cancelled) is counted only when a
    coordinator opens it: counting it on every page would read all of the clinic's history."""
    rows = db.session.execute(sa.select(Case.status, sa.func.count()).where(open_condition())
                              .group_by(Case.status)).all()
    counts = {status: 0 for status in OPEN_STATUSES}
    counts.update(dict(rows))
    return counts


def flag_counts() -> dict[str, int]:
    if not flags():
        return {}
    columns = [sa.func.count().filter(flag.condition()).label(name) for name, flag in flags().items()]
    row = db.session.execute(sa.select(*columns).select_from(Case).where(open_condition())).one()
    return dict(row._mapping)
