"""What every page needs: navigation by role, template filters, mail delivery after commit."""
from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from flask import current_app, render_template
from flask_login import current_user

from clinic.auth.access import public
from clinic.auth.models import ADMIN, COORDINATOR, SPECIALIST
from clinic.cases.vocabulary import CHANNELS, LANGUAGES, QUESTION_CATEGORIES, REASONS, URGENCIES, reason_label
from clinic.cases.workflow import STATUS_LABELS, waiting_for
from clinic.extensions import db
from clinic.mail.outbox import register_delivery

# (endpoint, label) per role; a later stage appends its own entries.
NAVIGATION: dict[str, list[tuple[str, str]]] = {
    COORDINATOR: [("cases.queue", "Work queue"), ("cases.new_case", "New request")],
    SPECIALIST: [],
    ADMIN: [("auth.users", "Users"), ("audit.index", "Audit log")],
}


def render_viewed(template: str, **context) -> str:
    """Render a page of patient data, then commit the audit row of its viewing.

    Rendering first uses the rows as loaded; a commit first would expire them all and
    reload each one (and its relations) while the template reads them. Once the page is
    rendered nothing reads them again, so the commit leaves them as they are (expiring the
    few hundred rows of a work-queue page costs a tenth of its time).
    """
    page = render_template(template, **context)
    session = db.session()
    session.expire_on_commit = False
    try:
        session.commit()
    finally:
        session.expire_on_commit = True
    return page


def user_zone() -> ZoneInfo:
    """The signed-in user's time zone (the clinic's for everyone else)."""
    return ZoneInfo(getattr(current_user, "timezone", None) or current_app.config["CLINIC_TIMEZONE"])


def local_time(moment: datetime | None, fmt: str = "%Y-%m-%d %H:%M") -> str:
    """A UTC instant shown in the signed-in user's time zone, with the zone named."""
    if moment is None:
        return ""
    local = moment.astimezone(user_zone())
    return f"{local.strftime(fmt)} {local.tzname()}"


@public
def health():
    """Liveness for load balancers, and the benchmark's framework floor."""
    return "ok", 200, {"Content-Type": "text/plain; charset=utf-8"}


def register(app) -> None:
    register_delivery(app)
    app.add_url_rule("/healthz", "health", health)
    app.add_template_filter(local_time, "local_time")
    app.add_template_filter(reason_label, "reason_label")
    app.add_template_filter(lambda mapping, **changes: {**mapping, **changes}, "combine")
    app.add_template_global(waiting_for, "waiting_for")
    app.add_template_global(user_zone, "user_zone")

    @app.context_processor
    def _vocabulary():
        nav = NAVIGATION.get(current_user.role, []) if current_user.is_authenticated else []
        return {
            "navigation": nav, "clinic_name": app.config["CLINIC_NAME"], "STATUS_LABELS": STATUS_LABELS,
            "REASONS": REASONS, "URGENCIES": URGENCIES, "CHANNELS": CHANNELS,
            "QUESTION_CATEGORIES": QUESTION_CATEGORIES, "LANGUAGES": LANGUAGES,
        }
