"""Fixtures for the browser tests.

``app_server`` is session-scoped and parametrised by backend: pytest groups the tests per backend, so one
Streamlit server runs at a time (SQLite first, then PostgreSQL) in each pytest process (each xdist worker runs
its own). Each server reads its own fixture database, a copy of ``build(url, national=False)`` from the shipped
data (tests/conftest.py: ``built_sqlite`` / ``built_pg_database``); nothing touches data/wijkmonitor.sqlite.
"""
from __future__ import annotations

import pytest

from benchmarks._browser import APP, StreamlitServer, goto_settled

VIEWPORT = {"width": 1440, "height": 900}


@pytest.fixture(scope="session")
def browser_sqlite_url(tmp_path_factory) -> str:
    from conftest import built_sqlite  # tests/conftest.py

    return built_sqlite(tmp_path_factory, tmp_path_factory.mktemp("browser-db") / "app.sqlite")


@pytest.fixture(scope="session")
def browser_pg_url(tmp_path_factory) -> str:
    from conftest import built_pg_database  # tests/conftest.py (skips when no PostgreSQL is configured)

    return built_pg_database(tmp_path_factory, "browser")


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def app_server(request, output_dir, browser):
    """A running ``streamlit run app.py`` on a free port of 8620-8629, against a fixture DB of one backend (its
    log test-output/logs/streamlit-<backend>[-<xdist worker>].log).

    The first visit goes to the root URL. Streamlit decides once per process whether the app uses the legacy
    ``pages/`` directory mode; a first visit on a deep link can lock the whole process into that mode (the
    app frame in app.py then never runs). That is tested on its own, on a fresh server, by
    ``test_deep_link_on_a_fresh_server_runs_the_app_frame``; here it must not decide every other test.
    """
    backend = request.param
    if backend == "postgresql":
        request.applymarker(pytest.mark.postgres)
    db_url = request.getfixturevalue("browser_sqlite_url" if backend == "sqlite" else "browser_pg_url")
    from conftest import worker_suffix

    server = StreamlitServer(APP, db_url, log_path=output_dir / "logs" / f"streamlit-{backend}{worker_suffix()}.log")
    server.backend = backend  # type: ignore[attr-defined]
    server.start()
    try:
        ctx = browser.new_context(viewport=VIEWPORT)
        goto_settled(ctx.new_page(), server.base_url + "/")
        ctx.close()
        yield server
    finally:
        server.stop()


# `browser` lives in tests/conftest.py: one Playwright instance for the whole session (a second sync_playwright
# cannot start while one is running).


@pytest.fixture
def page(browser):
    """A fresh browser context per test (own cookies, own Streamlit session); collects uncaught JS errors."""
    ctx = browser.new_context(viewport=VIEWPORT, locale="nl-NL")
    p = ctx.new_page()
    p.js_errors = []  # type: ignore[attr-defined]
    p.on("pageerror", lambda exc: p.js_errors.append(str(exc)))
    try:
        yield p
    finally:
        ctx.close()
