"""The single door to the database.

All SQL in the project runs through this module's connections — :func:`query` / :func:`select` for reads,
:func:`connect` / :func:`transaction` for everything else — with bound parameters only, on SQLAlchemy Core table
objects from :mod:`loaders.schema`. Database failures are told apart (:func:`database_error`), each a
:class:`DatabaseError` with a Dutch message that is safe to show and says what to do, for reads and writes alike:

- :class:`DatabaseUnavailable` — cannot be reached (server down, connection refused, unknown host or database,
  wrong password, connection lost);
- :class:`DatabaseNotMigrated` — a table or column is missing: the database was never built or is older than
  the code;
- :class:`DatabaseTimeout` — a statement ran longer than ``WIJKMONITOR_QUERY_TIMEOUT_MS`` or was cancelled;
- :class:`DatabaseLocked` — another process holds a lock (SQLite "database is locked", PostgreSQL lock timeout
  or deadlock).

Any other driver error (a constraint, bad data) is not a database failure and passes through unchanged.
"""
from __future__ import annotations

import functools
from pathlib import Path
from contextlib import contextmanager
from typing import Any, Iterator, Mapping

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from . import settings
from .migrations import PROGRAMME_SCHEMA


class DatabaseError(RuntimeError):
    """A database failure; ``str(exc)`` (``message`` and ``hint``) is Dutch and safe to show to users."""

    default_hint = ""

    def __init__(self, message: str, hint: str | None = None):
        self.message = message
        self.hint = self.default_hint if hint is None else hint
        super().__init__(f"{message} {self.hint}".strip())


class DatabaseUnavailable(DatabaseError):
    """The database cannot be reached (down, refused, unknown host/database, wrong credentials, connection lost)."""

    default_hint = "Probeer het later opnieuw."


class DatabaseNotMigrated(DatabaseError):
    """A table or column the code needs is missing: the database was not built, or by an older version."""

    default_hint = "Voer `python -m wijkmonitor build` uit (of vraag de beheerder dat te doen)."


class DatabaseTimeout(DatabaseError):
    """A statement exceeded the time limit (PostgreSQL statement_timeout) or was cancelled."""

    default_hint = ("Probeer het over een paar minuten opnieuw; blijft het zo, vraag de beheerder de database "
                    "(tijdslimiet WIJKMONITOR_QUERY_TIMEOUT_MS) te controleren.")


class DatabaseLocked(DatabaseError):
    """Another process holds a lock on the database (SQLite busy/locked, PostgreSQL lock timeout, deadlock)."""

    default_hint = "Wacht even en probeer het opnieuw."


def _make_engine(url: str) -> Engine:
    kwargs: dict[str, Any] = {"future": True}
    if url.startswith("sqlite"):
        kwargs["connect_args"] = {"timeout": 30}
    else:
        timeout = settings.get("WIJKMONITOR_QUERY_TIMEOUT_MS")
        kwargs["pool_pre_ping"] = True
        kwargs["pool_size"] = 5
        kwargs["max_overflow"] = 5
        kwargs["connect_args"] = {"options": f"-c statement_timeout={int(timeout)}", "connect_timeout": 5}
    engine = sa.create_engine(url, **kwargs)
    if url.startswith("sqlite"):
        programme_file = settings.programme_database(url)
        if sa.engine.make_url(url).query.get("mode") == "ro":  # a read-only view: the programme file read-only too
            programme_file = f"file:{programme_file}?mode=ro" if Path(programme_file).exists() else ":memory:"

        @sa.event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn, _record):
            # Let SQLAlchemy own transactions so DDL and DML are atomic together (pysqlite recipe).
            dbapi_conn.isolation_level = None
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA busy_timeout=30000")
            # Programme data in its own file, one connection and one transaction with the statistics
            # (loaders.migrations.PROGRAMME_SCHEMA). In WAL mode a transaction over both files is atomic per file.
            cur.execute(f"ATTACH DATABASE ? AS {PROGRAMME_SCHEMA}", (programme_file,))
            cur.execute(f"PRAGMA {PROGRAMME_SCHEMA}.journal_mode=WAL")
            cur.close()

        @sa.event.listens_for(engine, "begin")
        def _sqlite_begin(conn):
            conn.exec_driver_sql("BEGIN")

    return engine


@functools.lru_cache(maxsize=8)
def get_engine(url: str | None = None) -> Engine:
    """One engine (and pool) per URL per process."""
    return _make_engine(url or settings.database_url())


def redact(url: str) -> str:
    """The URL without its password, for messages and logs."""
    try:
        return sa.engine.make_url(url).render_as_string(hide_password=True)
    except Exception:  # noqa: BLE001 - never leak a malformed URL either
        return "<ongeldige DATABASE_URL>"


# PostgreSQL SQLSTATE codes (classes 08 connection, 28 authorisation, 57P shutdown; see Appendix A of the manual)
_PG_NOT_MIGRATED = {"42P01", "42703", "3F000", "42883"}  # undefined table/column/schema/function
_PG_TIMEOUT = {"57014"}  # query_canceled (statement_timeout, pg_cancel_backend)
_PG_LOCKED = {"55P03", "40P01"}  # lock_not_available (lock_timeout), deadlock_detected
_PG_UNAVAILABLE_CLASSES = ("08", "28", "3D", "53", "57P")  # connection, auth, unknown database, resources, shutdown
# SQLite result codes (sqlite3 errors carry them since Python 3.11)
_SQLITE_BUSY, _SQLITE_LOCKED, _SQLITE_INTERRUPT, _SQLITE_CANTOPEN, _SQLITE_NOTADB = 5, 6, 9, 14, 26
_SQLITE_MISSING = ("no such table", "no such column", "has no column named", "unknown database")


def _kind(exc: BaseException) -> str | None:
    """'unavailable' | 'not_migrated' | 'timeout' | 'locked' for a driver error (or the SQLAlchemy error wrapping
    it), None for anything else."""
    if isinstance(exc, DatabaseError):
        return None
    orig = getattr(exc, "orig", None) or exc
    if isinstance(exc, sa.exc.DBAPIError) and exc.connection_invalidated:
        return "unavailable"
    text = str(orig).lower()
    code = getattr(orig, "sqlite_errorcode", None)
    if code is not None or type(orig).__module__ == "sqlite3":
        primary = (code or 0) & 0xFF  # extended codes (e.g. SQLITE_BUSY_SNAPSHOT) keep the primary in the low byte
        if primary in (_SQLITE_BUSY, _SQLITE_LOCKED) or "database is locked" in text or "is locked" in text:
            return "locked"
        if any(m in text for m in _SQLITE_MISSING):
            return "not_migrated"
        if primary == _SQLITE_INTERRUPT or text == "interrupted":
            return "timeout"
        if primary in (_SQLITE_CANTOPEN, _SQLITE_NOTADB) or "unable to open database" in text:
            return "unavailable"
        return None
    if type(orig).__module__.split(".")[0] in ("psycopg", "psycopg2"):
        state = getattr(orig, "sqlstate", None) or getattr(orig, "pgcode", None)
        if state in _PG_NOT_MIGRATED:
            return "not_migrated"
        if state in _PG_TIMEOUT:
            return "timeout"
        if state in _PG_LOCKED:
            return "locked"
        if state and state.startswith(_PG_UNAVAILABLE_CLASSES):
            return "unavailable"
        if state is None and isinstance(exc, (sa.exc.OperationalError, sa.exc.InterfaceError)):
            return "unavailable"  # libpq failures before/outside a statement (refused, DNS, lost) carry no SQLSTATE
        return None
    if isinstance(exc, (sa.exc.OperationalError, sa.exc.InterfaceError)) and not isinstance(exc, sa.exc.DBAPIError):
        return "unavailable"
    return None


def database_error(exc: BaseException, url: str | None = None) -> DatabaseError | None:
    """The :class:`DatabaseError` a driver error stands for, or None when it is not a database failure (then the
    caller re-raises the original). An existing DatabaseError is returned as it is."""
    if isinstance(exc, DatabaseError):
        return exc
    kind = _kind(exc)
    if kind is None:
        return None
    where = f" ({redact(str(url))})" if url else ""
    if kind == "unavailable":
        return DatabaseUnavailable(f"De database is niet bereikbaar{where}.")
    if kind == "not_migrated":
        return DatabaseNotMigrated(f"De database is nog niet opgebouwd of bijgewerkt{where}: er ontbreekt een tabel "
                                   "of kolom.")
    if kind == "timeout":
        return DatabaseTimeout(f"De database gaf niet op tijd antwoord{where}; de vraag is afgebroken.")
    return DatabaseLocked(f"De database is even bezet door een ander proces{where}.")


def _classified(engine: Engine, exc: BaseException) -> BaseException:
    return database_error(exc, str(engine.url)) or exc


@contextmanager
def connect(url: str | None = None) -> Iterator[sa.Connection]:
    """A connection; database failures, also inside the ``with`` block, raise the matching DatabaseError."""
    engine = get_engine(url)
    try:
        conn = engine.connect()
    except (sa.exc.OperationalError, sa.exc.InterfaceError) as exc:
        raise database_error(exc, str(engine.url)) or DatabaseUnavailable(
            f"De database is niet bereikbaar ({redact(str(engine.url))}).") from exc
    with conn:
        try:
            yield conn
        except sa.exc.DBAPIError as exc:
            err = _classified(engine, exc)
            if err is exc:
                raise
            raise err from exc


@contextmanager
def transaction(url: str | None = None) -> Iterator[sa.Connection]:
    """One write transaction (commit on success, rollback on any error); failures as in :func:`connect`."""
    with connect(url) as conn, conn.begin():
        yield conn


def query(sql: str, params: Mapping[str, Any] | None = None, url: str | None = None) -> pd.DataFrame:
    """Run a read query with bound parameters and return a DataFrame."""
    with connect(url) as conn:
        result = conn.execute(sa.text(sql), dict(params or {}))
        return pd.DataFrame([tuple(r) for r in result.fetchall()], columns=list(result.keys()))  # tuples: fast


def select(stmt: sa.sql.Select, url: str | None = None) -> pd.DataFrame:
    """Run a SQLAlchemy Core select (parameters are bound by SQLAlchemy)."""
    with connect(url) as conn:
        result = conn.execute(stmt)
        return pd.DataFrame([tuple(r) for r in result.fetchall()], columns=list(result.keys()))  # tuples: fast
