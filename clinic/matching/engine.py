"""Independent-subspecialist matching: the four hard rules, the ranking, and the reasons.

Pure: plain dataclasses in, a Shortlist out; no Flask, no database session
(shared/DESIGN.md section 5). Every specialist either ranks, with the factors
that placed them, or is excluded with every reason in plain words, so a
coordinator can see *why* — the seed's "relevant experience, subspecialization,
independence, insurance coverage".
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta, timezone, tzinfo

from clinic.matching.intervals import Span, lookback_window

PANEL, SUBSPECIALTY, INDEPENDENCE, INSURANCE = "panel", "subspecialty", "independence", "insurance"
RULES = {
    PANEL: "Active on our panel and not a doctor already on the case",
    SUBSPECIALTY: "Subspecialty covering the diagnosis",
    INDEPENDENCE: "No professional connection with the first doctor",
    INSURANCE: "In the network of the patient's plan",
}
RULE_ORDER = {rule: position for position, rule in enumerate(RULES)}
ROLE_WORDS = {"referring": "the referring doctor", "first_opinion": "the first-opinion doctor"}
RELATIONSHIP_WORDS = {"co_practice": "co-practice", "co_author": "co-author"}
# A family tie does not end with a date in the directory (AMA H-320.955: no family member reviews).
LASTING_TIES = frozenset({"family"})


@dataclass(frozen=True)
class Stint:
    """A period at an organization. `stated` marks one taken from the request, not the directory."""

    organization_id: int
    organization: str
    span: Span
    stated: bool = False


@dataclass(frozen=True)
class Declared:
    """A declared relationship seen from the specialist's side."""

    other_id: int
    kind: str
    span: Span


@dataclass(frozen=True)
class Expertise:
    subspecialty_id: int
    code: str
    name: str
    prefixes: tuple[str, ...]  # dotless, upper case
    annual_volume: int = 0


@dataclass(frozen=True)
class Specialist:
    id: int
    npi: str
    name: str
    active: bool = True
    academic: bool = False
    languages: tuple[str, ...] = ()
    expertise: tuple[Expertise, ...] = ()
    stints: tuple[Stint, ...] = ()
    declared: tuple[Declared, ...] = ()
    networks: tuple[Span, ...] = ()        # memberships of the case's plan (those in force on the day suffice)
    caseload: int = 0                      # live assignments on open cases
    earliest_slot: datetime | None = None  # from the scheduling stage; None = unknown


@dataclass(frozen=True)
class Doctor:
    """A clinician named on the request (referring or first opinion). `resolved` is false while
    a doctor named without an NPI is not yet confirmed in the directory or stated to be outside it."""

    role: str
    name: str
    clinician_id: int | None = None
    npi: str | None = None
    stints: tuple[Stint, ...] = ()
    resolved: bool = True


@dataclass(frozen=True)
class Coverage:
    self_pay: bool = False
    plan_label: str | None = None   # "Acme Health Gold PPO"; None when no plan is stated
    plan_known: bool = True         # the plan exists in the directory
    out_of_network_agreed: bool = False


@dataclass(frozen=True)
class CaseFacts:
    on: date
    coverage: Coverage
    icd10: str | None = None                 # as written (C50.911)
    chosen_subspecialty: str | None = None   # code, used when the request has no diagnosis code
    doctors: tuple[Doctor, ...] = ()
    lookback_years: int = 5
    window_days: int = 30                    # the urgency window (urgent 7, soon 14, routine 30)
    language: str = "en"
    conflicts: frozenset[int] = frozenset()  # specialists who declared a conflict for this case
    declined: dict[int, str] = field(default_factory=dict)  # earlier declines: id -> reason
    case_id: int | None = None


@dataclass(frozen=True)
class Reason:
    rule: str
    text: str


@dataclass(frozen=True)
class Factors:
    subspecialty_code: str
    subspecialty: str
    prefix: str | None         # the matching ICD-10 prefix (None when chosen by hand)
    annual_volume: int
    academic: bool
    earliest_slot: datetime | None
    slot_in_window: bool | None
    shared_language: bool
    caseload: int
    declined_before: str | None = None

    @property
    def specificity(self) -> int:
        return len(self.prefix or "")

    def as_dict(self) -> dict:
        return {
            "subspecialty": self.subspecialty_code, "subspecialty_name": self.subspecialty,
            "icd10_prefix": _dotted(self.prefix) if self.prefix else None, "specificity": self.specificity,
            "annual_volume": self.annual_volume, "academic": self.academic,
            "earliest_slot": self.earliest_slot.isoformat() if self.earliest_slot else None,
            "slot_in_urgency_window": self.slot_in_window, "shared_language": self.shared_language,
            "caseload": self.caseload, "declined_before": self.declined_before,
        }

    def explain(self, zone: tzinfo = timezone.utc) -> list[str]:
        """One sentence per ranking factor, in ranking order; the slot on the reader's clock, its zone named."""
        lines = [f"{self.subspecialty}, covering {_dotted(self.prefix)}" if self.prefix
                 else f"{self.subspecialty} (chosen by the coordinator)",
                 f"{self.annual_volume} case{'s' if self.annual_volume != 1 else ''} a year in this subspecialty",
                 "Academic setting" if self.academic else "Community setting"]
        if self.earliest_slot is None:
            lines.append("Earliest free slot not known")
        else:
            where = "inside" if self.slot_in_window else "after"
            local = self.earliest_slot.astimezone(zone)
            lines.append(f"Earliest free slot {local:%Y-%m-%d %H:%M} {local.tzname()}, {where} the urgency window")
        lines.append("Speaks the patient's language" if self.shared_language else "Does not list the patient's language")
        lines.append(f"{self.caseload} case{'s' if self.caseload != 1 else ''} in progress")
        if self.declined_before:
            lines.append(f"Declined this case before: {self.declined_before}")
        return lines


@dataclass(frozen=True)
class Candidate:
    specialist: Specialist
    rank: int
    factors: Factors


@dataclass(frozen=True)
class Exclusion:
    specialist: Specialist
    reasons: tuple[Reason, ...]

    @property
    def rule(self) -> str:
        """The first rule failed: the group the coordinator finds the specialist under."""
        return self.reasons[0].rule


@dataclass
class Shortlist:
    candidates: list[Candidate]
    excluded: list[Exclusion]
    warnings: list[str]
    needs_subspecialty: bool = False
    # Doctors whose ties cannot be known yet (named without an NPI, not confirmed): the shortlist
    # may still hold someone tied to them, so proposing needs a stated override.
    incomplete: list[str] = field(default_factory=list)

    @property
    def independence_complete(self) -> bool:
        return not self.incomplete

    def excluded_by_rule(self) -> dict[str, list[Exclusion]]:
        groups: dict[str, list[Exclusion]] = {rule: [] for rule in RULES}
        for item in self.excluded:
            groups[item.rule].append(item)
        return groups

    def candidate(self, specialist_id: int) -> Candidate | None:
        return next((c for c in self.candidates if c.specialist.id == specialist_id), None)


def match(case: CaseFacts, specialists: Iterable[Specialist], outside: Iterable[Specialist] = ()) -> Shortlist:
    """Apply every hard rule to every specialist, then rank those left (deterministically).

    `outside` are specialists known to hold no subspecialty covering the case (the loader picks
    them by subspecialty, so it need not read their ties and networks): they are excluded by the
    panel and subspecialty rules alone, the later rules being moot for someone who cannot take
    the case anyway."""
    window = lookback_window(case.on, case.lookback_years)
    needs_subspecialty = not case.icd10 and not case.chosen_subspecialty
    passed, excluded = [], []
    if not needs_subspecialty:  # with nothing to match on yet, no one can be outside it (the loader passes none)
        for person in outside:
            excluded.append(Exclusion(person, (*panel_reasons(case, person), *subspecialty_reasons(case, person))))
    for person in specialists:
        reasons = [*panel_reasons(case, person), *subspecialty_reasons(case, person),
                   *independence_ties(case, person, window), *insurance_reasons(case, person)]
        if reasons:
            excluded.append(Exclusion(person, tuple(reasons)))
        elif not needs_subspecialty:
            passed.append(person)
    excluded.sort(key=lambda item: (RULE_ORDER[item.reasons[0].rule], item.specialist.name.casefold(), item.specialist.id))
    return Shortlist(_ranked(case, passed), excluded, warnings_for(case), needs_subspecialty, incomplete_for(case))


def with_slots(case: CaseFacts, shortlist: Shortlist, slots: Mapping[int, datetime]) -> Shortlist:
    """Rank the candidates again once the scheduling stage has told their earliest free slots (they
    passed every rule already: only their factors change)."""
    people = [c.specialist if c.specialist.earliest_slot == (slot := slots.get(c.specialist.id))
              else replace(c.specialist, earliest_slot=slot) for c in shortlist.candidates]
    return Shortlist(_ranked(case, people), shortlist.excluded, shortlist.warnings, shortlist.needs_subspecialty,
                     shortlist.incomplete)


def _ranked(case: CaseFacts, people: list[Specialist]) -> list[Candidate]:
    scored = [(person, factors_for(case, person)) for person in people]
    scored.sort(key=lambda pair: rank_key(*pair))
    return [Candidate(person, rank, factors) for rank, (person, factors) in enumerate(scored, start=1)]


def panel_reasons(case: CaseFacts, person: Specialist) -> list[Reason]:
    reasons = [] if person.active else [Reason(PANEL, "is not active on the panel")]
    for doctor in case.doctors:
        if doctor.clinician_id == person.id or (doctor.npi and doctor.npi == person.npi):
            reasons.append(Reason(PANEL, f"is {ROLE_WORDS[doctor.role]}"))
        elif doctor.clinician_id is None and not doctor.npi and _same_person(doctor.name, person.name):
            reasons.append(Reason(PANEL, f"has the name of {ROLE_WORDS[doctor.role]} ({doctor.name}), "
                                         "who is named without an NPI"))
    return reasons


def subspecialty_reasons(case: CaseFacts, person: Specialist) -> list[Reason]:
    if case.icd10:
        if best_expertise(case, person) is None:
            return [Reason(SUBSPECIALTY, f"no subspecialty covering {case.icd10}")]
    elif case.chosen_subspecialty and best_expertise(case, person) is None:
        return [Reason(SUBSPECIALTY, f"does not practise the chosen subspecialty ({case.chosen_subspecialty})")]
    return []


def best_expertise(case: CaseFacts, person: Specialist) -> tuple[Expertise, str | None] | None:
    """The specialist's subspecialty for this case and the longest ICD-10 prefix it matches on."""
    if not person.expertise:  # most of the panel, for any one diagnosis
        return None
    if not case.icd10:
        chosen = next((e for e in person.expertise if e.code == case.chosen_subspecialty), None)
        return (chosen, None) if chosen else None
    code = case.icd10.replace(".", "").upper()
    best = None
    for item in person.expertise:
        for prefix in item.prefixes:
            if code.startswith(prefix) and (best is None or _better(prefix, item, best)):
                best = (item, prefix)
    return best


def _better(prefix: str, item: Expertise, best: tuple[Expertise, str]) -> bool:
    return (len(prefix), item.annual_volume, item.code) > (len(best[1]), best[0].annual_volume, best[0].code)


def independence_ties(case: CaseFacts, person: Specialist, window: Span) -> list[Reason]:
    """Ties to the referring or first-opinion doctor inside the lookback window (section 5, rule 3)."""
    if not person.stints and not person.declared:  # most of the panel: nothing to compare
        return [Reason(INDEPENDENCE, "declared a conflict for this case")] if person.id in case.conflicts else []
    reasons = []
    for doctor in case.doctors:
        for mine in person.stints:
            for theirs in doctor.stints:
                if mine.organization_id != theirs.organization_id:
                    continue
                shared = mine.span.intersect(theirs.span)
                if shared is None or shared.intersect(window) is None:
                    continue
                if theirs.stated:
                    where = "not in the directory" if doctor.resolved else "not yet confirmed in the directory"
                    text = f"currently at {mine.organization}, named on the request for {doctor.name} ({where})"
                else:
                    text = f"shared {mine.organization} with {doctor.name}, {shared.describe()}"
                reasons.append(Reason(INDEPENDENCE, text))
        for tie in person.declared:
            if doctor.clinician_id is None or tie.other_id != doctor.clinician_id:
                continue
            if tie.kind in LASTING_TIES or tie.span.intersect(window) is not None:
                dates = "" if tie.span == Span(None, None) else f", {tie.span.describe()}"
                kind = RELATIONSHIP_WORDS.get(tie.kind, tie.kind)
                reasons.append(Reason(INDEPENDENCE, f"declared a {kind} relationship with {doctor.name}{dates}"))
    if person.id in case.conflicts:
        reasons.append(Reason(INDEPENDENCE, "declared a conflict for this case"))
    return _unique(reasons)


def insurance_reasons(case: CaseFacts, person: Specialist) -> list[Reason]:
    coverage = case.coverage
    if coverage.self_pay or coverage.out_of_network_agreed:
        return []
    if coverage.plan_label is None:
        return [Reason(INSURANCE, "no insurance plan is stated on the request")]
    if not coverage.plan_known or not _in_force(person.networks, case.on):
        return [Reason(INSURANCE, f"not in network for {coverage.plan_label} on {case.on:%Y-%m-%d}")]
    return []


def _in_force(spans: tuple[Span, ...], day: date) -> bool:
    for span in spans:  # a plain loop: this runs for every specialist on the panel
        if span.contains(day):
            return True
    return False


def factors_for(case: CaseFacts, person: Specialist) -> Factors:
    expertise, prefix = best_expertise(case, person)
    slot = person.earliest_slot
    in_window = None if slot is None else slot.date() <= case.on + timedelta(days=case.window_days)
    return Factors(
        subspecialty_code=expertise.code, subspecialty=expertise.name, prefix=prefix,
        annual_volume=expertise.annual_volume, academic=person.academic, earliest_slot=slot,
        slot_in_window=in_window, shared_language=case.language in person.languages,
        caseload=person.caseload, declined_before=case.declined.get(person.id),
    )


def rank_key(person: Specialist, factors: Factors) -> tuple:
    """Most specific subspecialty, volume, academic, earliest slot in the window, language,
    lighter caseload; then name and id so equal candidates always come out in one order."""
    if factors.earliest_slot is None:
        slot = (2, 0.0)
    else:
        slot = (0 if factors.slot_in_window else 1, factors.earliest_slot.timestamp())
    return (-factors.specificity, -factors.annual_volume, not factors.academic, slot,
            not factors.shared_language, factors.caseload, person.name.casefold(), person.id)


def warnings_for(case: CaseFacts) -> list[str]:
    """What the engine could not check, for the coordinator to check by hand."""
    found = []
    if not case.icd10 and not case.chosen_subspecialty:
        found.append("The request has no diagnosis code: choose the subspecialty to match on.")
    for doctor in case.doctors:
        # "Not in the directory" only once it is established (an NPI the directory lacks, or a coordinator's word).
        if doctor.clinician_id is None and not doctor.stints and doctor.resolved:
            found.append(f"{doctor.name} ({ROLE_WORDS[doctor.role]}) is not in the directory and no known "
                         "organization is named: check ties to this doctor by hand.")
    if not case.coverage.self_pay and case.coverage.plan_label and not case.coverage.plan_known:
        found.append(f"The plan {case.coverage.plan_label} is not in the directory: no specialist can be "
                     "confirmed in network. Add the plan and its networks, or record the coverage.")
    return found


def incomplete_for(case: CaseFacts) -> list[str]:
    """What keeps the independence rule from being checked in full: doctors not yet identified."""
    return [f"Independence check incomplete: confirm who {ROLE_WORDS[doctor.role]} is ({doctor.name})."
            for doctor in case.doctors if not doctor.resolved]


def _same_person(named: str, listed: str) -> bool:
    return _name_key(named) == _name_key(listed) and bool(_name_key(named))


def _name_key(name: str) -> str:
    words = "".join(ch if ch.isalnum() else " " for ch in name.casefold()).split()
    return " ".join(w for w in words if w not in {"dr", "md", "do", "phd", "prof"})


def _dotted(prefix: str) -> str:
    return prefix if len(prefix) <= 3 else prefix[:3] + "." + prefix[3:]


def _unique(reasons: list[Reason]) -> list[Reason]:
    return list(dict.fromkeys(reasons))
