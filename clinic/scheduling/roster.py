"""availability.csv: validate every row, then upsert rules by (specialist, weekday, start); all or nothing.

Columns: npi,weekday,start,end,slot_minutes,timezone,modality,location. Weekday is
a name (Monday) or a number (0 = Monday); times are HH:MM in the given zone.
Errors name the file, the line and the column, as the directory's roster import does.
"""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import datetime, time

import sqlalchemy as sa

from clinic import audit
from clinic.database import utcnow
from clinic.directory.models import Clinician
from clinic.extensions import db
from clinic.scheduling.availability import AvailabilityError, check_rule
from clinic.scheduling.models import WEEKDAYS, AvailabilityRule

FILENAME = "availability.csv"
COLUMNS = ("npi", "weekday", "start", "end", "slot_minutes", "timezone", "modality", "location")
MAX_ROWS = 50_000


@dataclass(frozen=True)
class RowError:
    file: str
    line: int
    column: str
    reason: str

    def __str__(self) -> str:
        return f"{self.file}, line {self.line}, column {self.column}: {self.reason}"


class AvailabilityImportError(Exception):
    def __init__(self, errors: list[RowError]):
        super().__init__("; ".join(str(e) for e in errors[:5]))
        self.errors = errors


def _weekday(value: str) -> int:
    value = value.strip()
    if value.isdigit() and int(value) < 7:
        return int(value)
    names = [d.lower() for d in WEEKDAYS]
    if value.lower() in names:
        return names.index(value.lower())
    if value.lower()[:3] in [n[:3] for n in names]:
        return [n[:3] for n in names].index(value.lower()[:3])
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


def _parse(row: dict, line: int, file: str, specialists: dict[str, int]) -> tuple[dict | None, list[RowError]]:
    errors, values = [], {}
    fail = lambda column, reason: errors.append(RowError(file, line, column, reason))  # noqa: E731
    npi = (row.get("npi") or "").strip()
    if npi not in specialists:
        fail("npi", f"No active specialist with NPI {npi!r} in the directory." if npi else "The NPI is missing.")
    for column, parse in (("weekday", _weekday), ("start", _time), ("end", _time)):
        try:
            values[column] = parse(row.get(column) or "")
        except ValueError as error:
            fail(column, str(error))
    minutes = (row.get("slot_minutes") or "").strip()
    if not minutes.isdigit():
        fail("slot_minutes", "Use a whole number of minutes.")
    if errors:
        return None, errors
    values.update(specialist_id=specialists[npi], slot_minutes=int(minutes),
                  timezone=(row.get("timezone") or "").strip(), modality=(row.get("modality") or "").strip(),
                  location=(row.get("location") or "").strip())
    try:
        check_rule(values["weekday"], values["start"], values["end"], values["slot_minutes"], values["timezone"],
                   values["modality"], values["location"])
    except AvailabilityError as error:
        fail(error.field, error.message)
        return None, errors
    return values, []


def _overlaps(rows: list[tuple[int, dict]], file: str) -> list[RowError]:
    """After the upsert, no two openings of a specialist on one weekday may overlap."""
    errors = []
    existing = db.session.execute(sa.select(AvailabilityRule.specialist_id, AvailabilityRule.weekday,
                                            AvailabilityRule.start_time, AvailabilityRule.end_time).where(
        AvailabilityRule.specialist_id.in_({v["specialist_id"] for _, v in rows}))).all()
    merged = {(s, w, a): (b, None) for s, w, a, b in existing}
    for line, v in rows:
        merged[(v["specialist_id"], v["weekday"], v["start"])] = (v["end"], line)
    by_day: dict[tuple[int, int], list] = {}
    for (specialist, weekday, start), (end, line) in merged.items():
        by_day.setdefault((specialist, weekday), []).append((start, end, line))
    for (_, weekday), openings in by_day.items():
        openings.sort(key=lambda o: o[0])
        for (s1, e1, l1), (s2, _, l2) in zip(openings, openings[1:]):
            if s2 < e1 and (l1 or l2):
                errors.append(RowError(file, l2 or l1, "start", f"Overlaps the {WEEKDAYS[weekday]} opening "
                                                                f"{s1:%H:%M}–{e1:%H:%M} of the same specialist."))
    return errors


def import_availability(actor, text: str, file: str = FILENAME) -> int:
    """Validate every row, then upsert them; returns the number of rows applied. Raises
    AvailabilityImportError with every problem found, having written nothing."""
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    header = [h.strip() for h in (reader.fieldnames or [])]
    unknown = [h for h in header if h not in COLUMNS]
    missing = [c for c in COLUMNS if c not in header and c != "location"]
    if unknown or missing:
        raise AvailabilityImportError([RowError(file, 1, c, "Unknown column.") for c in unknown] +
                                      [RowError(file, 1, c, "Missing column.") for c in missing])
    reader.fieldnames = header
    specialists = dict(db.session.execute(sa.select(Clinician.npi, Clinician.id).where(
        Clinician.kind == "specialist", Clinician.active.is_(True))).all())
    parsed, errors = [], []
    for line, row in enumerate(reader, start=2):
        if line > MAX_ROWS + 1:
            errors.append(RowError(file, line, "npi", f"The file has more than {MAX_ROWS} rows; split it."))
            break
        if None in row:
            errors.append(RowError(file, line, "location", "This row has more fields than the header."))
            continue
        values, problems = _parse(row, line, file, specialists)
        errors.extend(problems)
        if values:
            parsed.append((line, values))
    errors = errors or _overlaps(parsed, file)
    if errors:
        raise AvailabilityImportError(errors)
    _upsert([v for _, v in parsed])
    db.session.flush()
    audit.record(actor, "create", "availability_rule", None, detail=f"import {file} rows={len(parsed)}")
    return len(parsed)


def _upsert(rows: list[dict]) -> None:
    """Insert new openings and update changed ones by (specialist, weekday, start), in set statements."""
    table = AvailabilityRule.__table__
    existing = {(r.specialist_id, r.weekday, r.start_time): r.id for r in db.session.execute(
        sa.select(AvailabilityRule.id, AvailabilityRule.specialist_id, AvailabilityRule.weekday,
                  AvailabilityRule.start_time).where(
            AvailabilityRule.specialist_id.in_({v["specialist_id"] for v in rows})))}
    inserts, updates = [], []
    for v in rows:
        values = {"end_time": v["end"], "slot_minutes": v["slot_minutes"], "timezone": v["timezone"],
                  "modality": v["modality"], "location": v["location"]}
        rule_id = existing.get((v["specialist_id"], v["weekday"], v["start"]))
        if rule_id is None:
            inserts.append(values | {"specialist_id": v["specialist_id"], "weekday": v["weekday"],
                                     "start_time": v["start"], "created_at": utcnow()})
        else:
            updates.append({f"v_{k}": value for k, value in values.items()} | {"rule_id": rule_id})
    if inserts:
        db.session.execute(sa.insert(table), inserts)
    if updates:
        db.session.execute(sa.update(table).where(table.c.id == sa.bindparam("rule_id")).values(
            {k: sa.bindparam(f"v_{k}") for k in ("end_time", "slot_minutes", "timezone", "modality", "location")}),
            updates)
    db.session.expire_all()  # written with set statements: reload any rule the session holds
