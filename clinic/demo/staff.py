"""Demo accounts: one per role, with the passwords README.md lists."""
from __future__ import annotations

from clinic.auth.services import create_user

ADMIN_EMAIL = "admin@demo.clinic"
ACCOUNTS = (
    # email, name, role, password, NPI of the linked directory record
    (ADMIN_EMAIL, "Alex Admin", "admin", "admin-demo-password-2026", None),
    ("coordinator@demo.clinic", "Casey Coordinator", "coordinator", "coordinator-demo-password-2026", None),
    ("specialist@demo.clinic", "Dr. Priya Raman", "specialist", "specialist-demo-password-2026", "first"),
)


def load(state: dict) -> None:
    logins = []
    for email, name, role, password, npi in ACCOUNTS:
        clinician = state["specialists"][0] if npi == "first" else None
        user, _ = create_user(None, email, name, role, password, clinician)
        state.setdefault("users", {})[role] = user
        logins.append((email, password, role))
    state["logins"] = logins
