"""The dashboard's page model: figures from the database rows, their charts and the CSV lines."""
from __future__ import annotations

from datetime import timedelta

from clinic.database import utcnow
from clinic.outcomes import charts, figures, services
from clinic.review.vocabulary import DIAGNOSIS_COMPARISONS, TREATMENT_COMPARISONS, DiagnosisComparison


# The dashboard reads a period, as a clinic reviews its outcomes: a year by default.
PERIODS = {"12m": ("Last 12 months", 365), "3m": ("Last 3 months", 91), "all": ("All time", None)}
DEFAULT_PERIOD = "12m"


def period_of(raw: str | None) -> str:
    return raw if raw in PERIODS else DEFAULT_PERIOD


def compute(period: str = DEFAULT_PERIOD) -> figures.Figures:
    days = PERIODS[period][1]
    return figures.figures(*services.dashboard_data(utcnow() - timedelta(days=days) if days else None))


def _share_caption(share: figures.Share) -> str:
    return f"{share.percent} ({share.count} of {share.total})"


def chart_set(result: figures.Figures) -> dict:
    overall = result.overall
    diagnosis = [_bar(f"Diagnosis {DIAGNOSIS_COMPARISONS[c].lower()}", overall.diagnosis[c],
                            figures.VAN_SUCH[c], "Van Such") for c in DIAGNOSIS_COMPARISONS]
    treatment = [_bar(f"Treatment {TREATMENT_COMPARISONS[c].lower()}", overall.treatment[c])
                 for c in TREATMENT_COMPARISONS]
    treatment.append(_bar("Treatment modified or changed", overall.treatment_any_change,
                                figures.MEYER_TREATMENT_CHANGED, "Meyer"))
    treatment.append(_bar("Less invasive option offered", overall.less_invasive))
    per_sub = [_bar(group.name, group.diagnosis[DiagnosisComparison.CHANGED], None, "") for group in result.by_subspecialty]
    stages = [charts.Bar(stage.label, stage.median_days,
                         "no data" if stage.median_days is None else f"{stage.median_days:.1f} days (n={stage.cases})")
              for stage in result.stages]
    return {
        "diagnosis": charts.bar_chart("chart-diagnosis", "Diagnosis compared with the first opinion, "
                                      "against Van Such 2017", diagnosis, 1.0),
        "treatment": charts.bar_chart("chart-treatment", "Treatment compared with the first opinion, "
                                      "against Meyer 2015", treatment, 1.0),
        "subspecialty": charts.bar_chart("chart-subspecialty", "Diagnosis changed, by subspecialty", per_sub, 1.0),
        "stages": charts.bar_chart("chart-stages", "Median days in each stage", stages),
    }


def _bar(label: str, share: figures.Share, benchmark: float | None = None, source: str = "") -> charts.Bar:
    caption = f"{source} {benchmark * 100:.1f} %" if benchmark is not None else ""
    return charts.Bar(label, share.rate, _share_caption(share), benchmark, caption)
