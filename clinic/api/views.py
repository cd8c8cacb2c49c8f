"""The API v1 blueprint with every stage's routes: each module below adds its own to `bp`."""
from clinic.api import matching, records, requests, review, scheduling  # noqa: F401  (importing them registers their routes)
from clinic.api.blueprint import bp

__all__ = ["bp"]
