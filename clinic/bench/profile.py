"""`clinic bench --profile DIR`: where the time of each figure that missed its target goes.

Each such page or core is called again under pyinstrument (the `bench` extra) and its call tree
written to DIR as text: SQL (cursor.execute), ORM loading, Jinja rendering and our own code,
each with its share of the time.
"""
from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import click

CALLS = 10


def write_profile(folder: str, name: str, call: Callable[[], object], calls: int = CALLS) -> Path:
    try:
        from pyinstrument import Profiler
    except ImportError:
        raise click.ClickException("--profile needs pyinstrument: pip install -e '.[bench]'") from None
    profiler = Profiler(interval=0.0005)
    profiler.start()
    for _ in range(calls):
        call()
    profiler.stop()
    path = Path(folder) / (re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-") + ".txt")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f"{name}: {calls} calls\n\n" + profiler.output_text(unicode=True, color=False))
    return path
