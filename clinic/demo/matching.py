"""Demo matching: proposals waiting, accepted, and declined with a tie, on cases whose
records and coverage the records step verified (so they are ready to match)."""
from __future__ import annotations

from clinic.matching.resolution import confirm_doctor
from clinic.matching.services import accept_assignment, decline_assignment, propose_specialist


def load(state: dict) -> None:
    coordinator, doctor = state["users"]["coordinator"], state["users"]["specialist"]
    cases, panel = state["cases"], state["panel"]

    def propose(index: int, name: str):
        return propose_specialist(coordinator, cases[index], panel[name].npi)

    def confirm_first_doctor(index: int):
        """A patient names their doctor without an NPI: the coordinator confirms who it is in the directory."""
        named = cases[index].named("first_opinion")
        doctor = next(d for d in state["referring"] if d.name == named.name)
        confirm_doctor(coordinator, cases[index], "first_opinion", doctor.npi)

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
    # Rheumatoid arthritis, asked for by the patient: the doctor confirmed, accepted, left for the coordinator to book.
    confirm_first_doctor(5)
    accept_assignment(None, propose(5, "Dr. Yasmin Rahman"))
