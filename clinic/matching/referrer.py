"""Who in the directory a doctor named without an NPI may be: likely matches, ranked, with the reasons.

Pure: plain values in, plain values out; no Flask, no database session. The request names a
doctor as the patient or the referrer wrote it ("Hale, Xavier MD", "Dr. José García, Mercy
General"); the directory lists clinicians by NPI with their organizations. A likely match needs
some likeness of name; the organization and the city make it likelier. A coordinator confirms
or dismisses: nothing here decides who the doctor is.
"""
from __future__ import annotations

import re
import string
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from difflib import SequenceMatcher

# Titles and degrees written around a doctor's name: not part of who they are.
TITLES = frozenset({
    "dr", "doctor", "prof", "professor", "mr", "mrs", "ms", "miss", "md", "do", "phd", "mbbs", "mbchb",
    "facs", "facp", "frcs", "frcp", "rn", "np", "pa", "dnp", "aprn", "jr", "sr", "ii", "iii", "iv",
})
# Words that most organization names share: an overlap on these alone says nothing.
GENERIC_ORGANIZATION_WORDS = frozenset({
    "the", "of", "and", "at", "for", "hospital", "hospitals", "medical", "center", "centre", "clinic",
    "clinics", "health", "healthcare", "care", "system", "group", "practice", "associates", "inc", "llc",
    "pc", "pllc", "pa", "ltd", "st", "saint", "university", "physicians", "services",
})
INITIALS = re.compile(r"(?<=\b\w)\.(?=\w\b)")
SIMILAR_NAME = 0.88       # difflib ratio of two name keys above which a typo is the likelier story
SIMILAR_ORGANIZATION = 0.5  # share of the named organization's distinctive words found in a listed one


@dataclass(frozen=True)
class NamedDoctor:
    """The doctor as the request names them."""

    name: str
    organization: str | None = None
    city: str | None = None
    address: str | None = None


@dataclass(frozen=True)
class Listed:
    """A directory clinician with what can be compared: organizations and places they work."""

    id: int
    npi: str
    name: str
    organizations: tuple[str, ...] = ()
    cities: tuple[str, ...] = ()
    addresses: tuple[str, ...] = ()


@dataclass(frozen=True)
class LikelyMatch:
    clinician: Listed
    score: float
    reasons: tuple[str, ...]


_ASCII_PUNCTUATION = str.maketrans({ch: " " for ch in string.punctuation})


def fold(text: str | None) -> str:
    """Lower case, accents dropped (José -> jose), punctuation to spaces, spacing collapsed."""
    text = text or ""
    if text.isascii():  # most names: the whole directory passes through here, so the short way
        return " ".join(text.lower().translate(_ASCII_PUNCTUATION).split())
    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold()
    return " ".join("".join(ch if ch.isalnum() else " " for ch in plain).split())


def name_tokens(name: str | None) -> tuple[str, ...]:
    """The words of a person's name in given-then-family order, titles and degrees dropped.

    "Hale, Xavier" is family-first; "Xavier Hale, MD" has only a degree after its comma."""
    # Dots between single letters join them: "M.D." is the degree MD, not the words M and D.
    name = name or ""
    head, comma, tail = (INITIALS.sub("", name) if "." in name else name).partition(",")
    before = [w for w in fold(head).split() if w not in TITLES]
    after = [w for w in fold(tail).split() if w not in TITLES] if comma else []
    return tuple(after + before)


class NameLikeness:
    """One named doctor compared with many listed names (the whole directory, in the sieve): their
    side is read once, and the typo check's index of it is built once."""

    def __init__(self, named: str):
        self.tokens = name_tokens(named)
        self.similar = SequenceMatcher(None, "", " ".join(self.tokens), autojunk=False)

    def __call__(self, listed: str) -> tuple[float, str | None]:
        """How alike the listed name is (0 when not at all) and the reason in words."""
        mine, theirs = self.tokens, name_tokens(listed)
        if not mine or not theirs:
            return 0.0, None
        if mine == theirs or sorted(mine) == sorted(theirs):
            return 4.0, "same name"
        if mine[-1] == theirs[-1] and len(mine) > 1 and len(theirs) > 1:
            if mine[0] == theirs[0]:
                return 3.0, "same first and last name"
            if mine[0][0] == theirs[0][0] and (len(mine[0]) == 1 or len(theirs[0]) == 1):
                return 2.5, "same last name and first initial"
        self.similar.set_seq1(" ".join(theirs))
        # The quick upper bounds first: this runs over the whole directory.
        if self.similar.real_quick_ratio() >= SIMILAR_NAME and self.similar.quick_ratio() >= SIMILAR_NAME \
                and self.similar.ratio() >= SIMILAR_NAME:
            return 2.0, "similar name"
        if mine[-1] == theirs[-1]:
            return 1.0, "same last name"
        return 0.0, None


def name_likeness(named: str, listed: str) -> tuple[float, str | None]:
    return NameLikeness(named)(listed)


def organization_words(name: str | None) -> frozenset[str]:
    return frozenset(w for w in fold(name).split() if w not in GENERIC_ORGANIZATION_WORDS)


def organization_likeness(named: str | None, listed: Iterable[str]) -> tuple[float, str | None]:
    """The best likeness of the named organization to any of the clinician's, with the reason."""
    if not fold(named):
        return 0.0, None
    key, words = fold(named), organization_words(named)
    best = (0.0, None)
    for organization in listed:
        if fold(organization) == key:
            return 2.0, f"same organization ({organization})"
        theirs = organization_words(organization)
        if words and theirs and len(words & theirs) / len(words) >= SIMILAR_ORGANIZATION and best[0] < 1.0:
            best = (1.0, f"similar organization ({organization})")
    return best


def place_likeness(doctor: NamedDoctor, person: Listed) -> tuple[float, str | None]:
    if doctor.address and fold(doctor.address) in {fold(a) for a in person.addresses}:
        return 1.0, "same address"
    if doctor.city and fold(doctor.city) in {fold(c) for c in person.cities}:
        return 0.5, "same city"
    return 0.0, None


def likely_matches(doctor: NamedDoctor, directory: Iterable[Listed], limit: int = 5) -> list[LikelyMatch]:
    """The directory clinicians most like the named doctor, best first: a likeness of name is
    needed (a colleague at the same hospital is not the doctor); organization and place add to it."""
    found, likeness = [], NameLikeness(doctor.name)
    for person in directory:
        score, reason = likeness(person.name)
        if not score:
            continue
        reasons = [reason]
        for extra, why in (organization_likeness(doctor.organization, person.organizations),
                           place_likeness(doctor, person)):
            if extra:
                score += extra
                reasons.append(why)
        found.append(LikelyMatch(person, score, tuple(reasons)))
    found.sort(key=lambda m: (-m.score, fold(m.clinician.name), m.clinician.id))
    return found[:limit]


def sieve(doctor_names: Iterable[str], listed_names: Iterable[str]) -> list[int]:
    """The positions of the listed names like any of the doctors' (a first pass over the whole
    directory: only these are worth loading in full)."""
    likenesses = [NameLikeness(name) for name in doctor_names]
    return [i for i, listed in enumerate(listed_names) if any(like(listed)[0] for like in likenesses)]
