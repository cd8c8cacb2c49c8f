"""The two opinions side by side: which parts differ, and what that means for the patient.

Pure: plain values in, plain values out (no Flask, no database). The seed's advice is
the rule: if the opinions align they reinforce confidence; if they differ, the
reasoning behind each guides the next step.
"""
from __future__ import annotations

from dataclasses import dataclass

from flask_babel import gettext as _

from clinic.review.vocabulary import (DIAGNOSIS_COMPARISONS, DIAGNOSIS_PLAIN, TREATMENT_COMPARISONS, TREATMENT_PLAIN,
                                      DiagnosisComparison, TreatmentComparison)


@dataclass(frozen=True)
class FirstOpinion:
    diagnosis: str
    icd10: str | None
    treatment: str
    invasive: bool


@dataclass(frozen=True)
class SecondOpinion:
    diagnosis: str
    icd10: str | None
    diagnosis_comparison: str
    treatment_comparison: str
    less_invasive: bool
    less_invasive_option: str
    if_patient_waits: str
    recommendation: str


@dataclass(frozen=True)
class Row:
    label: str
    first: str
    second: str
    differs: bool
    verdict: str  # the category in words, shown beside the row (never colour alone)
    coded: bool = False  # a row of codes: clinicians read it, the patient's own copy leaves it out


@dataclass(frozen=True)
class Comparison:
    rows: list[Row]
    agree: bool
    summary: list[str]
    next_steps: list[str]


def compare(first: FirstOpinion, second: SecondOpinion) -> Comparison:
    dx_same = second.diagnosis_comparison == DiagnosisComparison.CONFIRMED
    tx_same = second.treatment_comparison == TreatmentComparison.SAME
    rows = [
        Row(_("Diagnosis"), first.diagnosis, second.diagnosis, not dx_same,
            _(DIAGNOSIS_COMPARISONS[second.diagnosis_comparison])),
        _code_row(first.icd10, second.icd10),
        Row(_("Treatment"), _treatment(first), second.recommendation, not tx_same,
            _(TREATMENT_COMPARISONS[second.treatment_comparison])),
        Row(_("A less invasive option"), _("Proposed treatment is invasive") if first.invasive else _("Not invasive"),
            second.less_invasive_option if second.less_invasive else _("None recommended"), second.less_invasive,
            _("Offered") if second.less_invasive else _("None")),
    ]
    agree = dx_same and tx_same
    summary = [_(DIAGNOSIS_PLAIN[second.diagnosis_comparison]), _(TREATMENT_PLAIN[second.treatment_comparison])]
    if second.less_invasive:
        summary.append(_("The second doctor describes a less invasive option."))
    return Comparison(rows, agree, summary, next_steps(agree, second))


def _code_row(first: str | None, second: str | None) -> Row:
    """Codes differ only when both opinions give one; a missing code is said, not counted as a difference."""
    if first and second:
        differs = first != second
        verdict = _("Different code") if differs else _("Same code")
    else:
        differs, verdict = False, _("Not comparable: a code is missing")
    return Row(_("Diagnosis code (ICD-10-CM)"), first or _("Not given"), second or _("Not given"), differs, verdict, coded=True)


def _treatment(first: FirstOpinion) -> str:
    return first.treatment or _("No treatment stated")


def next_steps(agree: bool, second: SecondOpinion) -> list[str]:
    if agree:
        return [_("The two opinions agree. That is reason for more confidence in the diagnosis and the plan."),
                _("Talk with your doctor about when to start, and about anything in this report that is unclear.")]
    steps = [_("The two opinions differ. Read the reasoning behind each in this report and discuss it with both doctors."),
             _("Ask each doctor what the difference means for you: the risks, the benefits and your quality of life.")]
    if second.less_invasive:
        steps.append(_("Ask whether the less invasive option suits you."))
    steps.append(_("If the difference is still unclear, a third opinion can help you decide."))
    return steps
