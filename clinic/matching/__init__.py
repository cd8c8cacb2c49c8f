"""Stage 3: the independent specialist: the engine's hard rules and ranking, proposals, answers."""
from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from clinic.cases import queue
    from clinic.cases.panels import add_panel
    from clinic.cases.workflow import CaseStatus, add_guard
    from clinic.matching import panel, services, views
    from clinic.matching.models import AssignmentStatus

    app.register_blueprint(views.bp)
    add_guard(app, CaseStatus.READY_TO_MATCH, CaseStatus.MATCHED, services.specialist_accepted)
    add_panel(app, "matching", 30, "matching/_panel.html", panel.panel_context, loads=panel.assignments)
    queue.add_load(app, lambda: panel.assignments()[0])
    app.add_template_global(AssignmentStatus, "AssignmentStatus")
