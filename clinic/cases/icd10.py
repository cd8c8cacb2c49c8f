"""ICD-10-CM codes: validation and descriptions from the published code set (simple-icd-10-cm)."""
from __future__ import annotations

import re
from functools import lru_cache

_SHAPE = re.compile(r"^[A-Z][0-9][0-9A-Z](\.?[0-9A-Z]{1,4})?$")


def normalize(code: str) -> str:
    """Upper case, dotted form (C50911 -> C50.911)."""
    code = code.strip().upper().replace(" ", "")
    bare = code.replace(".", "")
    return bare if len(bare) <= 3 else bare[:3] + "." + bare[3:]


def dotless(code: str) -> str:
    return code.replace(".", "").upper()


@lru_cache(maxsize=4096)
def describe(code: str | None) -> str | None:
    """The official description of a diagnosis code, or None when it is not one.

    Chapters and blocks (ranges such as C00-D49) are not diagnoses and are refused.
    """
    if not code or len(code) > 10:
        return None
    code = normalize(code)
    if not _SHAPE.match(code):
        return None
    cm = _code_set()

    if not cm.is_valid_item(code) or not cm.is_category_or_subcategory(code):
        return None
    return cm.get_description(code)


@lru_cache(maxsize=1)
def _code_set():
    """The published code set, loaded on first use (about a second): immutable for the life of the
    process, so it is frozen out of the garbage collector's scans like the rest of the start-up."""
    import simple_icd_10_cm as cm

    from clinic import freeze_startup_objects

    freeze_startup_objects()
    return cm


def is_neoplasm(code: str | None) -> bool:
    """Chapter II, neoplasms: C00-D49."""
    if not code:
        return False
    bare = dotless(code)
    return bare[:1] == "C" or (bare[:1] == "D" and bare[1:3].isdigit() and int(bare[1:3]) <= 49)


ICD10_MESSAGE = "Enter a valid ICD-10-CM code (for example C50.911), or leave it empty."
