"""Mail coming back: replies to invites read from the clinic's mailbox (iTIP REPLY and COUNTER),
applied to their appointment or kept aside for an admin."""
from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from clinic.auth.models import ADMIN
    from clinic.cases import queue
    from clinic.cases.panels import add_panel
    from clinic.inbox import cli, fetch, models, panel, views
    from clinic.scheduling.panel import add_appointment_section
    from clinic.web import add_navigation
    from clinic.worker import add_task

    app.register_blueprint(views.bp)
    add_panel(app, "inbox", 45, "inbox/_panel.html", panel.panel_context)  # right after scheduling's (40)
    add_appointment_section(app, "inbox", 10, "inbox/_appointment_section.html", panel.appointment_section)
    queue.add_flag(app, "invite_declined", "Invite declined — rebook", panel.invite_declined)
    queue.add_flag(app, "time_proposed", "New time proposed", panel.time_proposed)
    add_navigation(app, ADMIN, "inbox.kept_aside", "Replies kept aside", 55)
    app.add_template_global(models.ROLE_LABELS, "ROLE_LABELS")
    app.add_template_global(models.ANSWER_LABELS, "ANSWER_LABELS")
    app.add_template_global(models.OUTCOME_LABELS, "OUTCOME_LABELS")
    app.cli.add_command(cli.mail)
    # The worker reads the mailbox when one is set up (INBOX_IMAP_HOST); an MTA pipe needs no worker.
    add_task(app, "replies", fetch.fetch_for_worker)
