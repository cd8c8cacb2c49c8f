"""The opinion's comparison categories (shared/DESIGN.md section 7), with plain-language readings.

The diagnosis categories follow Van Such et al. 2017 (same / refined or redefined /
distinctly different); the treatment categories follow Meyer et al. 2015's "treatment changed".
"""
from __future__ import annotations

from enum import StrEnum

from clinic.i18n import N_


class DiagnosisComparison(StrEnum):
    CONFIRMED = "confirmed"
    REFINED = "refined"
    CHANGED = "changed"


class TreatmentComparison(StrEnum):
    SAME = "same"
    MODIFIED = "modified"
    CHANGED = "changed"


DIAGNOSIS_COMPARISONS = {
    DiagnosisComparison.CONFIRMED: N_("Confirmed"),
    DiagnosisComparison.REFINED: N_("Refined"),
    DiagnosisComparison.CHANGED: N_("Changed"),
}
DIAGNOSIS_HELP = {
    DiagnosisComparison.CONFIRMED: "the same diagnosis",
    DiagnosisComparison.REFINED: "the same condition, made more precise (stage, type, extent)",
    DiagnosisComparison.CHANGED: "a distinctly different diagnosis",
}
TREATMENT_COMPARISONS = {
    TreatmentComparison.SAME: N_("Same"),
    TreatmentComparison.MODIFIED: N_("Modified"),
    TreatmentComparison.CHANGED: N_("Changed"),
}
TREATMENT_HELP = {
    TreatmentComparison.SAME: "the treatment proposed is the right one",
    TreatmentComparison.MODIFIED: "the same approach with changes (extent, order, dose, timing)",
    TreatmentComparison.CHANGED: "a different treatment, or none",
}

# What the patient reads in the report.
DIAGNOSIS_PLAIN = {
    DiagnosisComparison.CONFIRMED: N_("The second doctor agrees with the diagnosis you were given."),
    DiagnosisComparison.REFINED: N_("The second doctor agrees with the diagnosis in general and made it more precise."),
    DiagnosisComparison.CHANGED: N_("The second doctor reached a different diagnosis."),
}
TREATMENT_PLAIN = {
    TreatmentComparison.SAME: N_("The second doctor recommends the same treatment."),
    TreatmentComparison.MODIFIED: N_("The second doctor recommends the same kind of treatment, with changes."),
    TreatmentComparison.CHANGED: N_("The second doctor recommends a different treatment."),
}
