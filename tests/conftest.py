"""Shared fixtures: fixture databases built from slices of the real data, on SQLite and PostgreSQL.

`make test` starts a throw-away PostgreSQL and sets WIJKMONITOR_TEST_PG_URL. Outside `make test` the
PostgreSQL-parametrised tests are skipped unless that variable is set; in CI (CI=true) they fail instead.

`make test` runs the suite on several pytest-xdist workers (``--dist loadfile``: each file on one worker). What
the workers share is made safe here: every PostgreSQL database has its own random name; the subset database
(``build(url, national=False)``) is built once per run per backend, under a file lock in the run's shared
temporary directory, and every fixture that only needs a built database gets its own copy of it
(:func:`built_sqlite`, :func:`built_pg_database`); files the fixtures here write into test-output/ carry the
worker's name.
"""
from __future__ import annotations

import contextlib
import fcntl
import os
import sqlite3
import uuid
from pathlib import Path

import pytest
import sqlalchemy as sa

from wijkmonitor.statistics import build

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "test-output"
# "gw0", "gw1", … under pytest-xdist; "" in a serial run.
WORKER = os.environ.get("PYTEST_XDIST_WORKER", "")


def worker_suffix() -> str:
    """"-gw0" on xdist worker gw0, "" in a serial run: for file names two workers could both write."""
    return f"-{WORKER}" if WORKER else ""


def _pg_base_url() -> str | None:
    url = os.environ.get("WIJKMONITOR_TEST_PG_URL")
    if not url:
        if os.environ.get("CI"):
            pytest.fail("WIJKMONITOR_TEST_PG_URL is not set: run the suite with `make test`")
        pytest.skip("PostgreSQL not available (run `make test`)")
    return url


def fresh_pg_database(prefix: str = "t", template: str | None = None) -> str:
    """Create a PostgreSQL database on the test server and return its URL: empty, or a copy of ``template``."""
    base = _pg_base_url()
    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    admin = sa.create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else ""))
    admin.dispose()
    return base.rsplit("/", 1)[0] + "/" + name


# ------------------------------------------------------------------ the subset database, built once per run

def _run_dir(tmp_path_factory) -> Path:
    """A directory every xdist worker of this run shares (the run's base temp; the session's own when serial)."""
    base = tmp_path_factory.getbasetemp()
    return base.parent if WORKER else base


@contextlib.contextmanager
def _run_lock(tmp_path_factory, name: str):
    """An exclusive lock held by one process of this run at a time (flock; released when the process dies)."""
    with open(_run_dir(tmp_path_factory) / f"{name}.lock", "w") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def _sqlite_files(url: str) -> tuple[Path, Path]:
    """The statistics file and the programme file beside it (loaders.settings.programme_database)."""
    from loaders.settings import programme_database

    return Path(sa.engine.make_url(url).database), Path(programme_database(url))


def _copy_sqlite(src: Path, dest: Path) -> None:
    """A consistent copy with SQLite's backup API (the source is in WAL mode: its -wal file counts too)."""
    with contextlib.closing(sqlite3.connect(src)) as a, contextlib.closing(sqlite3.connect(dest)) as b:
        a.backup(b)


def built_sqlite(tmp_path_factory, dest: Path) -> str:
    """The URL of ``dest``: a copy of ``build(url, national=False)`` on SQLite, which this run builds only once.

    For fixtures that need a built database to read or to write programme data into, not for tests of the build
    itself (those call ``build`` on their own database)."""
    template = _run_dir(tmp_path_factory) / "template-subset" / "subset.sqlite"
    template_url = f"sqlite:///{template}"
    with _run_lock(tmp_path_factory, "template-subset-sqlite"):
        if not (template.parent / "done").exists():
            from loaders.db import get_engine

            template.parent.mkdir(exist_ok=True)
            build(template_url, national=False)
            get_engine(template_url).dispose()
            (template.parent / "done").touch()
    dest.parent.mkdir(parents=True, exist_ok=True)
    url = f"sqlite:///{dest}"
    for src, copy in zip(_sqlite_files(template_url), _sqlite_files(url)):
        _copy_sqlite(src, copy)
    return url


def built_pg_database(tmp_path_factory, prefix: str) -> str:
    """A new PostgreSQL database that is a copy (CREATE DATABASE … TEMPLATE) of ``build(url, national=False)``,
    which this run builds only once on the test server."""
    marker = _run_dir(tmp_path_factory) / "template-subset-pg.name"
    with _run_lock(tmp_path_factory, "template-subset-pg"):
        if not marker.exists():
            from loaders.db import get_engine

            template_url = fresh_pg_database("tmpl_subset")
            build(template_url, national=False)
            get_engine(template_url).dispose()  # no session may stay connected to a template
            marker.write_text(sa.engine.make_url(template_url).database, encoding="utf-8")
        # under the lock: a copy waits until no other worker is copying or building the template
        return fresh_pg_database(prefix, template=marker.read_text(encoding="utf-8"))


def fresh_url(kind: str, tmp_path: Path) -> str:
    if kind == "sqlite":
        return f"sqlite:///{tmp_path / 'test.sqlite'}"
    return fresh_pg_database()


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_db(request, tmp_path) -> str:
    """An empty database URL of each kind."""
    if request.param == "postgresql":
        request.applymarker(pytest.mark.postgres)
    return fresh_url(request.param, tmp_path)


@pytest.fixture(scope="session")
def subset_sqlite(tmp_path_factory) -> str:
    """SQLite database built from the shipped data with the Maastricht/Heerlen/NL slice of 50090NED (this
    worker's own copy of the run's one build)."""
    return built_sqlite(tmp_path_factory, tmp_path_factory.mktemp("db") / "subset.sqlite")


@pytest.fixture(scope="session")
def subset_pg(tmp_path_factory) -> str:
    return built_pg_database(tmp_path_factory, "subset")


@pytest.fixture(params=["sqlite", "postgresql"])
def built_db(request) -> str:
    """The subset database, once per backend."""
    return request.getfixturevalue("subset_sqlite" if request.param == "sqlite" else "subset_pg")


@pytest.fixture(scope="session")
def output_dir() -> Path:
    OUT.mkdir(exist_ok=True)
    return OUT


@pytest.fixture(scope="session")
def browser():
    """One headless Debian Chromium (Playwright) for the whole session, shared by all browser tests."""
    from playwright.sync_api import sync_playwright

    from benchmarks._browser import launch_chromium

    with sync_playwright() as pw:
        b = launch_chromium(pw)
        try:
            yield b
        finally:
            b.close()


# ------------------------------------------------------------------ order of the files under pytest-xdist

# Files that take longest (seconds in one serial run on a loaded 2-core machine, 2026-12-02), handed out first
# under `--dist loadfile --no-loadscope-reorder` (Makefile), so that no long file starts last and keeps the run
# waiting for it. Only the order changes, never what runs; a file not listed follows in collection order.
SLOW_FILES_FIRST = (
    "tests/test_refresh.py",  # 568
    "tests/browser/test_accessibility.py",  # 458
    "tests/test_faults.py",  # 356
    "tests/test_jobs.py",  # 342
    "tests/test_runbook.py",  # 261
    "tests/test_corpus.py",  # 201
    "tests/browser/test_pages.py",  # 180
    "tests/test_loaders.py",  # 179
    "tests/test_own_indicators.py",  # 157
    "tests/test_backup.py",  # 141
    "tests/browser/test_presentation.py",  # 128
    "tests/test_boundaries.py",  # 119
    "tests/browser/test_proposals.py",  # 110
    "tests/test_statline_import.py",  # 107
)


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config, items):
    """Under xdist only (each worker collects, and all must agree on the order: this sort is deterministic and
    stable). A serial run keeps pytest's own order, which groups the browser tests per ``app_server`` backend."""
    if not WORKER:
        return
    rank = {path: i for i, path in enumerate(SLOW_FILES_FIRST)}
    items.sort(key=lambda item: rank.get(item.nodeid.split("::", 1)[0], len(rank)))
