"""The single door to the database.

All SQL in the project runs through this module's connections — :func:`query` / :func:`select` for reads,
:func:`connect` / :func:`transaction` for everything else — with bound parameters only, on SQLAlchemy Core table
objects from :mod:`loaders.schema`. A database that cannot be reached always becomes :class:`DatabaseUnavailable`
(a message safe to show), for reads and writes alike.
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


class DatabaseUnavailable(RuntimeError):
    """The database cannot be reached; the message is safe to show to users."""


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


def _unavailable(engine: Engine, exc: Exception) -> DatabaseUnavailable:
    return DatabaseUnavailable(f"De database is niet bereikbaar ({redact(str(engine.url))}). Probeer het later opnieuw.")


@contextmanager
def connect(url: str | None = None) -> Iterator[sa.Connection]:
    """A read connection; an unreachable database raises DatabaseUnavailable."""
    engine = get_engine(url)
    try:
        conn = engine.connect()
    except (sa.exc.OperationalError, sa.exc.InterfaceError) as exc:
        raise _unavailable(engine, exc) from exc
    with conn:
        yield conn


@contextmanager
def transaction(url: str | None = None) -> Iterator[sa.Connection]:
    """One write transaction (commit on success, rollback on any error); unreachable -> DatabaseUnavailable."""
    with connect(url) as conn, conn.begin():
        yield conn


def query(sql: str, params: Mapping[str, Any] | None = None, url: str | None = None) -> pd.DataFrame:
    """Run a read query with bound parameters and return a DataFrame."""
    engine = get_engine(url)
    try:
        with engine.connect() as conn:
            result = conn.execute(sa.text(sql), dict(params or {}))
            return pd.DataFrame([tuple(r) for r in result.fetchall()], columns=list(result.keys()))  # tuples: fast
    except sa.exc.OperationalError as exc:
        raise _unavailable(engine, exc) from exc


def select(stmt: sa.sql.Select, url: str | None = None) -> pd.DataFrame:
    """Run a SQLAlchemy Core select (parameters are bound by SQLAlchemy)."""
    engine = get_engine(url)
    try:
        with engine.connect() as conn:
            result = conn.execute(stmt)
            return pd.DataFrame([tuple(r) for r in result.fetchall()], columns=list(result.keys()))  # tuples: fast
    except sa.exc.OperationalError as exc:
        raise _unavailable(engine, exc) from exc
