"""Demo matching: cases ready to match, proposals waiting, accepted, and declined with a tie.

Until the records and coverage stage opens the gate for real, this step moves the
chosen cases to `ready_to_match` itself (demo code only; the app never sets a status).
"""
from __future__ import annotations

from clinic.cases.models import TimelineEntry
from clinic.database import utcnow
from clinic.extensions import db
from clinic.matching.services import accept_assignment, decline_assignment, propose_specialist

READY = (0, 1, 2, 3, 4, 5, 9, 13)  # indexes into demo.requests.CASES


def open_gate(case, actor) -> None:
    """Stand-in for the records and coverage stage: the case becomes ready to match."""
    case.status = "ready_to_match"
    case.status_changed_at = utcnow()
    db.session.add(TimelineEntry(case=case, actor_id=getattr(actor, "id", None), kind="status",
                                 from_status="records_pending", to_status="ready_to_match",
                                 note="Records and coverage verified (demo)."))


def load(state: dict) -> None:
    coordinator, doctor = state["users"]["coordinator"], state["users"]["specialist"]
    cases, panel = state["cases"], state["panel"]
    for index in READY:
        open_gate(cases[index], coordinator)
    db.session.flush()

    def propose(index: int, name: str):
        return propose_specialist(coordinator, cases[index], panel[name].npi)

    # Breast cancer, urgent: one surgeon declined with a tie to the referring doctor; the demo
    # specialist's answer is awaited.
    decline_assignment(None, propose(0, "Dr. Sarah Lindqvist"),
                       "I trained under Dr. Carter and still co-host her tumour board.", conflict=True)
    propose(0, doctor.clinician.name)
    # Prostate cancer: accepted, the case is matched.
    accept_assignment(None, propose(1, "Dr. Miguel Alvarez"))
    # Lymphoma, urgent: the first choice is away; the case waits for another proposal.
    decline_assignment(None, propose(9, "Dr. Isabel Navarro"), "On leave until the end of the month.", conflict=False)
    # Pancreatic cancer: accepted.
    accept_assignment(None, propose(13, "Dr. Anika Sharma"))
