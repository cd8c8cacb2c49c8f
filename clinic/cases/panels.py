"""Sections of the case page contributed by later stages (records, matching, scheduling...).

The case page lists every registered panel in order; each gives a template and a
function computing its context from the case. This keeps `cases` ignorant of the
stages that come after it.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Panel:
    order: int
    template: str
    context: Callable[..., dict]


PANELS: dict[str, Panel] = {}


def register_panel(name: str, order: int, template: str, context: Callable[..., dict]) -> None:
    PANELS[name] = Panel(order, template, context)


def panels_for(case, actor) -> list[tuple[str, dict]]:
    return [(panel.template, panel.context(case, actor))
            for panel in sorted(PANELS.values(), key=lambda p: p.order)]
