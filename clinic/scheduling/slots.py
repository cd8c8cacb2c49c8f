"""Free consultation slots from weekly availability rules: pure, correct across daylight-saving changes.

Rules are wall-clock schedules in the specialist's time zone ("Mondays 09:00 to
12:00, New York"), so a 09:00 slot is 14:00Z in January and 13:00Z in July.
Every slot is computed as a local time first and converted to UTC once:
- a wall time that does not exist (the hour skipped in spring) gives no slot;
- a wall time that exists twice (the hour repeated in autumn) gives one slot,
  its first occurrence (fold=0), so there is never a duplicate;
- a slot lasts its minutes of real time, and one that would overlap the slot
  before it (possible only across a transition) is dropped.
"""
from __future__ import annotations

import heapq
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from operator import attrgetter
from zoneinfo import ZoneInfo

UTC = timezone.utc


@dataclass(frozen=True)
class Rule:
    weekday: int  # Monday = 0
    start: time
    end: time
    slot_minutes: int
    timezone: str
    modality: str = "in_person"
    location: str = ""


@dataclass(frozen=True)
class Slot:
    start: datetime  # UTC
    end: datetime    # UTC
    timezone: str
    modality: str
    location: str

    @property
    def local_start(self) -> datetime:
        return self.start.astimezone(ZoneInfo(self.timezone))

    @property
    def local_end(self) -> datetime:
        return self.end.astimezone(ZoneInfo(self.timezone))

    def overlaps(self, start: datetime, end: datetime) -> bool:
        return self.start < end and start < self.end


_START = attrgetter("start")


def window(today: date, days: int) -> tuple[date, date]:
    """The dates a case should be seen within: today and the `days` that follow."""
    return today, today + timedelta(days=days)


def _exists(local: datetime) -> bool:
    """False for a wall time inside a spring-forward gap (it does not happen on the clock)."""
    zone = local.tzinfo
    return local.astimezone(UTC).astimezone(zone).replace(tzinfo=None) == local.replace(tzinfo=None)


def _day_candidates(rule: Rule, day: date) -> Iterable[Slot]:
    zone = ZoneInfo(rule.timezone)
    step = timedelta(minutes=rule.slot_minutes)
    wall = datetime.combine(day, rule.start)
    last_start = datetime.combine(day, rule.end) - step
    while wall <= last_start:
        local = wall.replace(tzinfo=zone, fold=0)
        if _exists(local):
            start = local.astimezone(UTC)
            end = start + step
            # The slot must end, on the clock, by the rule's end (a slot can grow across a gap).
            if end.astimezone(zone).replace(tzinfo=None) <= datetime.combine(day, rule.end):
                yield Slot(start, end, rule.timezone, rule.modality, rule.location)
        wall += step


def free_slots(rules: Iterable[Rule], first: date, last: date, *, now: datetime,
               booked: Iterable[tuple[datetime, datetime]] = (), days_off: Iterable[date] = (),
               limit: int | None = None) -> list[Slot]:
    """Free slots on the local dates first..last (inclusive), in time order.

    `booked` holds the (start, end) of active appointments of any length; a slot
    overlapping one is taken. `days_off` are local dates without consultations.
    Nothing starts before `now`.
    """
    rules = list(rules)
    if not rules or last < first:
        return []
    booked = sorted(booked)
    days_off = set(days_off)
    by_weekday: dict[int, list[Rule]] = {}
    for rule in rules:
        by_weekday.setdefault(rule.weekday, []).append(rule)
    found: list[Slot] = []
    day = first
    while day <= last:
        day_rules = [] if day in days_off else by_weekday.get(day.weekday(), [])
        # Each rule's slots come in time order: merging them lazily computes only the slots looked at
        # (the earliest-slot search usually stops at the first).
        candidates = heapq.merge(*(_day_candidates(rule, day) for rule in day_rules), key=_START)
        previous_end = None
        for slot in candidates:
            if previous_end is not None and slot.start < previous_end:
                continue  # overlapping rules, or a slot pushed across a transition
            previous_end = slot.end
            if slot.start < now or any(slot.overlaps(s, e) for s, e in booked):
                continue
            found.append(slot)
            if limit is not None and len(found) >= limit:
                return found
        day += timedelta(days=1)
    return found


def earliest_free_slot(rules: Iterable[Rule], first: date, last: date, *, now: datetime,
                       booked: Iterable[tuple[datetime, datetime]] = (),
                       days_off: Iterable[date] = ()) -> Slot | None:
    found = free_slots(rules, first, last, now=now, booked=booked, days_off=days_off, limit=1)
    return found[0] if found else None


def is_free(slot_start: datetime, rules: Iterable[Rule], *, now: datetime,
            booked: Iterable[tuple[datetime, datetime]] = (), days_off: Iterable[date] = ()) -> Slot | None:
    """The free slot starting exactly at `slot_start`, or None."""
    rules = list(rules)
    local_days = {slot_start.astimezone(ZoneInfo(rule.timezone)).date() for rule in rules}
    for day in sorted(local_days):
        for slot in free_slots(rules, day, day, now=now, booked=booked, days_off=days_off):
            if slot.start == slot_start:
                return slot
    return None
