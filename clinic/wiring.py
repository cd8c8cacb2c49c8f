"""Where later stages plug into earlier ones, kept on the application: `app.extensions["clinic"]`.

Each package's `init_app(app)` adds its part through the typed function of the module that owns
the registry (workflow.add_guard, panels.add_panel, queue.add_flag, web.add_navigation...).
Nothing is added at import time, so two applications in one process never share one.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from flask import Flask, current_app

KEY = "clinic"


@dataclass
class Wiring:
    guards: dict[tuple[str, str], Callable] = field(default_factory=dict)  # cases.workflow
    case_created: list[Callable] = field(default_factory=list)            # cases.services
    panels: dict[str, Any] = field(default_factory=dict)                  # cases.panels
    appointment_sections: dict[str, Any] = field(default_factory=dict)    # scheduling.panel
    queue_flags: dict[str, Any] = field(default_factory=dict)             # cases.queue
    queue_loads: list[Callable[[], object]] = field(default_factory=list)  # cases.queue
    navigation: dict[str, list[tuple[int, str, str]]] = field(default_factory=dict)  # web
    slot_sources: list[Callable] = field(default_factory=list)            # matching.facts
    roster_files: dict[str, Any] = field(default_factory=dict)            # directory.roster
    roster_indexes: list[Callable[[dict], None]] = field(default_factory=list)  # directory.roster
    # Credentials a later stage gives a user (a specialist's calendar feed), ended with the account's own
    # on deactivation or a password reset: (actor, user) -> {"what": count}.
    credential_revokers: list[Callable] = field(default_factory=list)      # auth.services
    worker_tasks: list[tuple[str, Callable[[], object]]] = field(default_factory=list)  # worker


def init_app(app: Flask) -> None:
    app.extensions[KEY] = Wiring()


def wiring(app: Flask | None = None) -> Wiring:
    return (app or current_app).extensions[KEY]
