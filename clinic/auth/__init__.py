"""Staff accounts, sign-in sessions and API tokens, and the access rules every route carries."""
from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from clinic.auth import access, views
    from clinic.extensions import login_manager

    login_manager.user_loader(access.load_from_session)
    login_manager.request_loader(access.load_from_token)
    login_manager.unauthorized_handler(access.unauthorized)
    app.register_blueprint(views.bp)
