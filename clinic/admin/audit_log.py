"""Reading the audit trail: filters and keyset pagination (newest first)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone

import sqlalchemy as sa

from clinic.auth.models import User
from clinic.audit.models import ACTIONS, AuditEvent
from clinic.extensions import db
from clinic.formkit import OutOfCalendar, read_day

PAGE_SIZE = 50


def _date(raw: str | None) -> date | None:
    try:
        return read_day(raw)
    except OutOfCalendar:
        return None  # a filter that is not a day is left out, as an unknown action is


@dataclass
class AuditFilter:
    email: str = ""
    action: str = ""
    entity: str = ""
    entity_id: str = ""
    since: date | None = None
    until: date | None = None

    @classmethod
    def from_args(cls, args) -> "AuditFilter":
        action = args.get("action", "")
        return cls(
            email=args.get("email", "").strip().lower()[:254],
            action=action if action in ACTIONS else "",
            entity=args.get("entity", "").strip()[:40],
            entity_id=args.get("entity_id", "").strip()[:64],
            since=_date(args.get("since")),
            until=_date(args.get("until")),
        )

    def as_args(self) -> dict:
        values = {
            "email": self.email, "action": self.action, "entity": self.entity,
            "entity_id": self.entity_id,
            "since": self.since.isoformat() if self.since else "",
            "until": self.until.isoformat() if self.until else "",
        }
        return {k: v for k, v in values.items() if v}

    def describe(self, before_id: int | None = None) -> str:
        """The filter as the audit row of a search keeps it ("all" when none)."""
        parts = [f"{k}={v}" for k, v in self.as_args().items()] + ([f"before={before_id}"] if before_id else [])
        return " ".join(parts) or "all"


@dataclass
class AuditPage:
    events: list[AuditEvent]
    next_before: int | None


def audit_page(filters: AuditFilter, before_id: int | None = None) -> AuditPage:
    query = sa.select(AuditEvent).order_by(AuditEvent.id.desc()).limit(PAGE_SIZE + 1)
    if filters.email:
        query = query.join(User, AuditEvent.user_id == User.id).where(User.email == filters.email)
    if filters.action:
        query = query.where(AuditEvent.action == filters.action)
    if filters.entity:
        query = query.where(AuditEvent.entity == filters.entity)
    if filters.entity_id:
        query = query.where(AuditEvent.entity_id == filters.entity_id)
    if filters.since:
        query = query.where(AuditEvent.at >= datetime.combine(filters.since, time(), timezone.utc))
    if filters.until:
        end = datetime.combine(filters.until + timedelta(days=1), time(), timezone.utc)
        query = query.where(AuditEvent.at < end)
    if before_id:
        query = query.where(AuditEvent.id < before_id)
    events = list(db.session.scalars(query).unique())
    more = len(events) > PAGE_SIZE
    events = events[:PAGE_SIZE]
    return AuditPage(events, events[-1].id if more else None)
