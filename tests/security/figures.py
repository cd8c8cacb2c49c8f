"""The figures the security suite reports at the end of a run (routes x principals checked,
hostile inputs tried, faults simulated, concurrent clients): counters kept per process."""
from __future__ import annotations

from collections import Counter

COUNTS: Counter[str] = Counter()


def add(name: str, amount: int = 1) -> None:
    COUNTS[name] += amount


def summary() -> list[str]:
    return [f"{name}: {count}" for name, count in sorted(COUNTS.items())]


def pytest_terminal_summary(terminalreporter):
    """Registered by tests/conftest.py, so the figures print whichever tests ran."""
    if COUNTS:
        terminalreporter.section("security figures")
        for line in summary():
            terminalreporter.write_line(line)
