"""Stage 2: the records checklist, requests, uploads, verification, and the gate to matching."""
from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from clinic.cases import queue
    from clinic.cases.panels import add_panel
    from clinic.cases.workflow import CaseStatus, add_guard
    from clinic.records import gate, services, views, vocabulary
    from clinic.wiring import wiring

    app.register_blueprint(views.bp)
    wiring(app).case_created.append(services.create_checklist)
    add_guard(app, CaseStatus.RECORDS_PENDING, CaseStatus.READY_TO_MATCH, gate.records_and_coverage)
    add_panel(app, "records", 10, "records/_panel.html", views.panel_context, loads=views.panel_loads)
    queue.add_flag(app, "records_overdue", "Records overdue", gate.overdue)
    queue.add_flag(app, "records_to_verify", "Records to verify", gate.to_verify)
    app.add_template_global(vocabulary.RecordStatus, "RecordStatus")
    app.add_template_global(vocabulary.AWAITED, "RECORDS_AWAITED")
    app.add_template_global(vocabulary.REQUESTABLE, "RECORDS_REQUESTABLE")
