"""Mail bodies from templates: `render_mail(name)` renders templates/mail/<name>.txt and .html.

A minimal stand-in for the shared mail layout being built on another branch (same name and
signature); the templates extend mail/_layout.txt and mail/_layout.html."""
from __future__ import annotations

from flask import current_app


def render_mail(name: str, **context) -> tuple[str, str]:
    """(text, html) of the mail `name`, rendered without the page context processors (mail is
    written outside any request too)."""
    environment = current_app.jinja_env
    return (environment.get_template(f"mail/{name}.txt").render(**context),
            environment.get_template(f"mail/{name}.html").render(**context))
