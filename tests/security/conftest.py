"""The security suite's Hypothesis profiles: reproducible in CI, deeper on demand."""
from __future__ import annotations

import os

from hypothesis import HealthCheck, settings


# Derandomized so CI replays the same inputs every run; "thorough" digs further on demand
# (HYPOTHESIS_PROFILE=thorough). Examples share one per-test database transaction: each
# example's own writes are rolled back by the test itself (tests/security/fuzz.py).
_COMMON = dict(derandomize=True, deadline=None, database=None, print_blob=True,
               suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                      HealthCheck.data_too_large])
settings.register_profile("ci", max_examples=12, **_COMMON)
settings.register_profile("thorough", max_examples=200, **_COMMON)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))
