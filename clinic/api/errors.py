"""What the API refuses before any service runs (a body that is not JSON, a field of the wrong
shape), in the same family as the services' refusals: one handler answers them all."""
from __future__ import annotations

from pydantic import ValidationError

from clinic.errors import DomainError


class ApiError(DomainError):
    def __init__(self, status: int, message: str, fields: dict[str, list[str]] | None = None):
        super().__init__(message, status=status, fields=fields)


_PYDANTIC_MESSAGES = {
    "extra_forbidden": "Unknown field.",
    "missing": "This field is required.",
    "date_from_datetime_parsing": "Use a date as YYYY-MM-DD.",
    "date_parsing": "Use a date as YYYY-MM-DD.",
    "date_type": "Use a date as YYYY-MM-DD.",
    "bool_type": "Use true or false.",
    "string_type": "Use a string.",
    "list_type": "Use a list.",
    "model_type": "Use an object.",
    "dict_type": "Use an object.",
    "literal_error": None,  # pydantic's own message lists the allowed values
    "string_too_long": None,
    "json_invalid": "The body is not valid JSON.",
}


def field_errors(error: ValidationError) -> dict[str, list[str]]:
    """Pydantic errors keyed by dotted field path (patient.birth_date, questions.0.text)."""
    fields: dict[str, list[str]] = {}
    for item in error.errors(include_url=False, include_input=False):
        # Union branches (coverage) add the branch name to the location; drop it.
        location = [str(part) for part in item["loc"] if not str(part).startswith(("function-", "Insured", "SelfPay"))]
        name = ".".join(location) or "body"
        message = _PYDANTIC_MESSAGES.get(item["type"]) or item["msg"]
        if message.startswith("Value error, "):
            message = message[len("Value error, "):]
        fields.setdefault(name, [])
        if message not in fields[name]:
            fields[name].append(message)
    return fields
