"""Roster import: the CSV files of shared/DESIGN.md section 9, all or nothing.

File handlers come from each stage's init_app (add_roster_file: the directory's files, then
scheduling's availability.csv); each handler checks its rows against the directory plus the files of the same
import, then stores them with set-based upserts by natural key. Nothing is
written unless every row of every file is valid; every problem is reported with
its file, line and column. Re-importing the same files changes nothing.
"""
from __future__ import annotations

import csv
import io
import re
import tempfile
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import BinaryIO

import sqlalchemy as sa
from flask import Flask, current_app

from clinic import audit
from clinic.database import begin_write
from clinic.errors import DomainError
from clinic.extensions import db
from clinic.wiring import wiring

INVALID = object()  # a cell that failed its check (its problem is already recorded)
MAX_FILE_BYTES = 200 * 1024 * 1024
# A CSV line past this is not a roster row (the csv module's field limit is 128 KB); reading stops there
# instead of holding a whole file without line breaks in memory.
MAX_LINE_BYTES = 1024 * 1024
BOM = b"\xef\xbb\xbf"
_LONE_CR = re.compile(r"(?<=\r)(?!\n)")  # old Mac line ends: csv reads them as line breaks too
CLI_HINT = "Import a bigger file from the command line, with a higher cap: clinic directory import DIR --max-rows N"


@dataclass(frozen=True)
class Problem:
    file: str
    line: int | None
    column: str | None
    reason: str

    def __str__(self) -> str:
        where = [self.file] + ([f"line {self.line}"] if self.line else []) + \
                ([f"column {self.column}"] if self.column else [])
        return f"{', '.join(where)}: {self.reason}"


class RosterError(DomainError):
    """The import was refused; `problems` lists every one found, nothing was written."""

    status = 422

    def __init__(self, problems: list[Problem]):
        super().__init__(f"{len(problems)} problem(s) in the roster")
        self.problems = problems


@dataclass
class Row:
    line: int
    cells: dict[str, str]


@dataclass
class Counts:
    new: int = 0
    changed: int = 0
    unchanged: int = 0

    def __str__(self) -> str:
        return f"{self.new} new, {self.changed} changed, {self.unchanged} unchanged"


@dataclass
class Sheet:
    """One file of the import while it is checked: its rows and the problems found so far."""

    name: str
    rows: list[Row] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    readable: bool = True

    def unreadable(self, line: int | None, reason: str) -> "Sheet":
        self.fail(line, None, reason)
        self.readable = False
        return self

    def fail(self, line: int | None, column: str | None, reason: str) -> None:
        self.problems.append(Problem(self.name, line, column, reason))

    def cell(self, row: Row, column: str, check: Callable, *args):
        """The checked value of a cell, or INVALID after recording why."""
        try:
            return check(row.cells.get(column, ""), *args)
        except ValueError as error:
            self.fail(row.line, column, str(error))
            return INVALID

    def first_seen(self, seen: dict, key, row: Row, column: str) -> bool:
        """True the first time `key` appears in the file; a repeat is a duplicate row."""
        if key in seen:
            self.fail(row.line, column, f"duplicate of line {seen[key]}")
            return False
        seen[key] = row.line
        return True


@dataclass(frozen=True)
class RosterFile:
    name: str
    columns: tuple[str, ...]
    order: int                                   # files are checked and stored in this order
    check: Callable[[Sheet, dict], list]         # rows -> records; adds its keys to the shared index
    store: Callable[[list, dict], Counts]        # records -> set-based upsert


def add_roster_file(app: Flask, handler: RosterFile) -> None:
    wiring(app).roster_files[handler.name] = handler


def add_index_loader(app: Flask, loader: Callable[[dict], None]) -> None:
    """A loader of natural keys known in the database (the shared index every file is checked against)."""
    wiring(app).roster_indexes.append(loader)


def roster_files() -> dict[str, RosterFile]:
    return wiring().roster_files


@dataclass
class ImportReport:
    counts: dict[str, Counts]
    rows: int

    def lines(self) -> list[str]:
        return [f"{name}: {counts}" for name, counts in self.counts.items()]


class _Unreadable(Exception):
    def __init__(self, line: int, reason: str):
        super().__init__(reason)
        self.line, self.reason = line, reason


def _text_lines(stream: BinaryIO) -> Iterator[str]:
    """The file's lines as text, read one at a time (never the whole file at once). NUL bytes and
    invalid UTF-8 raise _Unreadable with their line."""
    number = 0
    while raw := stream.readline(MAX_LINE_BYTES + 1):
        number += 1
        if len(raw) > MAX_LINE_BYTES:
            raise _Unreadable(number, f"a line longer than {MAX_LINE_BYTES // (1024 * 1024)} MB: not a roster CSV")
        if number == 1:
            raw = raw.removeprefix(BOM)
        if b"\x00" in raw:
            raise _Unreadable(number, "binary content: not a CSV text file")
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            raise _Unreadable(number, "not UTF-8 text; save the file as CSV UTF-8") from None
        if "\r" in text:
            yield from filter(None, _LONE_CR.split(text))
        else:
            yield text


def _rows_over(stream: BinaryIO, max_rows: int) -> bool:
    """Whether the file holds more than `max_rows` rows under its header, counted as a stream (it stops
    at the first row past the cap) and holding none of them. A file that cannot be read is left to the
    reading proper, which names its problem."""
    reader = csv.reader(_text_lines(stream), strict=True)
    try:
        next(reader, None)
        count = 0
        for values in reader:
            if any(v.strip() for v in values):
                count += 1
                if count > max_rows:
                    return True
    except (csv.Error, _Unreadable):
        return False
    return False


def _seekable(source: bytes | BinaryIO) -> BinaryIO:
    """A stream the file can be read from twice: bytes are wrapped, a pipe is spooled to disk."""
    if isinstance(source, (bytes, bytearray)):
        return io.BytesIO(source)
    if source.seekable():
        return source
    spool = tempfile.SpooledTemporaryFile(max_size=MAX_LINE_BYTES)
    while chunk := source.read(MAX_LINE_BYTES):
        spool.write(chunk)
    spool.seek(0)
    return spool


def read_sheet(name: str, source: bytes | BinaryIO, columns: tuple[str, ...], max_rows: int | None = None) -> Sheet:
    """Decode and split one CSV, read as a stream, checking its header; bad bytes become problems, never
    exceptions.

    A file that cannot be read at all, or that holds more than `max_rows` rows (counted first, without
    keeping them), comes back with `readable` false; an unknown column is reported but the rows are
    still checked, so one import lists every problem.
    """
    sheet = Sheet(name)
    stream = _seekable(source)
    start = stream.tell()
    size = stream.seek(0, io.SEEK_END) - start
    if size > MAX_FILE_BYTES:
        return sheet.unreadable(None, f"the file is larger than {MAX_FILE_BYTES // (1024 * 1024)} MB")
    stream.seek(start)
    if max_rows is not None:
        over = _rows_over(stream, max_rows)
        stream.seek(start)
        if over:
            return sheet.unreadable(None, f"the file has more than {max_rows:,} rows, the most one import takes; "
                                          f"nothing was imported. {CLI_HINT}")
    reader = csv.reader(_text_lines(stream), strict=True)
    try:
        header = [h.strip().lower() for h in next(reader, [])]
        if not _header_ok(sheet, header, columns):
            sheet.readable = False
            return sheet
        for values in reader:
            if not any(v.strip() for v in values):
                continue
            if len(values) != len(header):
                sheet.fail(reader.line_num, None, f"has {len(values)} values; the header has {len(header)}")
                continue
            sheet.rows.append(Row(reader.line_num, dict(zip(header, values))))
    except _Unreadable as error:
        sheet.unreadable(error.line, error.reason)
    except csv.Error as error:
        sheet.unreadable(reader.line_num, f"unreadable CSV ({error}); check quotes and field sizes")
    return sheet


def _header_ok(sheet: Sheet, header: list[str], columns: tuple[str, ...]) -> bool:
    """Report unknown and repeated columns; False when a column the rows need is missing."""
    if not header:
        sheet.fail(1, None, f"empty file; the header must be: {','.join(columns)}")
        return False
    for position, name in enumerate(header):
        if name not in columns:
            sheet.fail(1, name[:40] or f"#{position + 1}", f"unknown column; the columns are: {','.join(columns)}")
        elif header.index(name) != position:
            sheet.fail(1, name, "column given twice")
    missing = [name for name in columns if name not in header]
    for name in missing:
        sheet.fail(1, name, "missing column")
    return not missing


def import_roster(actor, files: Mapping[str, bytes | BinaryIO], max_rows: int | None = None) -> ImportReport:
    """Check every file, then store them all, or raise RosterError and write nothing.

    Files are read as streams (an upload or an open file; bytes too). A file of more than `max_rows`
    rows (by default the ROSTER_MAX_ROWS setting) is refused before its rows are read.
    """
    if max_rows is None:
        max_rows = current_app.config["ROSTER_MAX_ROWS"]
    _one_import_at_a_time()
    problems = []
    known = roster_files()
    for name in sorted(files):
        if name not in known:
            problems.append(Problem(name, None, None, "not a roster file; expected one of " + ", ".join(sorted(known))))
    handlers = sorted((known[n] for n in files if n in known), key=lambda h: h.order)
    sheets = [read_sheet(h.name, files[h.name], h.columns, max_rows) for h in handlers]
    index = load_index()
    checked = [(handler, handler.check(sheet, index) if sheet.readable else [])
               for handler, sheet in zip(handlers, sheets)]
    problems.extend(p for sheet in sheets for p in sheet.problems)
    if problems:
        raise RosterError(problems)
    counts = {}
    for handler, records in checked:
        counts[handler.name] = handler.store(records, index)
    db.session.expire_all()  # stored with set-based statements; reload any object held in the session
    rows = sum(len(s.rows) for s in sheets)
    audit.record(actor, "create", "roster_import", None,
                 detail="; ".join(f"{n} {c}" for n, c in counts.items())[:200])
    db.session.flush()
    return ImportReport(counts, rows)


ROSTER_LOCK = 0x524F53544552  # "ROSTER": the advisory lock key of roster imports


def _one_import_at_a_time() -> None:
    """Two imports at once would both insert the same new rows (a unique violation, a 500): the
    second waits until the first has committed, then finds its rows already there."""
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(sa.text("SELECT pg_advisory_xact_lock(:key)"), {"key": ROSTER_LOCK})
    else:
        begin_write(db.session())


def load_index() -> dict:
    """The shared index: natural keys known in the database, and those seen earlier in this import."""
    index: dict = {}
    for loader in wiring().roster_indexes:
        loader(index)
    return index


def upsert(table: sa.Table, keys: tuple[str, ...], values: tuple[str, ...], records: Iterable[dict],
           existing: Iterable) -> Counts:
    """Insert new rows and update changed ones by natural key, in a fixed number of statements.

    `existing` yields rows with the key and value columns (and `id` when the table has one).
    """
    by_key = {tuple(getattr(row, k) for k in keys): row for row in existing}
    inserts, updates, counts = [], [], Counts()
    for record in records:
        current = by_key.get(tuple(record[k] for k in keys))
        if current is None:
            inserts.append(record)
        elif any(getattr(current, v) != record[v] for v in values):
            updates.append({f"v_{v}": record[v] for v in values} | _where_values(table, keys, current))
        else:
            counts.unchanged += 1
    if inserts:
        db.session.execute(sa.insert(table), inserts)
    if updates:
        statement = sa.update(table).where(*_where(table, keys)).values({v: sa.bindparam(f"v_{v}") for v in values})
        db.session.execute(statement, updates)
    counts.new, counts.changed = len(inserts), len(updates)
    return counts


def _where(table: sa.Table, keys: tuple[str, ...]):
    if "id" in table.c:
        return [table.c.id == sa.bindparam("k_id")]
    return [table.c[k] == sa.bindparam(f"k_{k}") for k in keys]


def _where_values(table: sa.Table, keys: tuple[str, ...], row) -> dict:
    if "id" in table.c:
        return {"k_id": row.id}
    return {f"k_{k}": getattr(row, k) for k in keys}
