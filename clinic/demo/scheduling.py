"""Demo scheduling: the panel's weekly openings, a day off, and upcoming consultations booked
through the booking service (their invites land in the outbox, then as .eml files in MAIL_FOLDER).

Matching is a later merge: until then this step stands in for it, giving three
cases an accepted specialist and the `matched` status directly (demo data only).
"""
from __future__ import annotations

from datetime import time, timedelta

from clinic.database import utcnow
from clinic.extensions import db
from clinic.matching.models import Assignment
from clinic.scheduling import availability, services

OPENINGS = {
    # specialist index: (weekdays, start, end, minutes, modality, location)
    0: [((0, 1, 2, 3, 4), time(9), time(12), 60, "video", "https://video.demo.clinic/raman"),
        ((1, 3), time(13), time(17), 45, "in_person",
         "Lakeside University Medical Center, Breast Center, 3rd floor, 1200 Lake Shore Dr")],
    1: [((0, 1, 2, 3, 4), time(8), time(11), 60, "in_person", "Mercy General Hospital, Urology Clinic, Suite 210"),
        ((2,), time(14), time(17), 30, "video", "https://video.demo.clinic/alvarez")],
}
# case index -> (specialist index, book? which free slot, move to which slot afterwards)
MATCHED = {0: (0, 1, None), 1: (1, 2, 6), 4: (0, None, None)}


def _match(case, specialist) -> None:
    db.session.add(Assignment(case_id=case.id, specialist_id=specialist.id, status="accepted",
                              responded_at=utcnow()))
    case.status = "matched"  # demo stand-in for the matching stage (see the module docstring)
    case.status_changed_at = utcnow()


def load(state: dict) -> None:
    coordinator, admin = state["users"]["coordinator"], state["users"]["admin"]
    specialists, cases = state["specialists"], state["cases"]
    for index, openings in OPENINGS.items():
        person = specialists[index]
        for weekdays, start, end, minutes, modality, location in openings:
            for weekday in weekdays:
                availability.add_rule(admin, person, weekday, start, end, minutes, person.timezone, modality, location)
    first = availability.local_today(specialists[0].timezone) + timedelta(days=1)
    availability.add_day_off(admin, specialists[0], first + timedelta(days=21), "Oncology congress")
    for case_index, (specialist_index, slot, moved_to) in MATCHED.items():
        person, case = specialists[specialist_index], cases[case_index]
        _match(case, person)
        db.session.flush()
        if slot is None:
            continue  # left for the coordinator to book in the browser
        free = availability.free_slots(person.id, first, first + timedelta(days=14))
        appointment = services.book(coordinator, case, free[slot].start)
        if moved_to is not None:
            services.reschedule(coordinator, appointment, free[moved_to].start)
