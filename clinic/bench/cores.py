"""The domain functions the benchmark measures directly: one match, the earliest-slot search, invites."""
from __future__ import annotations

import statistics
import time
from datetime import timedelta

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from clinic.bench.measure import Figure, timed
from clinic.bench.profile import write_profile
from clinic.bench.pages import Bench
from clinic.cases.models import Case
from clinic.cases.workflow import CaseStatus
from clinic.database import utcnow
from clinic.extensions import db
from clinic.scheduling.models import Appointment

SLOT_DAYS = 30
TOP = 10
INVITES = 500


def measure_cores(bench: Bench) -> list[Figure]:
    with bench.app.test_request_context():
        figures = [measure_match(bench), measure_slots(bench), *measure_invites(bench)]
        db.session.rollback()
    return figures


def measure_match(bench: Bench) -> Figure:
    """Loading the case's facts and the panel, and the engine: services.shortlist, as every page calls it."""
    from clinic.matching.services import shortlist

    figure = Figure("one match (load + engine), ready-to-match case", target=50, stat="median")
    shortlist(db.session.get(Case, bench.draw(CaseStatus.READY_TO_MATCH)))
    for _ in range(bench.runs):
        case = db.session.get(Case, bench.draw(CaseStatus.READY_TO_MATCH))
        with timed(figure, bench.counter):
            result = shortlist(case)
        bench.samples.setdefault("top", [c.specialist.id for c in result.candidates[:TOP]])
        db.session.expunge_all()  # the next match starts from a cold session, as a request does
    if bench.profile and figure.met() is False:
        write_profile(bench.profile, figure.name, lambda: (
            shortlist(db.session.get(Case, bench.draw(CaseStatus.READY_TO_MATCH))), db.session.expunge_all()))
    return figure


def measure_slots(bench: Bench) -> Figure:
    """The earliest free slot of each of the top candidates over the next 30 days."""
    from clinic.scheduling.availability import earliest_free_slots

    figure = Figure(f"earliest free slot, top {TOP} candidates, {SLOT_DAYS} days", target=20, stat="median")
    ids = bench.samples.get("top") or bench.samples["specialist"][:TOP]
    today = utcnow().date()
    earliest_free_slots(ids, today, today + timedelta(days=SLOT_DAYS))
    for _ in range(bench.runs):
        with timed(figure, bench.counter):
            earliest_free_slots(ids, today, today + timedelta(days=SLOT_DAYS))
    return figure


def measure_invites(bench: Bench) -> list[Figure]:
    """Invites built (the iCalendar REQUEST of one attendee) and invite mails written (both attendees,
    text, HTML and calendar, into the outbox) per second."""
    from clinic.scheduling import notices

    appointments = list(db.session.scalars(
        sa.select(Appointment).where(Appointment.status == "booked").order_by(Appointment.id).limit(INVITES)
        .options(selectinload(Appointment.case).selectinload(Case.questions))))
    rates = []
    for _ in range(3):  # the median of three passes: one pass is short enough for other load to skew
        started = time.perf_counter()
        for appointment in appointments:
            notices.calendar_text(appointment, appointment.timezone)
        rates.append(len(appointments) / (time.perf_counter() - started))
    built = Figure("invites built", unit="invites/s", value=statistics.median(rates), target=2000)
    if bench.profile and built.met() is False:
        write_profile(bench.profile, built.name, lambda: [notices.calendar_text(a, a.timezone) for a in appointments],
                      calls=1)
    started = time.perf_counter()
    for appointment in appointments:
        notices.send_invites(appointment)
    db.session.flush()
    mailed = Figure("invite mails written (2 per booking)", unit="mails/s",
                    value=2 * len(appointments) / (time.perf_counter() - started))
    return [built, mailed]
