"""The declarative base, column types and SQLite connection settings shared by all models."""
from __future__ import annotations

from datetime import datetime, timezone

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import DeclarativeBase, registry


def utcnow() -> datetime:
    """The current instant, timezone-aware UTC (use as a callable column default)."""
    return datetime.now(timezone.utc)


class UTCDateTime(sa.types.TypeDecorator):
    """A timestamp stored as UTC and always read back timezone-aware.

    SQLite keeps no zone, so values are normalised to UTC on the way in and
    tagged as UTC on the way out; naive datetimes are refused outright.
    """

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime stored; use timezone-aware UTC")
        value = value.astimezone(timezone.utc)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=timezone.utc)
        return value.astimezone(timezone.utc)


NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    registry = registry(metadata=sa.MetaData(naming_convention=NAMING),
                        type_annotation_map={datetime: UTCDateTime()})


def is_loaded(obj, attribute: str) -> bool:
    """Whether a relationship of `obj` is already in memory (a page eager-loaded it with its rows)."""
    return attribute not in sa.inspect(obj).unloaded


def enum_check(column: str, values) -> sa.CheckConstraint:
    """A CHECK constraint keeping a text column inside its allowed values."""
    quoted = ", ".join(f"'{v}'" for v in values)
    return sa.CheckConstraint(f"{column} IN ({quoted})", name=f"{column}_allowed")


class day_number(sa.sql.functions.GenericFunction):
    """A timestamp as fractional days since 1970-01-01 UTC: durations and medians over many rows without
    building a datetime object per value (the outcomes dashboard reads tens of thousands)."""

    type = sa.Float()
    inherit_cache = True


@compiles(day_number, "sqlite")
def _day_number_sqlite(element, compiler, **kw):
    return f"(julianday({compiler.process(element.clauses, **kw)}) - 2440587.5)"  # from the epoch, as on PostgreSQL


@compiles(day_number, "postgresql")
def _day_number_postgresql(element, compiler, **kw):
    return f"(EXTRACT(EPOCH FROM {compiler.process(element.clauses, **kw)}) / 86400.0)"


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection, connection_record):
    # pysqlite's own transaction handling defers BEGIN and breaks SAVEPOINT;
    # take control of it (SQLAlchemy's documented recipe) and turn foreign keys on.
    if type(dbapi_connection).__module__.startswith("sqlite3"):
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=5000")
        cursor.close()


@event.listens_for(Engine, "begin")
def _sqlite_begin(conn):
    if conn.dialect.name == "sqlite":
        # `immediate` as an execution option of this connection (Session.connection(execution_options=...)
        # sets it before BEGIN); conn.info outlives the checkout, so it is read too but not relied on.
        immediate = conn.get_execution_options().get("immediate") or conn.info.get("immediate")
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


def begin_write(session) -> None:
    """Start the session's next transaction holding SQLite's write lock (BEGIN IMMEDIATE).

    A SQLite transaction that reads and then writes can fail at once with
    "database is locked" when another connection committed in between; taking
    the lock first makes it wait its turn (busy_timeout) instead. Whatever the
    session had open is committed first, so call it before the work's first
    read. No-op on PostgreSQL (row locks and constraints decide there) and when
    the session is bound to a connection (tests' outer transaction)."""
    bind = session.get_bind()
    if bind.dialect.name != "sqlite" or not isinstance(bind, Engine):
        return
    if session.in_transaction():
        session.commit()
    session.connection(execution_options={"immediate": True})
