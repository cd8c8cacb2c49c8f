"""The audit trail: who viewed or changed what, when and from where (append-only)."""
from clinic.audit.models import AuditEvent, record

__all__ = ["AuditEvent", "record"]
