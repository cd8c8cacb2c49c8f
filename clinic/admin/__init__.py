"""The admin's pages: staff accounts and their tokens, and the audit log."""
from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from clinic.admin import views
    from clinic.auth.models import ADMIN
    from clinic.web import add_navigation

    app.register_blueprint(views.bp)
    add_navigation(app, ADMIN, "admin.users", "Users", 10)
    add_navigation(app, ADMIN, "admin.audit_log", "Audit log", 30)
