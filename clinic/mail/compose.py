"""Mail bodies from templates: `render_mail(name, **context)` gives the plain-text and HTML parts."""
from __future__ import annotations

from flask import current_app


def clinic_facts() -> dict:
    config = current_app.config
    return {"name": config["CLINIC_NAME"], "address": config.get("CLINIC_ADDRESS", ""),
            "phone": config.get("CLINIC_PHONE", ""), "url": config["PUBLIC_URL"]}


def render_mail(name: str, **context) -> tuple[str, str]:
    """(text, html) of templates/mail/<name>.txt and .html, outside any request's context processors."""
    env = current_app.jinja_env
    context = {"clinic": clinic_facts(), **context}
    return (env.get_template(f"mail/{name}.txt").render(**context),
            env.get_template(f"mail/{name}.html").render(**context))
