"""Timing and query counting for the benchmark: median, p95 and SQL statements per call, against a target."""
from __future__ import annotations

import statistics
import time
from contextlib import contextmanager
from dataclasses import dataclass, field

from sqlalchemy import event


@dataclass
class Figure:
    """One measured figure: call times (ms) and queries, or a throughput `value` in `unit`.

    `target` is the issue's target: a ceiling in ms on `stat` (median or p95) for timed
    figures, a floor for throughputs; `floor_target` a ceiling on the median as a multiple
    of the hello-world route's."""

    name: str
    times_ms: list[float] = field(default_factory=list)
    cpu_ms: list[float] = field(default_factory=list)  # this process's CPU time: what other load cannot inflate
    queries: list[int] = field(default_factory=list)
    unit: str = "ms"
    value: float | None = None
    target: float | None = None
    stat: str = "p95"
    floor_target: float | None = None

    @property
    def median(self) -> float:
        return statistics.median(self.times_ms) if self.times_ms else 0.0

    @property
    def cpu_median(self) -> float:
        return statistics.median(self.cpu_ms) if self.cpu_ms else 0.0

    @property
    def p95(self) -> float:
        if not self.times_ms:
            return 0.0
        ordered = sorted(self.times_ms)
        return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]

    @property
    def query_count(self) -> int | None:
        return max(self.queries) if self.queries else None

    def met(self, floor: float | None = None) -> bool | None:
        """Whether the targets hold (None when the figure has none)."""
        checks = []
        if self.target is not None:
            if self.value is not None:
                checks.append(self.value >= self.target)
            else:
                checks.append((self.p95 if self.stat == "p95" else self.median) <= self.target)
        if self.floor_target is not None and floor:
            checks.append(self.median / floor <= self.floor_target)
        return all(checks) if checks else None

    def target_text(self) -> str:
        parts = []
        if self.target is not None:
            parts.append(f"≥ {self.target:,.0f}/s" if self.value is not None else f"{self.stat} ≤ {self.target:g} ms")
        if self.floor_target is not None:
            parts.append(f"≤ {self.floor_target:g}× floor")
        return ", ".join(parts)

    def as_dict(self, floor: float | None = None) -> dict:
        result = {"name": self.name, "target": self.target_text() or None, "met": self.met(floor)}
        if self.value is not None:
            return result | {"value": round(self.value, 1), "unit": self.unit}
        result |= {"median_ms": round(self.median, 2), "p95_ms": round(self.p95, 2),
                   "cpu_median_ms": round(self.cpu_median, 2),
                   "queries": self.query_count, "runs": len(self.times_ms)}
        if floor:
            result["x_floor"] = round(self.median / floor, 1)
        return result


class QueryCounter:
    """Counts statements sent to the database through an engine."""

    def __init__(self, engine):
        self.count = 0
        event.listen(engine, "before_cursor_execute", self._seen)

    def _seen(self, *args, **kwargs):
        self.count += 1


@contextmanager
def timed(figure: Figure, counter: QueryCounter | None = None):
    before = counter.count if counter else 0
    cpu, start = time.process_time(), time.perf_counter()
    yield
    figure.times_ms.append((time.perf_counter() - start) * 1000)
    figure.cpu_ms.append((time.process_time() - cpu) * 1000)
    if counter:
        figure.queries.append(counter.count - before)
