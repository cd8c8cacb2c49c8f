"""Every destructive action asks first: each form posting to one of these endpoints carries a
data-confirm question (app.js asks it before the form leaves). Read from the templates, no browser."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"
DESTRUCTIVE = {
    "scheduling.cancel": "cancel appointment", "scheduling.no_show": "mark a no-show",
    "matching.withdraw": "withdraw a proposal", "matching.decline": "decline a case",
    "cases.end_case": "end a case", "records.reject": "reject a record",
    "records.not_applicable": "drop a record from the checklist", "admin.toggle_active": "deactivate a user",
    "admin.revoke": "revoke a token", "admin.reset_password": "reset a password",
    "availability.delete_rule": "delete an opening", "availability.delete_day_off": "delete a day off",
    "availability.revoke_feed": "revoke a calendar link", "directory.toggle": "deactivate a clinician",
    "directory.remove_link": "remove an affiliation", "outcomes.decide": "close a case",
}
FORM = re.compile(r"<form\b[^>]*>", re.S)
MACRO_CALL = re.compile(r"confirm_button\([^,]+,\s*url_for\('([\w.]+)'")


def forms_posting_to(endpoint: str):
    for path in TEMPLATES.rglob("*.html"):
        text = path.read_text()
        for tag in FORM.findall(text):
            if f"url_for('{endpoint}'" in tag:
                yield path.relative_to(TEMPLATES), tag, "data-confirm" in tag
        for called in MACRO_CALL.findall(text):
            if called == endpoint:
                yield path.relative_to(TEMPLATES), "confirm_button(...)", True


@pytest.mark.parametrize("endpoint", sorted(DESTRUCTIVE))
def test_a_destructive_action_asks_for_confirmation(endpoint):
    found = list(forms_posting_to(endpoint))
    assert found, f"no form posts to {endpoint} ({DESTRUCTIVE[endpoint]})"
    assert all(confirmed for _, _, confirmed in found), [(str(p), tag) for p, tag, ok in found if not ok]
