"""The patient's side over stages 1-6: the acknowledgement of every new case, the private status
page (records, consultation, report, decision), messages to the coordinator, and reminders."""
from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from clinic.cases import queue
    from clinic.cases.panels import add_panel
    from clinic.patients import reminders, services, views
    from clinic.wiring import wiring
    from clinic.worker import add_task

    app.register_blueprint(views.bp)
    # After records (its checklist names what we will ask for) and in the case's own transaction.
    wiring(app).case_created.append(services.acknowledge)
    add_panel(app, "patient", 55, "patients/_panel.html", views.panel_context)
    queue.add_flag(app, "patient_message", "Message from the patient", services.unanswered_message)
    app.cli.add_command(reminders.reminders_cli)
    add_task(app, "reminders", reminders.send_due)
