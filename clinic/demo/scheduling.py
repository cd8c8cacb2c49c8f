"""Demo scheduling: weekly openings, a day off, and upcoming consultations booked through
the booking service on the cases the matching step left matched (their invites land in the
outbox, then as .eml files in MAIL_FOLDER). One matched case is left for booking in the browser.
"""
from __future__ import annotations

from datetime import time, timedelta

from clinic.matching.services import case_assignments
from clinic.scheduling import availability, services

OPENINGS = {
    # specialist: (weekdays, start, end, minutes, modality, location)
    "Dr. Priya Raman": [((0, 1, 2, 3, 4), time(9), time(12), 60, "video", "https://video.demo.clinic/raman"),
        ((1, 3), time(13), time(17), 45, "in_person",
         "Lakeside University Medical Center, Breast Center, 3rd floor, 1200 Lake Shore Dr")],
    "Dr. Miguel Alvarez": [((0, 1, 2, 3, 4), time(8), time(11), 60, "in_person",
                            "Mercy General Hospital, Urology Clinic, Suite 210"),
        ((2,), time(14), time(17), 30, "video", "https://video.demo.clinic/alvarez")],
}
OPENINGS |= {
    "Dr. Anika Sharma": [((0, 2, 4), time(10), time(15), 60, "in_person",
                          "Lakeside University Medical Center, Surgical Oncology, 5th floor")],
    "Dr. Yasmin Rahman": [((1, 3), time(9), time(16), 45, "video", "https://video.demo.clinic/rahman")],
}
# case index (demo.requests.CASES) -> (which free slot to book, the slot it moves to afterwards)
BOOKINGS = {1: (2, 6), 13: (1, None)}  # case 5 stays matched, for booking in the browser


def load(state: dict) -> None:
    coordinator, admin = state["users"]["coordinator"], state["users"]["admin"]
    panel, cases = state["panel"], state["cases"]
    for name, openings in OPENINGS.items():
        person = panel[name]
        for weekdays, start, end, minutes, modality, location in openings:
            for weekday in weekdays:
                availability.add_rule(admin, person, weekday, start, end, minutes, person.timezone, modality, location)
    raman = panel["Dr. Priya Raman"]
    first = availability.local_today(raman.timezone) + timedelta(days=1)
    availability.add_day_off(admin, raman, first + timedelta(days=21), "Oncology congress")
    for case_index, (slot, moved_to) in BOOKINGS.items():
        case = cases[case_index]
        person = next(a.specialist for a in case_assignments(case) if a.status == "accepted")
        free = availability.free_slots(person.id, first, first + timedelta(days=14))
        appointment = services.book(coordinator, case, free[slot].start)
        if moved_to is not None:
            services.reschedule(coordinator, appointment, free[moved_to].start)
