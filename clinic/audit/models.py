"""AuditEvent and record(): every view and change of patient data, every login and denial."""
from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from flask import has_request_context, request
from sqlalchemy import event
from sqlalchemy.orm import Mapped, Session, mapped_column

from clinic.database import enum_check, utcnow
from clinic.extensions import db

ACTIONS = (
    "view", "create", "update", "delete", "export",
    "login", "logout", "login_failed", "denied",
)


class AuditTampering(RuntimeError):
    """Raised when code tries to change or delete an audit row."""


class AuditEvent(db.Model):
    __tablename__ = "audit_events"
    __table_args__ = (
        enum_check("action", ACTIONS),
        sa.Index("ix_audit_events_entity", "entity", "entity_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"), index=True)
    action: Mapped[str] = mapped_column(sa.String(20))
    entity: Mapped[str] = mapped_column(sa.String(40))
    entity_id: Mapped[str | None] = mapped_column(sa.String(64))
    ip: Mapped[str | None] = mapped_column(sa.String(45))
    # Never PHI: route names, field names, counts.
    detail: Mapped[str | None] = mapped_column(sa.String(200))

    user = db.relationship("User", lazy="joined")


def record(actor, action: str, entity: str, entity_id=None, detail: str | None = None) -> AuditEvent:
    """Add an audit row to the current transaction (the caller commits with its change)."""
    if action not in ACTIONS:
        raise ValueError(f"unknown audit action {action!r}")
    event_row = AuditEvent(
        user_id=getattr(actor, "id", None),
        action=action,
        entity=entity,
        entity_id=None if entity_id is None else str(entity_id),
        ip=request.remote_addr if has_request_context() else None,
        detail=detail[:200] if detail else None,
    )
    db.session.add(event_row)
    return event_row


@event.listens_for(Session, "before_flush")
def _append_only(session, flush_context, instances):
    for obj in (*session.dirty, *session.deleted):
        if isinstance(obj, AuditEvent) and (obj in session.deleted or session.is_modified(obj)):
            raise AuditTampering("audit events cannot be changed or deleted")
