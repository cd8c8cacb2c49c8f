"""The demo clinic: staff accounts, a directory, and patients' cases across the workflow.

Each stage adds its part as a step; steps run in workflow order inside one
transaction, through the same services the app uses, so the demo data obeys
every rule the app does.
"""
from __future__ import annotations

import sqlalchemy as sa

from clinic.auth.models import User
from clinic.demo import directory, matching, outcomes, records, requests, roster, scheduling, staff
from clinic.extensions import db

STEPS = (directory.load, staff.load, requests.load, roster.load, records.load, matching.load, scheduling.load,
         outcomes.load)


def load_demo() -> list[tuple[str, str, str]]:
    """Load the demo once; returns the (email, password, role) logins created, or [] if present."""
    if db.session.scalar(sa.select(User.id).where(User.email == staff.ADMIN_EMAIL)):
        return []
    state: dict = {}
    for step in STEPS:
        step(state)
        db.session.flush()
    return state["logins"]
