"""Stage 5: the specialist's review: their cases, the full record in a safe viewer, the signed opinion."""
from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from sqlalchemy.orm import lazyload, selectinload

    from clinic.auth.models import SPECIALIST
    from clinic.cases import queue
    from clinic.cases.models import Case
    from clinic.cases.workflow import CaseStatus, add_guard
    from clinic.review import services, views
    from clinic.review.models import Opinion
    from clinic.web import add_navigation

    app.register_blueprint(views.bp)
    add_guard(app, CaseStatus.CONSULTED, CaseStatus.OPINION_RECORDED, services.opinion_signed)
    add_navigation(app, SPECIALIST, "review.home", "My cases", 10)
    # The guard needs only whether one is signed: not the answers, addenda or specialist.
    queue.add_load(app, lambda: selectinload(Case.opinions).options(
        lazyload(Opinion.answers), lazyload(Opinion.addenda), lazyload(Opinion.specialist)))
