"""VTIMEZONE in the yearly-rule form big calendar services send (RFC 5545 section 3.6.5).

One STANDARD and one DAYLIGHT block, each with an RRULE (e.g. BYMONTH=3;BYDAY=2SU),
derived from the zone's real transitions in the event's year. Not the long RDATE
list of icalendar's add_missing_timezones(): Outlook is reported to shift such
events by an hour and vobject misreads them. A zone without daylight saving gets
one STANDARD block. Pure: zoneinfo and icalendar only.
"""
from __future__ import annotations

import calendar
from datetime import date, datetime, timedelta, timezone
from functools import lru_cache
from zoneinfo import ZoneInfo

from icalendar import Timezone, TimezoneDaylight, TimezoneStandard, vRecur

UTC = timezone.utc
DAY_CODES = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
EPOCH_YEAR = 1970  # observances start here, as Google's do; what matters is the rule


@lru_cache(maxsize=2048)
def _transitions(zone: ZoneInfo, year: int) -> tuple[datetime, ...]:
    """The UTC instants in `year` at which the zone's offset changes (found by day, then hour, then minute)."""
    found = []
    moment = datetime(year, 1, 1, tzinfo=UTC)
    end = datetime(year + 1, 1, 1, tzinfo=UTC)
    offset = moment.astimezone(zone).utcoffset()
    while moment < end:
        later = moment + timedelta(days=1)
        if later.astimezone(zone).utcoffset() != offset:
            for step in (timedelta(hours=1), timedelta(minutes=1)):
                while (moment + step).astimezone(zone).utcoffset() == offset:
                    moment += step
            moment += timedelta(minutes=1)
            found.append(moment)
            offset = moment.astimezone(zone).utcoffset()
            continue
        moment = later
    return tuple(found)


def _rule_for(day: date) -> dict:
    """The nth (or last) weekday of the month that `day` is, as RRULE parts."""
    weekday = DAY_CODES[day.weekday()]
    month_days = calendar.monthrange(day.year, day.month)[1]
    nth = -1 if day.day + 7 > month_days else (day.day - 1) // 7 + 1
    return {"FREQ": "YEARLY", "BYMONTH": [day.month], "BYDAY": [f"{nth}{weekday}"]}


def _on_or_after_rule(day: date) -> dict:
    """The form for rules such as "the Friday on or after the 23rd" (BYMONTHDAY narrows BYDAY)."""
    first = ((day.day - 1) // 7) * 7 + 1
    return {"FREQ": "YEARLY", "BYMONTH": [day.month], "BYDAY": [DAY_CODES[day.weekday()]],
            "BYMONTHDAY": list(range(first, first + 7))}


def _occurs(rule: dict, year: int) -> date:
    """The date a rule gives in `year` (enough of RFC 5545 for the two forms above)."""
    month = rule["BYMONTH"][0]
    code = rule["BYDAY"][0]
    weekday = DAY_CODES.index(code[-2:])
    days = [d for d in range(1, calendar.monthrange(year, month)[1] + 1)
            if date(year, month, d).weekday() == weekday and d in rule.get("BYMONTHDAY", range(1, 32))]
    nth = int(code[:-2] or 1)
    return date(year, month, days[nth - 1] if nth > 0 else days[nth])


def _wall(zone: ZoneInfo, instant: datetime) -> datetime:
    """The local clock time at which a transition happens, read with the offset before it."""
    return (instant + (instant - timedelta(seconds=1)).astimezone(zone).utcoffset()).replace(tzinfo=None)


def _observance(kind, zone: ZoneInfo, instant: datetime, rule: dict | None, fallback: list[datetime]):
    before = (instant - timedelta(seconds=1)).astimezone(zone)
    after = instant.astimezone(zone)
    block = kind()
    if rule is not None:
        block.add("dtstart", datetime.combine(_occurs(rule, EPOCH_YEAR), _wall(zone, instant).time()))
        block.add("rrule", vRecur(rule))
    else:
        # No yearly rule fits (the zone's law changed around this year): the few onsets themselves.
        block.add("dtstart", _wall(zone, fallback[0]))
        for other in fallback[1:]:
            block.add("rdate", _wall(zone, other))
    block.add("tzoffsetfrom", before.utcoffset())
    block.add("tzoffsetto", after.utcoffset())
    block.add("tzname", after.tzname())
    return block


def _yearly_rule(zone: ZoneInfo, instant: datetime, year: int) -> dict | None:
    """A rule reproducing this transition in the years around `year`, or None if none does."""
    changes_by_year = {y: _transitions(zone, y) for y in (year - 1, year + 1)}
    index = _transitions(zone, year).index(instant)
    for make in (_rule_for, _on_or_after_rule):
        rule = make(_wall(zone, instant).date())
        if all(len(changes) == 2 and _wall(zone, changes[index]).date() == _occurs(rule, y)
               for y, changes in changes_by_year.items()):
            return rule
    return None


@lru_cache(maxsize=512)
def vtimezone(tzid: str, year: int) -> Timezone:
    """The VTIMEZONE for `tzid` valid for events in `year` (and the years around it)."""
    zone = ZoneInfo(tzid)
    block = Timezone()
    block.add("tzid", tzid)
    changes = _transitions(zone, year)
    if len(changes) != 2:
        standard = datetime(year, 1, 1, tzinfo=UTC)
        single = TimezoneStandard()
        single.add("dtstart", datetime(EPOCH_YEAR, 1, 1))
        # The RDATE repeats DTSTART (redundant under RFC 5545): some parsers (python `ical`)
        # only count onsets listed by a rule or an RDATE.
        single.add("rdate", datetime(EPOCH_YEAR, 1, 1))
        single.add("tzoffsetfrom", standard.astimezone(zone).utcoffset())
        single.add("tzoffsetto", standard.astimezone(zone).utcoffset())
        single.add("tzname", standard.astimezone(zone).tzname())
        block.add_component(single)
        return block
    for index, instant in enumerate(changes):
        # The move to the larger offset is daylight time (Dublin's tzdata calls winter the exception).
        forward = instant.astimezone(zone).utcoffset() > (instant - timedelta(seconds=1)).astimezone(zone).utcoffset()
        onsets = [t[index] for t in (_transitions(zone, y) for y in (year - 1, year, year + 1)) if len(t) == 2]
        block.add_component(_observance(TimezoneDaylight if forward else TimezoneStandard, zone, instant,
                                        _yearly_rule(zone, instant, year), onsets or [instant]))
    return block


@lru_cache(maxsize=4096)
def holds_in(tzid: str, year: int, other_year: int) -> bool:
    """Whether vtimezone(tzid, year) gives the zone's real offsets all through `other_year`: its yearly
    rules were checked on the years around `year` only, and a zone whose law changes (no yearly rule,
    onsets listed instead, which parsers misread) is not trusted at all."""
    if abs(other_year - year) > 1:
        return False
    zone = ZoneInfo(tzid)
    changes = _transitions(zone, year)
    if len(changes) != 2:
        offsets = {datetime(y, 1, 1, tzinfo=UTC).astimezone(zone).utcoffset() for y in (year - 1, year, year + 1)}
        return len(offsets) == 1 and not any(_transitions(zone, y) for y in (year - 1, year, year + 1))
    return all(_yearly_rule(zone, instant, year) is not None for instant in changes)
