"""Stage 2, beside records: the insurance check (in network, out of network agreed, self-pay)."""
from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from clinic.cases.panels import add_panel
    from clinic.coverage import views

    app.register_blueprint(views.bp)
    add_panel(app, "coverage", 20, "coverage/_panel.html", views.panel_context)
