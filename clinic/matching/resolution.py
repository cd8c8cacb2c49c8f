"""Who the doctors named on a request without an NPI are: their likely directory matches, and the
coordinator's word (this clinician, or not in the directory). Operations flush and audit, never commit.

The independence rule can only see the ties of a doctor it can find in the directory; a doctor
named by name alone is unresolved until a coordinator says who they are (shared/DESIGN.md section 12).
"""
from __future__ import annotations

from collections import defaultdict

import sqlalchemy as sa

from clinic import audit
from clinic.cases import workflow
from clinic.cases.models import Case, CaseClinician
from clinic.database import utcnow
from clinic.directory.models import Affiliation, Clinician, Organization
from clinic.extensions import db
from clinic.matching import referrer
from clinic.matching import services
from clinic.matching.engine import INDEPENDENCE, ROLE_WORDS
from clinic.matching.services import MatchingError

# The sieve over the whole directory keeps at most this many namesakes to weigh in full.
SIEVED = 200


def unresolved(case: Case) -> list[CaseClinician]:
    return [named for named in case.clinicians if not named.is_resolved]


def likely_matches(case: Case, limit: int = 5) -> dict[str, list[referrer.LikelyMatch]]:
    """For each unresolved doctor of the case (by role), the directory clinicians they may be.

    Two queries whatever the directory's size: every clinician's name (light columns, sieved by
    the pure matcher), then the organizations of the few namesakes left."""
    pending = unresolved(case)
    if not pending:
        return {}
    names = db.session.execute(sa.select(Clinician.id, Clinician.npi, Clinician.name)).all()
    sieved = [names[i] for i in referrer.sieve([named.name for named in pending], [row.name for row in names])][:SIEVED]
    organizations = defaultdict(list)
    if sieved:
        for clinician_id, name in db.session.execute(
                sa.select(Affiliation.clinician_id, Organization.name)
                .join(Organization, Organization.id == Affiliation.organization_id)
                .where(Affiliation.clinician_id.in_([row.id for row in sieved]))
                .order_by(Affiliation.start.desc())):
            organizations[clinician_id].append(name)
    listed = [referrer.Listed(row.id, row.npi, row.name, tuple(organizations[row.id])) for row in sieved]
    return {named.role: referrer.likely_matches(referrer.NamedDoctor(named.name, named.organization), listed, limit)
            for named in pending}


def confirm_doctor(actor, case: Case, role: str, npi: str) -> tuple[CaseClinician, str | None]:
    """The named doctor is this directory clinician: the independence rule uses their ties from now on,
    as if the request had given their NPI. Returns the doctor and, when the case is already offered to
    someone tied to them, the warning (also written to the timeline)."""
    named = _named(case, role)
    person = db.session.scalar(sa.select(Clinician).where(Clinician.npi == (npi or "").strip()))
    if person is None:
        raise MatchingError("No clinician in the directory has this NPI. Check the number, or state that "
                            "the doctor is not in the directory.")
    workflow.claim(case)
    named.clinician_id, named.clinician = person.id, person
    _resolved(actor, named, "confirmed", None)
    workflow.note(actor, case, "matching", f"{named.name}, {ROLE_WORDS[role]}, confirmed in the directory as "
                                           f"{person.name} (NPI {person.npi}).")
    audit.record(actor, "update", "case_clinician", named.id,
                 detail=f"case={case.id} role={role} confirmed clinician={person.id}")
    db.session.flush()
    tie = live_tie(case)
    if tie:
        workflow.note(actor, case, "matching", tie)
    return named, tie


def live_tie(case: Case) -> str | None:
    """A proposal made before the doctor was known may be to someone tied to them: say so, in words."""
    live = services.live_assignment(case)
    if live is None:
        return None
    result = services.shortlist(case)
    ties = [r.text for x in result.excluded if x.specialist.id == live.specialist_id
            for r in x.reasons if r.rule == INDEPENDENCE]
    if not ties:
        return None
    return (f"{live.specialist.name}, who has this case ({live.status}), is not independent: {'; '.join(ties)}. "
            "Withdraw the proposal and propose someone else.")


def mark_not_in_directory(actor, case: Case, role: str, reason: str) -> CaseClinician:
    """The named doctor is not in the directory: the rule checks the organization the request names,
    and ties to this doctor are the coordinator's to check by hand."""
    reason = (reason or "").strip()
    if not reason:
        raise MatchingError("Say how you know the doctor is not in the directory (for example, "
                            "“searched by name and clinic, no listing”).")
    named = _named(case, role)
    workflow.claim(case)
    named.clinician_id, named.clinician = None, None
    _resolved(actor, named, "not_in_directory", reason[:500])
    workflow.note(actor, case, "matching", f"{named.name}, {ROLE_WORDS[role]}, is not in the directory: {reason[:500]}")
    audit.record(actor, "update", "case_clinician", named.id, detail=f"case={case.id} role={role} not_in_directory")
    db.session.flush()
    return named


def _named(case: Case, role: str) -> CaseClinician:
    named = case.named(role) if role in ROLE_WORDS else None
    if named is None:
        raise MatchingError(f"Case {case.reference} names no {ROLE_WORDS.get(role, 'such doctor')}.")
    if named.resolution == "by_npi":
        raise MatchingError(f"{named.name} is known by the NPI on the request ({named.npi}): nothing to confirm.")
    if not case.is_open:
        raise MatchingError(f"Case {case.reference} is {workflow.STATUS_LABELS[case.status].lower()}: "
                            "its doctors can no longer be changed.")
    return named


def _resolved(actor, named: CaseClinician, resolution: str, note: str | None) -> None:
    named.resolution, named.resolution_note = resolution, note
    named.resolved_by_id, named.resolved_at = getattr(actor, "id", None), utcnow()

