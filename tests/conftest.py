"""Shared fixtures: fixture databases built from slices of the real data, on SQLite and PostgreSQL.

`make test` starts a throw-away PostgreSQL and sets WIJKMONITOR_TEST_PG_URL. Outside `make test` the
PostgreSQL-parametrised tests are skipped unless that variable is set; in CI (CI=true) they fail instead.
"""
from __future__ import annotations

import os
import uuid
from pathlib import Path

import pytest
import sqlalchemy as sa

from wijkmonitor.statistics import build

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "test-output"


def _pg_base_url() -> str | None:
    url = os.environ.get("WIJKMONITOR_TEST_PG_URL")
    if not url:
        if os.environ.get("CI"):
            pytest.fail("WIJKMONITOR_TEST_PG_URL is not set: run the suite with `make test`")
        pytest.skip("PostgreSQL not available (run `make test`)")
    return url


def fresh_pg_database(prefix: str = "t") -> str:
    """Create an empty PostgreSQL database on the test server and return its URL."""
    base = _pg_base_url()
    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    admin = sa.create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    admin.dispose()
    return base.rsplit("/", 1)[0] + "/" + name


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
    """SQLite database built from the shipped data with the Maastricht/Heerlen/NL slice of 50090NED."""
    url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'subset.sqlite'}"
    build(url, national=False)
    return url


@pytest.fixture(scope="session")
def subset_pg() -> str:
    url = fresh_pg_database("subset")
    build(url, national=False)
    return url


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
