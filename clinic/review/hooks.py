"""Review's places in earlier packages: the specialist's navigation entry and home page, and the
opinions the work queue loads with its cases (the opinion_recorded guard reads them)."""
from __future__ import annotations

from sqlalchemy.orm import lazyload, selectinload

from clinic.auth.models import SPECIALIST
from clinic.cases.models import Case
from clinic.cases.queue import register_load
from clinic.review.models import Opinion

HOME = ("review.home", "My cases")


def register() -> None:
    from clinic.web import NAVIGATION

    if HOME not in NAVIGATION[SPECIALIST]:
        NAVIGATION[SPECIALIST].insert(0, HOME)
    # The guard needs only whether one is signed: not the answers, addenda or specialist.
    register_load(lambda: selectinload(Case.opinions).options(
        lazyload(Opinion.answers), lazyload(Opinion.addenda), lazyload(Opinion.specialist)))
