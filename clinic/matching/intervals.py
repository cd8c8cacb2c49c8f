"""Date intervals with inclusive ends, as the directory stores them (end = last day, None = open).

Two stints "touch" when one ends on the day the other starts: both people were
there that day, so they overlap. A stint ending the day before the other starts
does not.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class Span:
    """Days from `start` to `end`, both included; None at either side is unbounded."""

    start: date | None
    end: date | None

    def contains(self, day: date) -> bool:
        return (self.start is None or self.start <= day) and (self.end is None or day <= self.end)

    def intersect(self, other: "Span") -> "Span | None":
        start = _latest(self.start, other.start)
        end = _earliest(self.end, other.end)
        if start is not None and end is not None and start > end:
            return None
        return Span(start, end)

    def describe(self) -> str:
        """Month precision, as a coordinator says it: '2019-03 to 2022-06', 'since 2019-03'."""
        if self.start is None and self.end is None:
            return "with no dates given"
        if self.start is None:
            return f"until {self.end:%Y-%m}"
        if self.end is None:
            return f"since {self.start:%Y-%m}"
        return f"{self.start:%Y-%m} to {self.end:%Y-%m}"


def lookback_window(on: date, years: int) -> Span:
    """The independence window: the last `years` years up to and including `on`."""
    try:
        start = on.replace(year=on.year - years)
    except ValueError:  # 29 February in a year without one
        start = on.replace(year=on.year - years, day=28)
    return Span(start, on)


def _latest(a: date | None, b: date | None) -> date | None:
    return b if a is None else a if b is None else max(a, b)


def _earliest(a: date | None, b: date | None) -> date | None:
    return b if a is None else a if b is None else min(a, b)
