"""Stage 1: the request (patient, case, questions), the workflow, intake and the work queue."""
from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from clinic.auth.models import COORDINATOR
    from clinic.cases import views, vocabulary, workflow
    from clinic.web import add_navigation

    app.register_blueprint(views.bp)
    add_navigation(app, COORDINATOR, "cases.queue", "Work queue", 10)
    add_navigation(app, COORDINATOR, "cases.new_case", "New request", 20)
    app.add_template_filter(vocabulary.reason_label, "reason_label")
    app.add_template_global(workflow.waiting_for, "waiting_for")
    app.add_template_global(workflow.CaseStatus, "CaseStatus")

    @app.context_processor
    def _vocabulary():
        return {"STATUS_LABELS": workflow.STATUS_LABELS, "REASONS": vocabulary.REASONS,
                "URGENCIES": vocabulary.URGENCIES, "CHANNELS": vocabulary.CHANNELS,
                "QUESTION_CATEGORIES": vocabulary.QUESTION_CATEGORIES, "LANGUAGES": vocabulary.LANGUAGES}
