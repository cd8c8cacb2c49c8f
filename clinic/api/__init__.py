"""The JSON API v1 for referring systems and scripts: every stage's routes on one blueprint."""
from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from clinic.api import matching, records, requests, review, scheduling  # noqa: F401  (their routes, on bp)
    from clinic.api.blueprint import bp
    from clinic.extensions import csrf

    csrf.exempt(bp)  # bearer tokens, not cookies: no cross-site request can carry them
    app.register_blueprint(bp)
