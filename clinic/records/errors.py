"""The refusal every records operation raises: a sentence for the user, the field it concerns."""
from __future__ import annotations


class RecordError(Exception):
    """A refused records operation; `status` is what the API answers (422, 409, 413, or 503 when the document store is down)."""

    def __init__(self, message: str, field: str | None = None, status: int = 422):
        super().__init__(message)
        self.message = message
        self.field = field
        self.status = status


class RejectedFileAgain(RecordError):
    """The very file that was rejected, sent again: the record needs a new copy, not this one."""
