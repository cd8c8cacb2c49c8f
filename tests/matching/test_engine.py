"""The matching rules of shared/DESIGN.md section 5, table by table, without the app."""
from __future__ import annotations

from datetime import date, datetime, timezone

import pytest

from clinic.matching.engine import (INDEPENDENCE, INSURANCE, PANEL, SUBSPECIALTY, CaseFacts, Coverage, Declared,
                                    Doctor, Expertise, Specialist, Stint, match)
from clinic.matching.intervals import Span, lookback_window

ON = date(2026, 12, 1)
BREAST = Expertise(1, "breast_onc", "Breast oncology", ("C50",), 80)
BREAST_UPPER = Expertise(2, "breast_upper", "Upper-outer breast", ("C504",), 10)
PROSTATE = Expertise(3, "uro_onc", "Urologic oncology", ("C61", "C67"), 120)
GOLD = Coverage(plan_label="Acme Health Gold PPO")
MERCY = 7


def specialist(id=10, name="Dr. Ada Stone", **changes) -> Specialist:
    values = dict(npi=f"1{id:09d}", expertise=(BREAST,), networks=(Span(date(2020, 1, 1), None),))
    values.update(changes)
    return Specialist(id=id, name=name, **values)


def referring(stints=(), clinician_id=99, name="Dr. Xavier Hale", npi=None) -> Doctor:
    return Doctor("referring", name, clinician_id, npi, tuple(stints))


def case(**changes) -> CaseFacts:
    values = dict(on=ON, coverage=GOLD, icd10="C50.911", doctors=(referring(),))
    values.update(changes)
    return CaseFacts(**values)


def at_mercy(start, end, stated=False) -> Stint:
    return Stint(MERCY, "Mercy General", Span(start, end), stated)


def reasons_of(result, rule=None) -> list[str]:
    return [r.text for item in result.excluded for r in item.reasons if rule is None or r.rule == rule]


def test_a_specialist_passing_every_rule_is_ranked_with_factors():
    result = match(case(), [specialist()])
    assert [c.specialist.id for c in result.candidates] == [10]
    assert result.excluded == []
    factors = result.candidates[0].factors.as_dict()
    assert factors["subspecialty"] == "breast_onc" and factors["icd10_prefix"] == "C50"
    assert factors["earliest_slot"] is None


# --- rule 1: active panel specialist, not a doctor already on the case -------------------------
@pytest.mark.parametrize("person, doctors, expected", [
    (specialist(active=False), (referring(),), "is not active on the panel"),
    (specialist(id=99), (referring(clinician_id=99),), "is the referring doctor"),
    (specialist(), (Doctor("first_opinion", "Dr. Ada Stone", 10),), "is the first-opinion doctor"),
    (specialist(), (referring(clinician_id=None, npi="1000000010"),), "is the referring doctor"),
    (specialist(), (referring(clinician_id=None, name="dr ada stone"),),
     "has the name of the referring doctor (dr ada stone), who is named without an NPI"),
])
def test_panel_rule_excludes_inactive_and_doctors_already_on_the_case(person, doctors, expected):
    result = match(case(doctors=doctors), [person])
    assert result.candidates == []
    assert reasons_of(result, PANEL) == [expected]


# --- rule 2: subspecialty covers the ICD-10 code by prefix ------------------------------------
@pytest.mark.parametrize("code, expertise, covered", [
    ("C50.911", (BREAST,), True),
    ("C50911", (BREAST,), True),
    ("c50.911", (BREAST,), True),
    ("C61", (PROSTATE,), True),
    ("C50.911", (PROSTATE,), False),
    ("C5", (BREAST,), False),          # a shorter code is not covered by a longer prefix
    ("C05.0", (BREAST,), False),
    ("C50.911", (), False),
])
def test_subspecialty_rule_matches_the_code_by_prefix(code, expertise, covered):
    result = match(case(icd10=code), [specialist(expertise=expertise)])
    assert bool(result.candidates) is covered
    if not covered:
        assert reasons_of(result, SUBSPECIALTY) == [f"no subspecialty covering {code}"]


def test_longest_matching_prefix_is_the_specialists_subspecialty_for_the_case():
    result = match(case(icd10="C50.411"), [specialist(expertise=(BREAST, BREAST_UPPER))])
    factors = result.candidates[0].factors
    assert (factors.subspecialty_code, factors.prefix, factors.specificity) == ("breast_upper", "C504", 4)


def test_without_a_code_the_coordinators_chosen_subspecialty_decides():
    people = [specialist(10, expertise=(BREAST,)), specialist(11, "Dr. B", expertise=(PROSTATE,))]
    chosen = match(case(icd10=None, chosen_subspecialty="uro_onc"), people)
    assert [c.specialist.id for c in chosen.candidates] == [11]
    assert reasons_of(chosen, SUBSPECIALTY) == ["does not practise the chosen subspecialty (uro_onc)"]
    unchosen = match(case(icd10=None), people)
    assert unchosen.needs_subspecialty and unchosen.candidates == [] and unchosen.excluded == []
    assert "choose the subspecialty" in unchosen.warnings[0]


# --- rule 3a: shared affiliation inside the lookback window -----------------------------------
@pytest.mark.parametrize("mine, theirs, tied", [
    # overlapping
    ((date(2019, 3, 1), date(2022, 6, 30)), (date(2018, 1, 1), None), True),
    # touching: one leaves the day the other arrives -- both were there that day
    ((date(2019, 3, 1), date(2022, 6, 30)), (date(2022, 6, 30), None), True),
    # adjacent: one leaves the day before the other arrives
    ((date(2019, 3, 1), date(2022, 6, 29)), (date(2022, 6, 30), None), False),
    # both open-ended
    ((date(2010, 1, 1), None), (date(2012, 1, 1), None), True),
    # shared, but all of it before the 5-year window (window starts 2021-12-01)
    ((date(2010, 1, 1), date(2021, 11, 30)), (date(2005, 1, 1), None), False),
    # shared time ends exactly on the first day of the window
    ((date(2010, 1, 1), date(2021, 12, 1)), (date(2005, 1, 1), None), True),
    # the doctor left before the specialist arrived
    ((date(2023, 1, 1), None), (date(2015, 1, 1), date(2022, 12, 31)), False),
    # future only: both start after the day of the match
    ((date(2027, 1, 1), None), (date(2027, 2, 1), None), False),
])
def test_shared_affiliation_inside_lookback_excludes_specialist(mine, theirs, tied):
    person = specialist(stints=(at_mercy(*mine),))
    result = match(case(doctors=(referring([at_mercy(*theirs)]),)), [person])
    assert bool(reasons_of(result, INDEPENDENCE)) is tied
    assert bool(result.candidates) is not tied


def test_affiliation_tie_reason_names_place_doctor_and_shared_months():
    person = specialist(stints=(at_mercy(date(2019, 3, 4), date(2022, 6, 30)),))
    result = match(case(doctors=(referring([at_mercy(date(2015, 1, 1), None)]),)), [person])
    assert reasons_of(result) == ["shared Mercy General with Dr. Xavier Hale, 2019-03 to 2022-06"]


def test_same_dates_at_different_organizations_are_no_tie():
    person = specialist(stints=(Stint(8, "Lakeside", Span(date(2015, 1, 1), None)),))
    result = match(case(doctors=(referring([at_mercy(date(2015, 1, 1), None)]),)), [person])
    assert result.candidates and not result.excluded


def test_lookback_setting_widens_the_window():
    person = specialist(stints=(at_mercy(date(2015, 1, 1), date(2019, 12, 31)),))
    doctors = (referring([at_mercy(date(2010, 1, 1), None)]),)
    assert match(case(doctors=doctors, lookback_years=5), [person]).candidates
    assert not match(case(doctors=doctors, lookback_years=10), [person]).candidates


@pytest.mark.parametrize("mine, tied", [
    ((date(2015, 1, 1), None), True),                 # there now
    ((date(2015, 1, 1), ON), True),                   # leaves today
    ((date(2015, 1, 1), date(2026, 11, 30)), False),  # left yesterday: not *currently* there
    ((date(2026, 12, 2), None), False),               # arrives tomorrow
])
def test_doctor_outside_directory_is_tied_to_everyone_currently_at_the_named_organization(mine, tied):
    stated = at_mercy(ON, ON, stated=True)
    person = specialist(stints=(at_mercy(*mine),))
    result = match(case(doctors=(referring([stated], clinician_id=None, name="Dr. Ann Lee"),)), [person])
    expected = ["currently at Mercy General, named on the request for Dr. Ann Lee (not in the directory)"]
    assert reasons_of(result) == (expected if tied else [])


def test_doctor_outside_directory_without_organization_gives_a_warning():
    result = match(case(doctors=(referring(clinician_id=None, name="Dr. Ann Lee"),)), [specialist()])
    assert any("Dr. Ann Lee" in w and "by hand" in w for w in result.warnings)


# A doctor named without an NPI and not yet confirmed: nothing is known of them, so nothing is claimed.
@pytest.mark.parametrize("stints, resolved, incomplete, warned, tie", [
    ((), False, True, False, None),
    ((), True, False, True, None),
    ((at_mercy(ON, ON, stated=True),), False, True, False,
     "currently at Mercy General, named on the request for Dr. Ann Lee (not yet confirmed in the directory)"),
    ((at_mercy(ON, ON, stated=True),), True, False, False,
     "currently at Mercy General, named on the request for Dr. Ann Lee (not in the directory)"),
])
def test_an_unresolved_doctor_leaves_the_check_incomplete_and_is_not_called_outside_the_directory(
        stints, resolved, incomplete, warned, tie):
    doctor = Doctor("referring", "Dr. Ann Lee", None, None, stints, resolved=resolved)
    person = specialist(stints=(at_mercy(date(2015, 1, 1), None),))
    result = match(case(doctors=(doctor,)), [person])
    assert result.incomplete == (["Independence check incomplete: confirm who the referring doctor is (Dr. Ann Lee)."]
                                 if incomplete else [])
    assert result.independence_complete is not incomplete
    assert any("is not in the directory" in w for w in result.warnings) is warned
    assert reasons_of(result, INDEPENDENCE) == ([tie] if tie else [])


def test_incomplete_survives_the_slot_ranking():
    from clinic.matching.engine import with_slots

    facts = case(doctors=(Doctor("first_opinion", "Dr. Ann Lee", resolved=False),))
    result = with_slots(facts, match(facts, [specialist()]), {})
    assert result.incomplete == ["Independence check incomplete: confirm who the first-opinion doctor is (Dr. Ann Lee)."]


# --- rule 3b-c: declared relationships and conflicts -------------------------------------------
@pytest.mark.parametrize("kind, span, expected", [
    ("financial", Span(None, None), "declared a financial relationship with Dr. Xavier Hale"),
    ("co_author", Span(date(2020, 1, 1), date(2023, 5, 31)),
     "declared a co-author relationship with Dr. Xavier Hale, 2020-01 to 2023-05"),
    ("training", Span(date(2001, 7, 1), date(2004, 6, 30)), None),     # ended before the window
    ("family", Span(date(1990, 1, 1), date(1995, 1, 1)),
     "declared a family relationship with Dr. Xavier Hale, 1990-01 to 1995-01"),  # family ties last
    ("co_practice", Span(date(2024, 1, 1), None),
     "declared a co-practice relationship with Dr. Xavier Hale, since 2024-01"),
])
def test_declared_relationship_with_the_doctor_excludes_specialist(kind, span, expected):
    person = specialist(declared=(Declared(99, kind, span),))
    result = match(case(), [person])
    assert reasons_of(result) == ([expected] if expected else [])


def test_relationship_with_someone_else_is_no_tie():
    person = specialist(declared=(Declared(55, "family", Span(None, None)),))
    assert match(case(), [person]).candidates


def test_declared_conflict_for_this_case_excludes_specialist():
    result = match(case(conflicts=frozenset({10})), [specialist()])
    assert reasons_of(result) == ["declared a conflict for this case"]


def test_first_opinion_doctor_ties_count_like_the_referring_doctors():
    first = Doctor("first_opinion", "Dr. Fay Moss", 77, None, (at_mercy(date(2020, 1, 1), None),))
    person = specialist(stints=(at_mercy(date(2021, 1, 1), None),))
    result = match(case(doctors=(referring(), first)), [person])
    assert reasons_of(result) == ["shared Mercy General with Dr. Fay Moss, since 2021-01"]


# --- rule 4: network of the patient's plan on the day ------------------------------------------
@pytest.mark.parametrize("networks, in_network", [
    ((Span(date(2020, 1, 1), None),), True),
    ((Span(date(2020, 1, 1), ON),), True),                  # last day of membership
    ((Span(ON, None),), True),                              # first day of membership
    ((Span(date(2020, 1, 1), date(2026, 11, 30)),), False),  # ended the day before
    ((Span(date(2026, 12, 2), None),), False),               # starts the day after
    ((), False),
    ((Span(date(2019, 1, 1), date(2019, 12, 31)), Span(date(2026, 1, 1), None)), True),  # re-joined
])
def test_network_membership_on_the_day_is_required(networks, in_network):
    result = match(case(), [specialist(networks=networks)])
    assert bool(result.candidates) is in_network
    if not in_network:
        assert reasons_of(result, INSURANCE) == ["not in network for Acme Health Gold PPO on 2026-12-01"]


@pytest.mark.parametrize("coverage", [Coverage(self_pay=True), Coverage(plan_label="Acme Health Gold PPO",
                                                                         out_of_network_agreed=True)])
def test_self_pay_or_agreed_out_of_network_needs_no_network(coverage):
    assert match(case(coverage=coverage), [specialist(networks=())]).candidates


def test_plan_missing_from_directory_excludes_all_and_warns():
    result = match(case(coverage=Coverage(plan_label="Zeta Care Basic", plan_known=False)), [specialist()])
    assert reasons_of(result) == ["not in network for Zeta Care Basic on 2026-12-01"]
    assert any("Zeta Care Basic is not in the directory" in w for w in result.warnings)


def test_no_plan_stated_excludes_with_its_own_reason():
    result = match(case(coverage=Coverage()), [specialist()])
    assert reasons_of(result) == ["no insurance plan is stated on the request"]


def test_every_failed_rule_is_listed_and_the_first_one_groups_the_exclusion():
    person = specialist(active=False, expertise=(), networks=(), declared=(Declared(99, "financial", Span(None, None)),))
    result = match(case(), [person])
    assert [r.rule for r in result.excluded[0].reasons] == [PANEL, SUBSPECIALTY, INDEPENDENCE, INSURANCE]
    assert result.excluded_by_rule()[PANEL] == result.excluded


# --- ranking ----------------------------------------------------------------------------------
def slot(day: int) -> datetime:
    return datetime(2026, 12, day, 14, 0, tzinfo=timezone.utc)


@pytest.mark.parametrize("first, second", [
    (dict(expertise=(BREAST_UPPER,)), dict(expertise=(Expertise(1, "b", "B", ("C50",), 999),))),  # specificity
    (dict(expertise=(Expertise(1, "b", "B", ("C50",), 81),)), dict()),                          # volume
    (dict(academic=True), dict()),                                                              # academic
    (dict(earliest_slot=slot(3)), dict(earliest_slot=slot(5))),                                 # earlier slot
    (dict(earliest_slot=datetime(2027, 3, 1, tzinfo=timezone.utc)), dict()),                    # late beats unknown
    (dict(languages=("es",)), dict(languages=("en",))),                                         # language
    (dict(caseload=1), dict(caseload=4)),                                                       # lighter caseload
])
def test_ranking_factors_in_order(first, second):
    people = [specialist(11, "Dr. Zed", **first), specialist(12, "Dr. Abe", **second)]
    result = match(case(icd10="C50.411", language="es"), people)
    assert [c.specialist.id for c in result.candidates] == [11, 12]
    assert [c.rank for c in result.candidates] == [1, 2]


def test_slot_inside_the_urgency_window_beats_a_later_one_with_more_volume_ignored():
    inside = specialist(11, "Dr. Zed", earliest_slot=slot(7))
    outside = specialist(12, "Dr. Abe", earliest_slot=datetime(2026, 12, 9, tzinfo=timezone.utc))
    result = match(case(window_days=7), [outside, inside])
    assert [c.specialist.id for c in result.candidates] == [11, 12]
    assert [c.factors.slot_in_window for c in result.candidates] == [True, False]


def test_equal_candidates_are_ordered_by_name_then_id_whatever_the_input_order():
    people = [specialist(30, "Dr. Bea"), specialist(20, "dr. amy"), specialist(25, "Dr. Bea")]
    for order in (people, people[::-1], [people[1], people[0], people[2]]):
        assert [c.specialist.id for c in match(case(), order).candidates] == [20, 25, 30]


def test_factor_explanations_read_as_sentences():
    result = match(case(language="es"), [specialist(languages=("en", "es"), caseload=1,
                                                     earliest_slot=slot(4))])
    assert result.candidates[0].factors.explain() == [
        "Breast oncology, covering C50", "80 cases a year in this subspecialty", "Community setting",
        "Earliest free slot 2026-12-04 14:00 UTC, inside the urgency window", "Speaks the patient's language",
        "1 case in progress"]


def test_lookback_window_on_29_february():
    assert lookback_window(date(2028, 2, 29), 5) == Span(date(2023, 2, 28), date(2028, 2, 29))


def test_slots_told_later_rerank_the_candidates_and_keep_the_exclusions():
    from clinic.matching.engine import with_slots

    people = [specialist(11, "Dr. Abe"), specialist(12, "Dr. Zed"), specialist(13, "Dr. Out", networks=())]
    first = match(case(), people)
    again = with_slots(case(), first, {12: slot(2)})
    assert [c.specialist.id for c in again.candidates] == [12, 11]
    assert again.candidates[0].factors.earliest_slot == slot(2)
    assert again.excluded == first.excluded


def test_the_earliest_slot_reads_on_the_readers_clock_with_its_zone_named():
    from zoneinfo import ZoneInfo

    result = match(case(), [specialist(earliest_slot=slot(4))])
    lines = result.candidates[0].factors.explain(ZoneInfo("America/Chicago"))
    assert "Earliest free slot 2026-12-04 08:00 CST, inside the urgency window" in lines


def test_a_specialist_outside_the_subspecialty_is_excluded_by_the_panel_and_subspecialty_rules_alone():
    """The loader reads ties and networks only for those who cover the case: the later rules are moot for the rest."""
    outside = [specialist(11, "Dr. Out Side", expertise=(), networks=()),
               specialist(12, "Dr. Gone", active=False, expertise=(), networks=())]
    result = match(case(), [specialist()], outside=outside)
    assert [c.specialist.id for c in result.candidates] == [10]
    assert {x.specialist.id: [r.rule for r in x.reasons] for x in result.excluded} == {
        11: [SUBSPECIALTY], 12: [PANEL, SUBSPECIALTY]}
    assert reasons_of(result, SUBSPECIALTY) == ["no subspecialty covering C50.911"] * 2
    chosen = match(case(icd10=None, chosen_subspecialty="uro_onc"), [], outside=outside[:1])
    assert reasons_of(chosen) == ["does not practise the chosen subspecialty (uro_onc)"]
