"""Stage 6: the comparison of the two opinions, the patient's decision, the report, the dashboard."""
from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from clinic.auth.models import ADMIN, COORDINATOR
    from clinic.cases import queue
    from clinic.cases.panels import add_panel
    from clinic.cases.workflow import CaseStatus, add_guard
    from clinic.outcomes import panel, services, views
    from clinic.web import add_navigation

    app.register_blueprint(views.bp)
    add_guard(app, CaseStatus.OPINION_RECORDED, CaseStatus.CLOSED, services.decided)
    queue.add_flag(app, "decision_follow_up", "Ask the patient's decision again", services.follow_up_due)
    add_panel(app, "outcomes", 50, "outcomes/_panel.html", panel.panel_context, loads=panel.decision)
    queue.add_load(app, lambda: panel.decision()[0])
    add_navigation(app, COORDINATOR, "outcomes.dashboard_page", "Outcomes", 40)
    add_navigation(app, ADMIN, "outcomes.dashboard_page", "Outcomes", 60)
