"""Review's places in earlier packages: the specialist's navigation entry and home page."""
from __future__ import annotations

from clinic.auth.models import SPECIALIST

HOME = ("review.home", "My cases")


def register() -> None:
    from clinic.web import NAVIGATION

    if HOME not in NAVIGATION[SPECIALIST]:
        NAVIGATION[SPECIALIST].insert(0, HOME)
