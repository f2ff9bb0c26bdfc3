"""AppTest smoke test of every page in app.py's navigation, in-process, on the SQLite fixture database.

The page list comes from app.py via ``ast`` (benchmarks/_browser.py imports only the standard library), and
Streamlit's testing module is imported inside the tests, so collecting this file costs next to nothing.
"""
from __future__ import annotations

import pytest

from benchmarks._browser import APP, ROOT, PageSpec, navigation

PAGES = navigation()


@pytest.fixture
def app_env(monkeypatch, subset_sqlite):
    """DATABASE_URL on the fixture database and empty Streamlit caches (no result leaks between pages)."""
    import streamlit as st

    monkeypatch.setenv("DATABASE_URL", subset_sqlite)
    monkeypatch.delenv("WIJKMONITOR_READONLY_DATABASE_URL", raising=False)
    st.cache_data.clear()
    st.cache_resource.clear()
    return subset_sqlite


def _run(script) -> "AppTest":  # noqa: F821
    from streamlit.testing.v1 import AppTest

    return AppTest.from_file(str(script), default_timeout=90).run()


def _problems(at) -> list[str]:
    return [f"{e.message}\n{''.join(e.stack_trace)}" for e in at.exception]


@pytest.mark.parametrize("spec", PAGES, ids=[p.slug for p in PAGES])
def test_page_runs_and_has_a_title(app_env, spec: PageSpec):
    at = _run(ROOT / spec.file)
    assert not at.exception, f"{spec.file}:\n" + "\n---\n".join(_problems(at))
    titles = [t.value for t in at.title]
    assert titles and titles[0].strip(), f"{spec.file}: no st.title"


def test_router_runs_the_default_page(app_env):
    """app.py itself: set_page_config, CSS, st.navigation and the default page run without an exception."""
    default = next(p for p in PAGES if p.default)
    at = _run(APP)
    assert not at.exception, "app.py:\n" + "\n---\n".join(_problems(at))
    assert at.title, f"app.py did not render the default page ({default.file})"
    assert any("Bron: CBS" in c.value for c in at.caption), "footer source line missing"
