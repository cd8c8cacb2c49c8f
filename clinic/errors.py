"""The one family of refusals every stage raises, and the JSON error body the API contract promises.

A service refuses with a DomainError (or a stage's subclass of it): a sentence for the person who
asked, the field it concerns, and the HTTP status the API answers with. Views show the sentence
beside the field (web.attempt); the API's one handler turns it into JSON (api.blueprint).
"""
from __future__ import annotations

from flask import jsonify, request

MAX_JSON = 1024 * 1024  # the largest JSON body the API reads


class DomainError(Exception):
    """A refused operation, worded for the user; `field` names the input at fault (None: the whole
    request); `fields` maps further inputs to their own sentences; `status` is the API's answer
    (409 the state does not allow it, 422 the input is wrong, 404 nothing there, 503 try again)."""

    status = 409

    def __init__(self, message: str, field: str | None = None, status: int | None = None,
                 fields: dict[str, list[str]] | None = None):
        super().__init__(message)
        self.message = message
        self.field = field
        self.fields = dict(fields or {})
        if status is not None:
            self.status = status

    def field_errors(self) -> dict[str, list[str]]:
        """Every input at fault with its sentences (the API's `fields`)."""
        found = {name: list(messages) for name, messages in self.fields.items()}
        if self.field and self.field not in found:
            found[self.field] = [self.message]
        return found


def is_api_request() -> bool:
    return request.blueprint == "api" or request.path.startswith("/api/")


def json_error(status: int, message: str, fields: dict | None = None):
    """The API's error body: {"error": "...", "fields": {"name": ["message"]}}; never HTML."""
    body = {"error": message}
    if fields:
        body["fields"] = fields
    response = jsonify(body)
    response.status_code = status
    return response
