"""The directory the independence rule reads: clinicians, organizations, ties, plans, networks."""
from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from clinic.auth.models import ADMIN, COORDINATOR
    from clinic.directory import cli, roster, roster_files, views
    from clinic.web import add_navigation

    app.register_blueprint(views.bp)
    add_navigation(app, ADMIN, "directory.index", "Directory", 20)
    add_navigation(app, COORDINATOR, "directory.index", "Directory", 30)
    roster.add_index_loader(app, roster_files.load_index)
    for handler in roster_files.DIRECTORY_FILES:
        roster.add_roster_file(app, handler)
    app.cli.add_command(cli.directory)
