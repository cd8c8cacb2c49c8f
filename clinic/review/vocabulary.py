"""The opinion's comparison categories (shared/DESIGN.md section 7), with plain-language readings.

The diagnosis categories follow Van Such et al. 2017 (same / refined or redefined /
distinctly different); the treatment categories follow Meyer et al. 2015's "treatment changed".
"""
from __future__ import annotations

DIAGNOSIS_COMPARISONS = {
    "confirmed": "Confirmed",
    "refined": "Refined",
    "changed": "Changed",
}
DIAGNOSIS_HELP = {
    "confirmed": "the same diagnosis",
    "refined": "the same condition, made more precise (stage, type, extent)",
    "changed": "a distinctly different diagnosis",
}
TREATMENT_COMPARISONS = {
    "same": "Same",
    "modified": "Modified",
    "changed": "Changed",
}
TREATMENT_HELP = {
    "same": "the treatment proposed is the right one",
    "modified": "the same approach with changes (extent, order, dose, timing)",
    "changed": "a different treatment, or none",
}

# What the patient reads in the report.
DIAGNOSIS_PLAIN = {
    "confirmed": "The second doctor agrees with the diagnosis you were given.",
    "refined": "The second doctor agrees with the diagnosis in general and made it more precise.",
    "changed": "The second doctor reached a different diagnosis.",
}
TREATMENT_PLAIN = {
    "same": "The second doctor recommends the same treatment.",
    "modified": "The second doctor recommends the same kind of treatment, with changes.",
    "changed": "The second doctor recommends a different treatment.",
}
