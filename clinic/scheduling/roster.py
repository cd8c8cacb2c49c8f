"""availability.csv in the roster import: weekly openings upserted by (specialist, weekday, start).

Columns: npi,weekday,start,end,slot_minutes,timezone,modality,location. Weekday is a
name (Monday) or a number (0 = Monday); times are HH:MM on the given zone's clock.
The directory's importer reads the file, reports every problem by file, line and
column, and writes nothing unless every row of every file is good.
"""
from __future__ import annotations

from datetime import datetime, time
from typing import BinaryIO

import sqlalchemy as sa

from clinic.directory.models import Clinician
from clinic.directory.roster import INVALID, Counts, RosterError, RosterFile, Sheet, import_roster, upsert
from clinic.extensions import db
from clinic.formkit import whole_number
from clinic.scheduling.availability import AvailabilityError, check_rule
from clinic.scheduling.models import WEEKDAYS, AvailabilityRule

FILENAME = "availability.csv"
COLUMNS = ("npi", "weekday", "start", "end", "slot_minutes", "timezone", "modality", "location")


def _weekday(value: str) -> int:
    value = value.strip().lower()
    names = [d.lower() for d in WEEKDAYS]
    number = whole_number(value, digits=1)
    if number is not None and number < 7:
        return number
    for position, name in enumerate(names):
        if value == name or (len(value) >= 3 and name.startswith(value)):
            return position
    raise ValueError("Use a weekday name (Monday) or number (0 = Monday).")


def _time(value: str) -> time:
    value = value.strip()
    hours, _, minutes = value.partition(":")
    if len(hours) == 2 and len(minutes) == 2 and hours.isdigit() and minutes.isdigit() and value.isascii():
        if int(hours) < 24 and int(minutes) < 60:  # the usual HH:MM, without strptime's cost per row
            return time(int(hours), int(minutes))
    try:
        return datetime.strptime(value, "%H:%M").time()
    except ValueError:
        raise ValueError("Use a time as HH:MM (24-hour).") from None


def _minutes(value: str) -> int:
    minutes = whole_number(value, digits=4)
    if minutes is None:
        raise ValueError("Use a whole number of minutes.")
    return minutes


def _specialist(value: str, index: dict) -> str:
    npi = value.strip()
    if not npi:
        raise ValueError("The NPI is missing.")
    if index["npi"].get(npi) != "specialist":
        raise ValueError(f"No specialist with NPI {npi!r} in the directory or clinicians.csv.")
    return npi


def check_availability(sheet: Sheet, index: dict) -> list[dict]:
    seen, records = {}, []
    for row in sheet.rows:
        npi = sheet.cell(row, "npi", _specialist, index)
        weekday, start = sheet.cell(row, "weekday", _weekday), sheet.cell(row, "start", _time)
        end, minutes = sheet.cell(row, "end", _time), sheet.cell(row, "slot_minutes", _minutes)
        if INVALID in (npi, weekday, start, end, minutes):
            continue
        record = {"npi": npi, "weekday": weekday, "start_time": start, "end_time": end, "slot_minutes": minutes,
                  "timezone": row.cells["timezone"].strip(), "modality": row.cells["modality"].strip(),
                  "location": row.cells["location"].strip(), "line": row.line}
        try:
            check_rule(weekday, start, end, minutes, record["timezone"], record["modality"], record["location"])
        except AvailabilityError as error:
            sheet.fail(row.line, error.field, error.message)
            continue
        if sheet.first_seen(seen, (npi, weekday, start), row, "start"):
            records.append(record)
    _refuse_overlaps(sheet, records)
    return records


def _refuse_overlaps(sheet: Sheet, records: list[dict]) -> None:
    """After the upsert no two openings of a specialist on one weekday may overlap."""
    ids = dict(db.session.execute(sa.select(Clinician.npi, Clinician.id)
                                  .where(Clinician.npi.in_({r["npi"] for r in records}))).all())
    merged = {(s, w, a): (b, None) for s, w, a, b in db.session.execute(
        sa.select(AvailabilityRule.specialist_id, AvailabilityRule.weekday, AvailabilityRule.start_time,
                  AvailabilityRule.end_time).where(AvailabilityRule.specialist_id.in_(ids.values())))}
    for r in records:
        merged[(ids.get(r["npi"], r["npi"]), r["weekday"], r["start_time"])] = (r["end_time"], r["line"])
    by_day: dict = {}
    for (specialist, weekday, start), (end, line) in merged.items():
        by_day.setdefault((specialist, weekday), []).append((start, end, line))
    for (_, weekday), openings in by_day.items():
        openings.sort(key=lambda o: o[0])
        for (s1, e1, l1), (s2, _, l2) in zip(openings, openings[1:]):
            if s2 < e1 and (l1 or l2):
                sheet.fail(l2 or l1, "start", f"overlaps the {WEEKDAYS[weekday]} opening {s1:%H:%M}–{e1:%H:%M} "
                                              "of the same specialist")


def store_availability(records: list[dict], index: dict) -> Counts:
    ids = dict(db.session.execute(sa.select(Clinician.npi, Clinician.id)
                                  .where(Clinician.npi.in_({r["npi"] for r in records}))).all())
    rows = [{k: v for k, v in r.items() if k not in ("npi", "line")} | {"specialist_id": ids[r["npi"]]}
            for r in records]
    table = AvailabilityRule.__table__
    existing = db.session.execute(sa.select(table).where(table.c.specialist_id.in_(ids.values())))
    return upsert(table, ("specialist_id", "weekday", "start_time"),
                  ("end_time", "slot_minutes", "timezone", "modality", "location"), rows, existing)


AVAILABILITY = RosterFile(FILENAME, COLUMNS, 90, check_availability, store_availability)


def import_availability(actor, source: str | bytes | BinaryIO, max_rows: int | None = None) -> Counts:
    """availability.csv alone through the roster import (text, bytes or a binary stream); raises RosterError,
    writing nothing, if any row is bad."""
    data = source.encode() if isinstance(source, str) else source
    return import_roster(actor, {FILENAME: data}, max_rows=max_rows).counts[FILENAME]


__all__ = ["import_availability", "RosterError", "FILENAME"]
