"""Availability: editing a specialist's weekly rules and days off, and reading free slots from the database.

The slot arithmetic is slots.py's; this module only loads what it needs in a
fixed number of queries (rules, days off, bookings), whatever the number of
specialists asked about.
"""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from clinic import audit
from clinic.database import utcnow
from clinic.directory.rules import timezones
from clinic.errors import DomainError
from clinic.extensions import db
from clinic.scheduling import slots
from clinic.scheduling.models import ACTIVE, MODALITIES, WEEKDAYS, Appointment, AvailabilityRule, DayOff

MIN_SLOT, MAX_SLOT = 10, 480
MAX_RANGE_DAYS = 92  # a slot search spans at most a quarter: enough to book, bounded in cost


class AvailabilityError(DomainError):
    """A rule or day off that cannot be saved; `field` names the input at fault."""

    status = 422


def as_rule(row: AvailabilityRule) -> slots.Rule:
    return slots.Rule(row.weekday, row.start_time, row.end_time, row.slot_minutes, row.timezone,
                      row.modality, row.location)


def check_rule(weekday: int, start: time, end: time, slot_minutes: int, zone: str, modality: str,
               location: str) -> None:
    """Input rules of an availability rule, shared by the form, the API and the CSV import."""
    if weekday not in range(7):
        raise AvailabilityError("Use a weekday from 0 (Monday) to 6 (Sunday).", field="weekday")
    if zone not in timezones():  # the zone set read once per process (a scan of tzdata)
        raise AvailabilityError("Use an IANA time zone such as America/New_York.", field="timezone")
    if modality not in MODALITIES:
        raise AvailabilityError("Use in_person or video.", field="modality")
    if not MIN_SLOT <= slot_minutes <= MAX_SLOT:
        raise AvailabilityError(f"Use a slot length from {MIN_SLOT} to {MAX_SLOT} minutes.", field="slot_minutes")
    if end <= start:
        raise AvailabilityError("The end must be later than the start.", field="end")
    length = (datetime.combine(date.min, end) - datetime.combine(date.min, start)).seconds // 60
    if slot_minutes > length:
        raise AvailabilityError("The slot is longer than the opening; shorten it or widen the hours.", field="slot_minutes")
    if modality == "video" and location and not location.startswith("https://"):
        raise AvailabilityError("A video link must start with https://.", field="location")
    if len(location) > 300:
        raise AvailabilityError("Keep the location under 300 characters.", field="location")


def overlapping_rule(specialist_id: int, weekday: int, start: time, end: time,
                     ignore_id: int | None = None) -> AvailabilityRule | None:
    return db.session.scalar(sa.select(AvailabilityRule).where(
        AvailabilityRule.specialist_id == specialist_id, AvailabilityRule.weekday == weekday,
        AvailabilityRule.start_time < end, AvailabilityRule.end_time > start,
        AvailabilityRule.id != (ignore_id or 0)))


def add_rule(actor, specialist, weekday: int, start: time, end: time, slot_minutes: int, zone: str,
             modality: str, location: str = "") -> AvailabilityRule:
    location = (location or "").strip()
    check_rule(weekday, start, end, slot_minutes, zone, modality, location)
    clash = overlapping_rule(specialist.id, weekday, start, end)
    if clash:
        raise AvailabilityError(f"This overlaps the {WEEKDAYS[clash.weekday]} opening "
                                f"{clash.start_time:%H:%M}–{clash.end_time:%H:%M}; change the hours.", field="start")
    rule = AvailabilityRule(specialist_id=specialist.id, weekday=weekday, start_time=start, end_time=end,
                            slot_minutes=slot_minutes, timezone=zone, modality=modality, location=location)
    db.session.add(rule)
    db.session.flush()
    audit.record(actor, "create", "availability_rule", rule.id, detail=f"specialist={specialist.id}")
    return rule


def remove_rule(actor, rule: AvailabilityRule) -> None:
    """Booked appointments stay booked: a rule only decides which slots are offered from now on."""
    audit.record(actor, "delete", "availability_rule", rule.id, detail=f"specialist={rule.specialist_id}")
    db.session.delete(rule)
    db.session.flush()


def add_day_off(actor, specialist, day: date, reason: str = "") -> DayOff:
    if db.session.scalar(sa.select(DayOff.id).where(DayOff.specialist_id == specialist.id, DayOff.day == day)):
        raise AvailabilityError(f"{day.isoformat()} is already a day off.", field="day")
    entry = DayOff(specialist_id=specialist.id, day=day, reason=(reason or "").strip()[:200])
    db.session.add(entry)
    db.session.flush()
    audit.record(actor, "create", "day_off", entry.id, detail=f"specialist={specialist.id}")
    return entry


def remove_day_off(actor, entry: DayOff) -> None:
    audit.record(actor, "delete", "day_off", entry.id, detail=f"specialist={entry.specialist_id}")
    db.session.delete(entry)
    db.session.flush()


def rules_of(specialist_id: int) -> list[AvailabilityRule]:
    return list(db.session.scalars(sa.select(AvailabilityRule).where(AvailabilityRule.specialist_id == specialist_id)
                                   .order_by(AvailabilityRule.weekday, AvailabilityRule.start_time)))


def days_off_of(specialist_id: int, since: date) -> list[DayOff]:
    return list(db.session.scalars(sa.select(DayOff).where(DayOff.specialist_id == specialist_id, DayOff.day >= since)
                                   .order_by(DayOff.day)))


def _calendars(specialist_ids: Iterable[int], first: date, last: date, ignore_appointment: int | None = None):
    """Rules, days off and active bookings of many specialists: three queries in all."""
    ids = list(set(specialist_ids))
    rules, days_off, booked = defaultdict(list), defaultdict(set), defaultdict(list)
    if not ids:
        return rules, days_off, booked
    # Plain rows, not ORM objects: the matching ranks hundreds of candidates at a time.
    for specialist_id, *fields in db.session.execute(sa.select(
            AvailabilityRule.specialist_id, AvailabilityRule.weekday, AvailabilityRule.start_time,
            AvailabilityRule.end_time, AvailabilityRule.slot_minutes, AvailabilityRule.timezone,
            AvailabilityRule.modality, AvailabilityRule.location).where(AvailabilityRule.specialist_id.in_(ids))):
        rules[specialist_id].append(slots.Rule(*fields))
    # Local dates may sit a day either side of UTC dates: widen by one day each way.
    for specialist_id, day in db.session.execute(sa.select(DayOff.specialist_id, DayOff.day).where(
            DayOff.specialist_id.in_(ids), DayOff.day.between(first - timedelta(days=1), last + timedelta(days=1)))):
        days_off[specialist_id].add(day)
    low = datetime.combine(first - timedelta(days=2), time(), tzinfo=timezone.utc)
    high = datetime.combine(last + timedelta(days=2), time(), tzinfo=timezone.utc)
    for specialist_id, start, end in db.session.execute(sa.select(
            Appointment.specialist_id, Appointment.start, Appointment.end).where(
            Appointment.specialist_id.in_(ids), Appointment.status == ACTIVE,
            Appointment.start < high, Appointment.end > low, Appointment.id != (ignore_appointment or 0))):
        booked[specialist_id].append((start, end))
    return rules, days_off, booked


def free_slots(specialist_id: int, first: date, last: date, *, now: datetime | None = None,
               ignore_appointment: int | None = None) -> list[slots.Slot]:
    """The specialist's free slots on the local dates first..last."""
    rules, days_off, booked = _calendars([specialist_id], first, last, ignore_appointment)
    return slots.free_slots(rules[specialist_id], first, last, now=now or utcnow(),
                            booked=booked[specialist_id], days_off=days_off[specialist_id])


def find_free_slot(specialist_id: int, start: datetime, *, ignore_appointment: int | None = None,
                   now: datetime | None = None) -> slots.Slot | None:
    """The free slot of this specialist starting exactly at `start` (UTC), or None."""
    day = start.astimezone(timezone.utc).date()
    rules, days_off, booked = _calendars([specialist_id], day - timedelta(days=1), day + timedelta(days=1),
                                         ignore_appointment)
    return slots.is_free(start, rules[specialist_id], now=now or utcnow(), booked=booked[specialist_id],
                         days_off=days_off[specialist_id])


def earliest_free_slots(specialist_ids: Iterable[int], first: date, last: date,
                        now: datetime | None = None) -> dict[int, slots.Slot | None]:
    """Each specialist's earliest free slot on the dates first..last, in three queries whatever their number.

    For the matching engine's ranking ("earliest free slot inside the urgency window")."""
    ids = list(dict.fromkeys(specialist_ids))
    rules, days_off, booked = _calendars(ids, first, last)
    now = now or utcnow()
    return {sid: slots.earliest_free_slot(rules[sid], first, last, now=now, booked=booked[sid],
                                          days_off=days_off[sid]) for sid in ids}


def local_today(zone: str) -> date:
    return utcnow().astimezone(ZoneInfo(zone)).date()
