"""Sections of the case page contributed by later stages (records, matching, scheduling...).

The case page lists every panel added (add_panel, from a stage's init_app) in order; each gives a
template and a function computing its context from the case. This keeps `cases` ignorant of the
stages that come after it.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from flask import Flask

from clinic.wiring import wiring


@dataclass(frozen=True)
class Panel:
    order: int
    template: str
    context: Callable[..., dict]
    loads: Callable[[], list] | None = None


def add_panel(app: Flask, name: str, order: int, template: str, context: Callable[..., dict],
              loads: Callable[[], list] | None = None) -> None:
    """`loads` gives the loader options of the relations the panel reads (e.g. a selectinload),
    so the case page loads them with the case: a fixed number of queries, whatever their size."""
    wiring(app).panels[name] = Panel(order, template, context, loads)


def panel_loads() -> list:
    return [option for panel in wiring().panels.values() if panel.loads for option in panel.loads()]


def panels_for(case, actor) -> list[tuple[str, dict]]:
    return [(panel.template, panel.context(case, actor))
            for panel in sorted(wiring().panels.values(), key=lambda p: p.order)]
