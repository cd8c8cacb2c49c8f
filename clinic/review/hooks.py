"""Review's places in earlier packages: the specialist's navigation entry and home page."""
from __future__ import annotations

from clinic.auth.models import SPECIALIST

HOME = ("review.home", "My cases")


def register() -> None:
    from clinic.web import NAVIGATION

    entries = NAVIGATION[SPECIALIST]
    # The workspace replaces the proposals list as "My cases"; proposals link from it.
    entries[:] = [HOME] + [e for e in entries if e != HOME and e[1] != "My cases"]
