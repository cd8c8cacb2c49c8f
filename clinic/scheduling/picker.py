"""The slot picker's page model: free slots grouped by day, each in the specialist's and the patient's time."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from zoneinfo import ZoneInfo

from clinic.cases.vocabulary import urgency_window_days
from clinic.formkit import OutOfCalendar, read_day
from clinic.scheduling import availability
from clinic.scheduling.slots import Slot

PAGE_DAYS = 14
MAX_AHEAD_DAYS = 366


@dataclass
class PickerSlot:
    slot: Slot
    value: str           # the UTC instant, as the form sends it back
    specialist_time: str
    patient_time: str | None  # only when the patient's clock differs


@dataclass
class PickerPage:
    first: date
    last: date
    days: list[tuple[date, list[PickerSlot]]]
    window_end: date
    earlier: date | None
    later: date
    patient_zone: str
    specialist_zone: str


def _label(slot: Slot, zone: str) -> str:
    local = slot.start.astimezone(ZoneInfo(zone))
    end = slot.end.astimezone(ZoneInfo(zone))
    day = "" if local.date() == slot.local_start.date() else f"{local:%a %d %b} "
    return f"{day}{local:%H:%M}–{end:%H:%M} {local.tzname()}"


def picker_page(specialist, case, first: date | None, ignore_appointment: int | None = None) -> PickerPage:
    """Two weeks of free slots from `first` (default: today in the specialist's zone)."""
    zone = specialist.timezone
    today = availability.local_today(zone)
    window_end = today + timedelta(days=urgency_window_days(case.urgency))
    first = min(max(first or today, today), today + timedelta(days=MAX_AHEAD_DAYS))
    last = first + timedelta(days=PAGE_DAYS - 1)
    found = availability.free_slots(specialist.id, first, last, ignore_appointment=ignore_appointment)
    days: dict[date, list[PickerSlot]] = {}
    for slot in found:
        patient = _label(slot, case.patient.timezone)
        own = _label(slot, slot.timezone)
        differs = slot.start.astimezone(ZoneInfo(case.patient.timezone)).utcoffset() != slot.local_start.utcoffset()
        days.setdefault(slot.local_start.date(), []).append(
            PickerSlot(slot, slot.start.isoformat(), own, patient if differs else None))
    earlier = max(first - timedelta(days=PAGE_DAYS), today) if first > today else None
    return PickerPage(first, last, sorted(days.items()), window_end, earlier, last + timedelta(days=1),
                      case.patient.timezone, zone)


def parse_day(value: str | None) -> date | None:
    """The day asked for in a query string; None when absent or not a day of the clinic's calendar."""
    try:
        return read_day(value)
    except OutOfCalendar:
        return None
