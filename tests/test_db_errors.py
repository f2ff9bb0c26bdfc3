"""Database failures told apart (loaders.db): unreachable, not migrated, timeout and locked, each produced for real
on SQLite and PostgreSQL where the backend has it, each a Dutch message that says what to do; pages (guarded,
error_message) and the command line (exit status 4) show that message and never the driver's text."""
from __future__ import annotations

import sqlite3
import threading

import pytest
import sqlalchemy as sa

from loaders.db import (DatabaseError, DatabaseLocked, DatabaseNotMigrated, DatabaseTimeout, DatabaseUnavailable,
                        connect, database_error, query, transaction)
from tests.conftest import _pg_base_url, fresh_pg_database, fresh_url

KINDS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]


def _no_driver_text(exc: DatabaseError) -> None:
    """The message is ours: the driver's own text (from the chained cause) does not appear in it."""
    text = str(exc)
    cause = exc.__cause__
    assert cause is not None
    driver = str(getattr(cause, "orig", cause)).strip().splitlines()[0]
    assert driver and driver not in text, text
    for raw in ("OperationalError", "ProgrammingError", "SELECT", "Traceback"):
        assert raw not in text, text

# ---------------------------------------------------------------------------------------------- unreachable

def test_wrong_port_is_unreachable():
    with pytest.raises(DatabaseUnavailable, match="niet bereikbaar") as err:
        query("SELECT 1", url="postgresql+psycopg://wm:geheim-wachtwoord@127.0.0.1:1/none")
    assert "geheim-wachtwoord" not in str(err.value) and "later opnieuw" in str(err.value)
    _no_driver_text(err.value)


@pytest.mark.postgres
def test_dropped_database_is_unreachable():
    url = fresh_pg_database("gone")
    assert query("SELECT 1 AS x", url=url)["x"].iloc[0] == 1
    from loaders.db import get_engine

    get_engine(url).dispose()
    admin = sa.create_engine(_pg_base_url(), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f'DROP DATABASE "{sa.engine.make_url(url).database}" WITH (FORCE)')
    admin.dispose()
    with pytest.raises(DatabaseUnavailable, match="niet bereikbaar"):
        query("SELECT 1", url=url)


def test_sqlite_file_that_cannot_be_opened_is_unreachable(tmp_path):
    with pytest.raises(DatabaseUnavailable, match="niet bereikbaar"):
        query("SELECT 1", url=f"sqlite:///{tmp_path / 'no-such-folder' / 'x.sqlite'}")


@pytest.mark.postgres
def test_server_closing_the_connection_mid_transaction_is_unreachable():
    url = fresh_pg_database("kill")
    with pytest.raises(DatabaseUnavailable):
        with transaction(url) as conn:
            conn.exec_driver_sql("SELECT pg_terminate_backend(pg_backend_pid())")


# ---------------------------------------------------------------------------------------------- not migrated

@pytest.mark.parametrize("kind", KINDS)
def test_missing_table_and_column_are_not_migrated(kind, tmp_path):
    url = fresh_url(kind, tmp_path)
    with pytest.raises(DatabaseNotMigrated, match="nog niet opgebouwd of bijgewerkt") as err:
        query("SELECT * FROM targets", url=url)
    assert "python -m wijkmonitor build" in str(err.value)
    _no_driver_text(err.value)
    with transaction(url) as conn:
        conn.exec_driver_sql("CREATE TABLE targets (id INTEGER PRIMARY KEY)")
    with pytest.raises(DatabaseNotMigrated):
        query("SELECT milestones FROM targets", url=url)
    with pytest.raises(DatabaseNotMigrated):  # a write in a transaction too, and nothing is left half done
        with transaction(url) as conn:
            conn.exec_driver_sql("INSERT INTO targets (id) VALUES (1)")
            conn.exec_driver_sql("INSERT INTO targets (id, milestones) VALUES (2, 'x')")
    assert query("SELECT COUNT(*) AS n FROM targets", url=url)["n"].iloc[0] == 0


# ---------------------------------------------------------------------------------------------- timeout

@pytest.mark.postgres
def test_statement_timeout_is_a_timeout():
    url = fresh_pg_database("slow")
    with pytest.raises(DatabaseTimeout, match="niet op tijd") as err:
        with connect(url) as conn:
            conn.exec_driver_sql("SET statement_timeout = 1")
            conn.exec_driver_sql("SELECT pg_sleep(1)")
    assert "opnieuw" in str(err.value)
    _no_driver_text(err.value)


def test_sqlite_interrupted_statement_is_a_timeout(tmp_path):
    """SQLite has no statement time limit; a statement interrupted (sqlite3 interrupt()) is the same failure."""
    url = f"sqlite:///{tmp_path / 't.sqlite'}"
    slow = ("WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 100000000) "
            "SELECT SUM(x) FROM c")
    with pytest.raises(DatabaseTimeout):
        with connect(url) as conn:
            raw = conn.connection.dbapi_connection
            timer = threading.Timer(0.2, raw.interrupt)
            timer.start()
            try:
                conn.exec_driver_sql(slow)
            finally:
                timer.cancel()


# ---------------------------------------------------------------------------------------------- locked

def test_sqlite_exclusive_lock_is_locked(tmp_path):
    path = tmp_path / "locked.sqlite"
    url = f"sqlite:///{path}"
    with transaction(url) as conn:
        conn.exec_driver_sql("CREATE TABLE t (x INTEGER)")
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        with pytest.raises(DatabaseLocked, match="bezet") as err:
            with transaction(url) as conn:
                conn.exec_driver_sql("PRAGMA busy_timeout = 100")  # short: the app waits 30 s
                conn.exec_driver_sql("INSERT INTO t VALUES (1)")
        assert "probeer het opnieuw" in str(err.value).lower()
        _no_driver_text(err.value)
    finally:
        holder.rollback()
        holder.close()
    with transaction(url) as conn:  # the lock gone, the same write works
        conn.exec_driver_sql("INSERT INTO t VALUES (1)")


@pytest.mark.postgres
def test_postgres_lock_timeout_is_locked():
    url = fresh_pg_database("lock")
    with transaction(url) as conn:
        conn.exec_driver_sql("CREATE TABLE t (x INTEGER)")
    holder = sa.create_engine(url).connect()
    holder.begin()
    holder.exec_driver_sql("LOCK TABLE t IN ACCESS EXCLUSIVE MODE")
    try:
        with pytest.raises(DatabaseLocked, match="bezet"):
            with transaction(url) as conn:
                conn.exec_driver_sql("SET LOCAL lock_timeout = 100")
                conn.exec_driver_sql("INSERT INTO t VALUES (1)")
    finally:
        holder.rollback()
        holder.close()


# ---------------------------------------------------------------------------------------------- not a failure

@pytest.mark.parametrize("kind", KINDS)
def test_other_errors_pass_through_unchanged(kind, tmp_path):
    url = fresh_url(kind, tmp_path)
    with transaction(url) as conn:
        conn.exec_driver_sql("CREATE TABLE t (x INTEGER PRIMARY KEY)")
        conn.exec_driver_sql("INSERT INTO t VALUES (1)")
    with pytest.raises(sa.exc.IntegrityError) as err:
        with transaction(url) as conn:
            conn.exec_driver_sql("INSERT INTO t VALUES (1)")
    assert database_error(err.value) is None


# ---------------------------------------------------------------------------------------------- where it is shown

def _guarded_page(url: str) -> None:
    from loaders.db import query
    from ui import state

    state.guarded(lambda: query("SELECT * FROM targets", url=url))


def test_a_page_shows_the_not_migrated_message(tmp_path):
    from streamlit.testing.v1 import AppTest

    url = f"sqlite:///{tmp_path / 'empty.sqlite'}"
    at = AppTest.from_function(_guarded_page, args=(url,), default_timeout=30).run()
    assert not at.exception
    assert len(at.error) == 1 and "python -m wijkmonitor build" in at.error[0].value
    assert "no such table" not in at.error[0].value


def test_error_message_known_database_and_unknown(tmp_path, caplog):
    from loaders.errors import LoadError
    from ui.components import UNKNOWN_ERROR, error_message

    assert error_message(LoadError("x.csv", "tekst in een getal", row=3)) == \
        "bestand 'x.csv', rij 3: tekst in een getal"
    try:
        query("SELECT * FROM targets", url=f"sqlite:///{tmp_path / 'e.sqlite'}")
    except DatabaseNotMigrated as exc:
        assert "nog niet opgebouwd" in error_message(exc)
    engine = sa.create_engine(f"sqlite:///{tmp_path / 'raw.sqlite'}")  # a raw driver error, outside loaders.db
    with pytest.raises(sa.exc.OperationalError) as raw:
        with engine.connect() as conn:
            conn.exec_driver_sql("SELECT * FROM nowhere")
    assert "nog niet opgebouwd" in error_message(raw.value) and "nowhere" not in error_message(raw.value)
    with caplog.at_level("ERROR", logger="wijkmonitor"):
        shown = error_message(KeyError("/etc/secret-path"))
    assert shown == UNKNOWN_ERROR and "secret-path" not in shown
    assert "secret-path" in caplog.text and "KeyError" in caplog.text  # logged with its traceback


# ---------------------------------------------------------------------------------------------- command line

def test_cli_exits_non_zero_with_the_dutch_message(tmp_path, capsys):
    from wijkmonitor.__main__ import main
    from wijkmonitor.failures import EXIT_DATABASE

    rc = main(["build", "--subset", "--url", "postgresql+psycopg://wm:geheim@127.0.0.1:1/none"])
    err = capsys.readouterr().err
    assert rc == EXIT_DATABASE and "niet bereikbaar" in err and "geheim" not in err and "Traceback" not in err
    assert "OperationalError" not in err
    rc = main(["export", "--out", str(tmp_path / "x.csv"), "--url", f"sqlite:///{tmp_path / 'empty.sqlite'}"])
    err = capsys.readouterr().err
    assert rc == EXIT_DATABASE and "python -m wijkmonitor build" in err and "Traceback" not in err
