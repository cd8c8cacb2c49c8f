"""Stage 4: openings, free slots, bookings without double booking, invites and calendar feeds."""
from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from clinic.auth.models import ADMIN, SPECIALIST
    from clinic.cases import queue
    from clinic.cases.panels import add_panel
    from clinic.cases.workflow import CaseStatus, add_guard
    from clinic.directory.roster import add_roster_file
    from clinic.matching.facts import add_slot_source
    from clinic.scheduling import availability_views, cli, feeds, panel, roster, services, views
    from clinic.web import add_navigation
    from clinic.wiring import wiring

    app.register_blueprint(views.bp)
    app.register_blueprint(availability_views.bp)
    add_guard(app, CaseStatus.MATCHED, CaseStatus.SCHEDULED, services.booked)
    add_guard(app, CaseStatus.SCHEDULED, CaseStatus.CONSULTED, services.held)
    add_panel(app, "scheduling", 40, "scheduling/_panel.html", panel.panel_context, loads=panel.appointments)
    queue.add_load(app, lambda: panel.appointments()[0])
    queue.add_flag(app, "consult_soon", "Consultation within 48 hours", panel.consult_soon)
    queue.add_flag(app, "consult_unclosed", "Consultation over, not marked held or no-show", panel.consult_unclosed)
    add_slot_source(app, panel.earliest_slots)
    wiring(app).credential_revokers.append(feeds.revoke_user_feed)
    add_roster_file(app, roster.AVAILABILITY)
    add_navigation(app, SPECIALIST, "availability.mine", "My availability", 20)
    add_navigation(app, ADMIN, "availability.index", "Availability", 40)
    app.cli.add_command(cli.availability)
