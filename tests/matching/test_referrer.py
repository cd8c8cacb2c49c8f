"""Who a doctor named without an NPI may be: the rules of likeness, without an app or a database."""
from __future__ import annotations

import pytest

from clinic.matching.referrer import (Listed, NamedDoctor, fold, likely_matches, name_likeness, name_tokens,
                                      organization_likeness)


@pytest.mark.parametrize("written, tokens", [
    ("Dr. Xavier Hale", ("xavier", "hale")),
    ("Hale, Xavier", ("xavier", "hale")),
    ("HALE, XAVIER J.", ("xavier", "j", "hale")),
    ("Xavier Hale, MD", ("xavier", "hale")),
    ("Xavier Hale MD, PhD", ("xavier", "hale")),
    ("Dr José García", ("jose", "garcia")),
    ("García, José, M.D.", ("jose", "garcia")),
    ("X.Hale", ("x", "hale")),
    ("  dr.  ", ()),
])
def test_a_name_is_read_given_name_first_without_titles_case_or_accents(written, tokens):
    assert name_tokens(written) == tokens


@pytest.mark.parametrize("named, listed, reason", [
    ("Dr. Xavier Hale", "Xavier Hale", "same name"),
    ("Hale, Xavier", "Dr. Xavier Hale", "same name"),
    ("Dr José Garcia", "José García, MD", "same name"),
    ("Xavier J. Hale", "Xavier Hale", "same first and last name"),
    ("X. Hale", "Dr. Xavier Hale", "same last name and first initial"),
    ("Xavier Hail", "Xavier Hale", "similar name"),
    ("Dr. Hale", "Xavier Hale", "same last name"),
    ("Mary Hale", "Xavier Hale", "same last name"),
    ("Ann Lee", "Xavier Hale", None),
    ("", "Xavier Hale", None),
])
def test_name_likeness_says_why(named, listed, reason):
    score, why = name_likeness(named, listed)
    assert why == reason
    assert (score > 0) == (reason is not None)


def test_a_fuller_likeness_of_name_scores_higher():
    order = ["Xavier Hale", "Xavier J Hale", "X Hale", "Xavier Hail", "Mary Hale"]
    scores = [name_likeness("Xavier Hale", other)[0] for other in order]
    assert scores == sorted(scores, reverse=True) and len(set(scores)) == len(scores)


@pytest.mark.parametrize("named, listed, reason", [
    ("Mercy General Hospital", ["Mercy General Hospital"], "same organization (Mercy General Hospital)"),
    ("mercy general hospital.", ["Mercy General Hospital"], "same organization (Mercy General Hospital)"),
    ("Mercy General", ["Mercy General Hospital"], "similar organization (Mercy General Hospital)"),
    ("Hôpital Saint-Éloi", ["Hopital Saint Eloi"], "same organization (Hopital Saint Eloi)"),
    ("General Hospital", ["Mercy General Hospital", "Lakeside Clinic"], "similar organization (Mercy General Hospital)"),
    ("City Hospital", ["Mercy General Hospital"], None),
    ("Mercy General", [], None),
    (None, ["Mercy General Hospital"], None),
])
def test_organization_likeness_ignores_the_words_every_hospital_shares(named, listed, reason):
    assert organization_likeness(named, listed)[1] == reason


HALE = Listed(1, "1000000001", "Dr. Xavier Hale", organizations=("Mercy General Hospital",), cities=("Springfield",))
OTHER_HALE = Listed(2, "1000000002", "Dr. Mary Hale", organizations=("Lakeside Clinic",))
NAMESAKE = Listed(3, "1000000003", "Xavier Hale", organizations=("Lakeside Clinic",), cities=("Shelbyville",))
COLLEAGUE = Listed(4, "1000000004", "Dr. Cole League", organizations=("Mercy General Hospital",))
DIRECTORY = [COLLEAGUE, NAMESAKE, OTHER_HALE, HALE]


@pytest.mark.parametrize("doctor, expected", [
    # The same name at the named organization ranks before a namesake elsewhere.
    (NamedDoctor("Xavier Hale", "Mercy General"), [(HALE, ("same name", "similar organization (Mercy General Hospital)")),
                                                    (NAMESAKE, ("same name",)),
                                                    (OTHER_HALE, ("same last name",))]),
    # The city tells two namesakes apart when no organization is named.
    (NamedDoctor("Hale, Xavier", city="Shelbyville"), [(NAMESAKE, ("same name", "same city")),
                                                        (HALE, ("same name",)),
                                                        (OTHER_HALE, ("same last name",))]),
    # A colleague at the named hospital is not the doctor: a likeness of name is needed.
    (NamedDoctor("Dr. Ann Lee", "Mercy General Hospital"), []),
])
def test_likely_matches_rank_by_name_then_organization_and_place(doctor, expected):
    found = likely_matches(doctor, DIRECTORY)
    assert [(m.clinician, m.reasons) for m in found] == expected


def test_likely_matches_are_few():
    crowd = [Listed(i, f"{i:010d}", "Dr. Xavier Hale") for i in range(20)]
    assert [m.clinician.id for m in likely_matches(NamedDoctor("Xavier Hale"), crowd, limit=3)] == [0, 1, 2]


def test_fold_drops_accents_case_and_punctuation():
    assert fold("  Dr.  JOSÉ-María  O'Neil ") == "dr jose maria o neil"
