"""Timing and query counting for the benchmark: median, p95 and SQL statements per call."""
from __future__ import annotations

import statistics
import time
from contextlib import contextmanager
from dataclasses import dataclass, field

from sqlalchemy import event


@dataclass
class Figure:
    name: str
    times_ms: list[float] = field(default_factory=list)
    queries: list[int] = field(default_factory=list)
    unit: str = "ms"
    value: float | None = None  # for throughput figures (per second)

    @property
    def median(self) -> float:
        return statistics.median(self.times_ms) if self.times_ms else 0.0

    @property
    def p95(self) -> float:
        if not self.times_ms:
            return 0.0
        ordered = sorted(self.times_ms)
        return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]

    @property
    def query_count(self) -> int | None:
        return max(self.queries) if self.queries else None

    def as_dict(self, floor: float | None = None) -> dict:
        if self.value is not None:
            return {"name": self.name, "value": round(self.value, 1), "unit": self.unit}
        result = {"name": self.name, "median_ms": round(self.median, 2), "p95_ms": round(self.p95, 2),
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
    start = time.perf_counter()
    yield
    figure.times_ms.append((time.perf_counter() - start) * 1000)
    if counter:
        figure.queries.append(counter.count - before)
