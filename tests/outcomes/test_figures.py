"""The dashboard's figures against a hand-computed fixture (pure: no app, no database)."""
from __future__ import annotations

from dataclasses import dataclass, field

import pytest

from clinic.outcomes import charts, figures

START = 20513.375  # a day number (2026-03-01 09:00 UTC in days since the epoch), as case_milestones holds


@dataclass(frozen=True)
class OutcomeRow:
    """One case with a signed opinion."""

    subspecialty: str | None
    diagnosis: str       # confirmed / refined / changed
    treatment: str       # same / modified / changed
    less_invasive: bool
    milestones: dict[str, float] = field(default_factory=dict)  # status -> first reached, in days


def span(milestones: dict[str, float], source: str, target: str) -> float | None:
    """Days from reaching `source` to reaching `target`; None when either is missing or out of order."""
    start, end = milestones.get(source), milestones.get(target)
    if start is None or end is None or end < start:
        return None
    return end - start


def from_rows(rows: list[OutcomeRow]) -> figures.Figures:
    """The figures from one row per signed opinion: the page gets the same from the database's aggregates."""
    counts: dict[tuple, int] = {}
    for r in rows:
        key = (r.subspecialty, r.diagnosis, r.treatment, r.less_invasive)
        counts[key] = counts.get(key, 0) + 1
    spans = {pair: [d for r in rows if (d := span(r.milestones, *pair)) is not None] for pair in figures.SPANS}
    return figures.figures([figures.Tally(*key, count) for key, count in counts.items()], spans)


def reached(*days: float) -> dict:
    """Milestones records_pending .. opinion_recorded at these day offsets from START."""
    statuses = ("records_pending", "ready_to_match", "matched", "scheduled", "consulted", "opinion_recorded")
    return {status: START + d for status, d in zip(statuses, days)}


# Ten signed opinions, by hand:
#   Breast: 4 cases  dx confirmed 1, refined 2, changed 1 | tx same 2, modified 1, changed 1 | less invasive 1
#   Spine:  5 cases  dx confirmed 1, refined 3, changed 1 | tx same 1, modified 2, changed 2 | less invasive 3
#   (none): 1 case   dx changed                           | tx changed                       | less invasive 0
#   Overall 10: confirmed 2 (20 %), refined 5 (50 %), changed 3 (30 %); same 3, modified 3, changed 4
#   (treatment modified or changed 7 = 70 %); less invasive 4 (40 %).
#   Request to opinion: 10, 12, 14, 20, 30, 8, 9, 11, 40 days (one case has no timeline) -> median 12.
#   Records stage: 2, 3, 1, 5, 10, 1, 2, 2, 4 -> sorted 1 1 2 2 2 3 4 5 10 -> median 2.
ROWS = [
    OutcomeRow("Breast", "confirmed", "same", False, reached(0, 2, 3, 4, 8, 10)),
    OutcomeRow("Breast", "refined", "same", False, reached(0, 3, 4, 6, 10, 12)),
    OutcomeRow("Breast", "refined", "modified", True, reached(0, 1, 2, 3, 13, 14)),
    OutcomeRow("Breast", "changed", "changed", False, reached(0, 5, 6, 7, 15, 20)),
    OutcomeRow("Spine", "confirmed", "same", True, reached(0, 10, 12, 13, 25, 30)),
    OutcomeRow("Spine", "refined", "modified", True, reached(0, 1, 2, 3, 6, 8)),
    OutcomeRow("Spine", "refined", "modified", False, reached(0, 2, 3, 4, 7, 9)),
    OutcomeRow("Spine", "refined", "changed", True, reached(0, 2, 4, 5, 9, 11)),
    OutcomeRow("Spine", "changed", "changed", False, reached(0, 4, 5, 6, 30, 40)),
    OutcomeRow(None, "changed", "changed", False, {}),
]


@pytest.fixture(scope="module")
def result():
    return from_rows(ROWS)


@pytest.mark.parametrize("category, count, rate", [("confirmed", 2, 0.2), ("refined", 5, 0.5), ("changed", 3, 0.3)])
def test_overall_diagnosis_counts_and_rates(result, category, count, rate):
    share = result.overall.diagnosis[category]
    assert (share.count, share.total) == (count, 10) and share.rate == pytest.approx(rate)


@pytest.mark.parametrize("category, count", [("same", 3), ("modified", 3), ("changed", 4)])
def test_overall_treatment_counts(result, category, count):
    assert result.overall.treatment[category].count == count


def test_treatment_changed_against_meyer_counts_modified_and_changed(result):
    assert result.overall.treatment_any_change.rate == pytest.approx(0.7)


def test_less_invasive_share(result):
    assert (result.overall.less_invasive.count, result.overall.less_invasive.percent) == (4, "40 %")


def test_per_subspecialty_figures_with_unrecorded_subspecialty_kept_apart(result):
    groups = {g.name: g for g in result.by_subspecialty}
    assert set(groups) == {"Breast", "Spine", figures.UNKNOWN_SUBSPECIALTY}
    breast, spine = groups["Breast"], groups["Spine"]
    assert [breast.diagnosis[c].count for c in ("confirmed", "refined", "changed")] == [1, 2, 1]
    assert [spine.treatment[c].count for c in ("same", "modified", "changed")] == [1, 2, 2]
    assert spine.less_invasive.rate == pytest.approx(0.6)
    assert groups[figures.UNKNOWN_SUBSPECIALTY].total == 1


def test_median_days_to_opinion_and_per_stage(result):
    assert result.median_days_to_opinion == pytest.approx(12)
    assert result.opinion_cases == 9
    stages = {s.label: s for s in result.stages}
    assert stages["Records and coverage"].median_days == pytest.approx(2)
    assert stages["Writing the opinion"].median_days == pytest.approx(2)  # 2 2 1 5 5 2 2 2 10 -> 2
    assert stages["Until the consultation"].cases == 9


def test_benchmarks_are_the_published_figures(result):
    rows = {(label, source): benchmark for label, _, benchmark, source in figures.benchmark_rows(result.overall)}
    assert rows[("Diagnosis confirmed (same)", "Van Such 2017")] == 0.12
    assert rows[("Diagnosis refined", "Van Such 2017")] == 0.66
    assert rows[("Diagnosis changed (distinctly different)", "Van Such 2017")] == 0.21
    assert rows[("Diagnosis changed", "Meyer 2015")] == 0.148
    assert rows[("Treatment changed (modified or changed)", "Meyer 2015")] == 0.374


def test_no_opinions_gives_empty_figures_not_errors():
    empty = from_rows([])
    assert empty.overall.total == 0 and empty.overall.diagnosis["confirmed"].rate is None
    assert empty.median_days_to_opinion is None and empty.by_subspecialty == []
    assert empty.overall.less_invasive.percent == "—"
    assert len(figures.csv_rows(empty)) > 1


def test_a_milestone_out_of_order_is_left_out_of_the_medians():
    rows = [OutcomeRow("X", "confirmed", "same", False, reached(0, 5, 4, 6, 7, 8))]
    stages = {s.label: s for s in from_rows(rows).stages}
    assert stages["Matching"].cases == 0 and stages["Matching"].median_days is None


def test_the_csv_holds_aggregates_only(result):
    lines = figures.csv_rows(result)
    assert lines[0][:6] == ["group", "measure", "category", "count", "total", "value"]
    overall_refined = next(line for line in lines if line[:3] == ["All cases", "diagnosis", "refined"])
    assert overall_refined[3:9] == [5, 10, "50.0", "percent", "66.0", "Van Such 2017"]
    assert {line[0] for line in lines[1:]} == {"All cases", "Breast", "Spine", figures.UNKNOWN_SUBSPECIALTY}


def test_charts_are_svg_with_a_title_text_values_and_no_script():
    svg = charts.bar_chart("c1", "Diagnosis <compared>", [
        charts.Bar("Confirmed", 0.2, "20 % (2 of 10)", 0.12, "Van Such 12 %"),
        charts.Bar("<b>x</b>", None, "no data")])
    assert svg.startswith("<svg") and "<script" not in svg and "on" + "load" not in svg
    assert "<title id=\"c1-title\">Diagnosis &lt;compared&gt;</title>" in svg
    assert "20 % (2 of 10)" in svg and "Van Such 12 %" in svg and "stroke-dasharray" in svg
    assert "&lt;b&gt;x&lt;/b&gt;" in svg
