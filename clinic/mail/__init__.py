"""Mail leaving the clinic: the outbox written in the change's transaction, delivered after commit."""
from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from clinic.auth.models import ADMIN
    from clinic.mail import outbox, views
    from clinic.web import add_navigation
    from clinic.worker import add_task

    app.register_blueprint(views.bp)
    outbox.deliver_after_commit(app)
    add_task(app, "mail", lambda: "sent {}, failed {}".format(*outbox.deliver_due()) if outbox.has_due() else None)
    add_navigation(app, ADMIN, "mail.outbox", "Mail outbox", 50)
