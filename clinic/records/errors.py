"""The refusal every records operation raises: a sentence for the user, the field it concerns."""
from __future__ import annotations

from clinic.errors import DomainError


class RecordError(DomainError):
    """A refused records operation; `status` is what the API answers (422, 409, 413, or 503 when the document store is down)."""

    status = 422


class RejectedFileAgain(RecordError):
    """The very file that was rejected, sent again: the record needs a new copy, not this one."""
