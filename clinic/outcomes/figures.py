"""The outcomes dashboard's figures, computed from plain rows (no Flask, no database session).

Benchmarks (shared/DESIGN.md section 7):
- Van Such et al., J Eval Clin Pract 2017 (286 referrals): same diagnosis 12 %, refined or
  redefined 66 %, distinctly different 21 %  -> our confirmed / refined / changed.
- Meyer et al., Am J Med 2015 (6,791 expert opinions): diagnosis changed 14.8 %, treatment
  changed 37.4 %. Their "treatment changed" counts any change to the plan, so it is set
  against our modified + changed.
Stage times are the days between the first time a case reached one status and the first
time it reached the next, read from the timeline.

The database hands over aggregates, not cases: a Tally per subspecialty and outcome, and the
day spans of each stage (`SPANS`).
"""
from __future__ import annotations

import statistics
from dataclasses import dataclass

from clinic.cases.workflow import CaseStatus
from clinic.review.vocabulary import (DIAGNOSIS_COMPARISONS, TREATMENT_COMPARISONS, DiagnosisComparison,
                                      TreatmentComparison)

VAN_SUCH = {DiagnosisComparison.CONFIRMED: 0.12, DiagnosisComparison.REFINED: 0.66, DiagnosisComparison.CHANGED: 0.21}
MEYER_DIAGNOSIS_CHANGED = 0.148
MEYER_TREATMENT_CHANGED = 0.374
STAGES = (
    (CaseStatus.RECORDS_PENDING, CaseStatus.READY_TO_MATCH, "Records and coverage"),
    (CaseStatus.READY_TO_MATCH, CaseStatus.MATCHED, "Matching"),
    (CaseStatus.MATCHED, CaseStatus.SCHEDULED, "Booking"),
    (CaseStatus.SCHEDULED, CaseStatus.CONSULTED, "Until the consultation"),
    (CaseStatus.CONSULTED, CaseStatus.OPINION_RECORDED, "Writing the opinion"),
)
TO_OPINION = (CaseStatus.RECORDS_PENDING, CaseStatus.OPINION_RECORDED)
SPANS = (TO_OPINION, *((source, target) for source, target, _ in STAGES))  # (from, to) statuses
UNKNOWN_SUBSPECIALTY = "Subspecialty not recorded"


@dataclass(frozen=True)
class Tally:
    """How many signed opinions share one subspecialty and one outcome."""

    subspecialty: str | None
    diagnosis: str
    treatment: str
    less_invasive: bool
    count: int


@dataclass(frozen=True)
class Share:
    count: int
    total: int

    @property
    def rate(self) -> float | None:
        return self.count / self.total if self.total else None

    @property
    def percent(self) -> str:
        return "—" if self.rate is None else f"{self.rate * 100:.0f} %"


@dataclass(frozen=True)
class Group:
    name: str
    total: int
    diagnosis: dict[str, Share]
    treatment: dict[str, Share]
    treatment_any_change: Share
    less_invasive: Share


@dataclass(frozen=True)
class StageTime:
    label: str
    median_days: float | None
    cases: int


@dataclass(frozen=True)
class Figures:
    overall: Group
    by_subspecialty: list[Group]
    median_days_to_opinion: float | None
    opinion_cases: int
    stages: list[StageTime]


def _group(name: str, tallies: list[Tally]) -> Group:
    total = sum(t.count for t in tallies)

    def share(test) -> Share:
        return Share(sum(t.count for t in tallies if test(t)), total)

    return Group(name, total,
                 {c: share(lambda t, c=c: t.diagnosis == c) for c in DIAGNOSIS_COMPARISONS},
                 {c: share(lambda t, c=c: t.treatment == c) for c in TREATMENT_COMPARISONS},
                 share(lambda t: t.treatment != TreatmentComparison.SAME), share(lambda t: t.less_invasive))


def median(values: list[float]) -> float | None:
    return statistics.median(values) if values else None


def figures(tallies: list[Tally], spans: dict[tuple[str, str], list[float]]) -> Figures:
    """The dashboard from the tallies and, for each (from, to) of SPANS, the days each case took."""
    by_name: dict[str, list[Tally]] = {}
    for tally in tallies:
        by_name.setdefault(tally.subspecialty or UNKNOWN_SUBSPECIALTY, []).append(tally)
    groups = [_group(name, by_name[name]) for name in sorted(by_name)]
    to_opinion = spans.get(TO_OPINION, [])
    stages = [StageTime(label, median(spans.get((source, target), [])), len(spans.get((source, target), [])))
              for source, target, label in STAGES]
    return Figures(_group("All cases", tallies), groups, median(to_opinion), len(to_opinion), stages)


def benchmark_rows(group: Group) -> list[tuple[str, Share, float, str]]:
    """(measure, our share, benchmark rate, source) for each benchmarked category."""
    return [
        ("Diagnosis confirmed (same)", group.diagnosis[DiagnosisComparison.CONFIRMED], VAN_SUCH[DiagnosisComparison.CONFIRMED], "Van Such 2017"),
        ("Diagnosis refined", group.diagnosis[DiagnosisComparison.REFINED], VAN_SUCH[DiagnosisComparison.REFINED], "Van Such 2017"),
        ("Diagnosis changed (distinctly different)", group.diagnosis[DiagnosisComparison.CHANGED], VAN_SUCH[DiagnosisComparison.CHANGED], "Van Such 2017"),
        ("Diagnosis changed", group.diagnosis[DiagnosisComparison.CHANGED], MEYER_DIAGNOSIS_CHANGED, "Meyer 2015"),
        ("Treatment changed (modified or changed)", group.treatment_any_change, MEYER_TREATMENT_CHANGED, "Meyer 2015"),
    ]


def csv_rows(result: Figures) -> list[list]:
    """Aggregate figures only (no case, no patient): one line per group, measure and category."""
    lines: list[list] = [["group", "measure", "category", "count", "total", "value", "unit",
                          "benchmark", "benchmark_source"]]

    def pct(rate: float | None) -> str:
        return "" if rate is None else f"{rate * 100:.1f}"

    def share(group: Group, measure: str, category: str, part: Share, benchmark=None, source="") -> list:
        return [group.name, measure, category, part.count, part.total, pct(part.rate), "percent",
                pct(benchmark), source]

    for group in [result.overall, *result.by_subspecialty]:
        for category, part in group.diagnosis.items():
            lines.append(share(group, "diagnosis", category, part, VAN_SUCH[category], "Van Such 2017"))
        changed = DiagnosisComparison.CHANGED
        lines.append(share(group, "diagnosis", changed, group.diagnosis[changed], MEYER_DIAGNOSIS_CHANGED, "Meyer 2015"))
        for category, part in group.treatment.items():
            lines.append(share(group, "treatment", category, part))
        lines.append(share(group, "treatment", "modified_or_changed", group.treatment_any_change,
                           MEYER_TREATMENT_CHANGED, "Meyer 2015"))
        lines.append(share(group, "less_invasive_option", "offered", group.less_invasive))
    days = "" if result.median_days_to_opinion is None else f"{result.median_days_to_opinion:.1f}"
    lines.append(["All cases", "median_time", "request_to_opinion", result.opinion_cases, "", days, "days", "", ""])
    for stage in result.stages:
        value = "" if stage.median_days is None else f"{stage.median_days:.1f}"
        lines.append(["All cases", "median_time", stage.label, stage.cases, "", value, "days", "", ""])
    return lines
