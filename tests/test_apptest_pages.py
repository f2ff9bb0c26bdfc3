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


# ------------------------------------------------------------------------------------ own measurements on pages

@pytest.fixture(scope="module")
def own_sqlite(subset_sqlite, tmp_path_factory) -> str:
    """A copy of the fixture database with the made-up own measurements of tests/own_made_up.py."""
    import shutil

    from own_made_up import populate

    path = tmp_path_factory.mktemp("own-pages") / "own.sqlite"
    shutil.copy(subset_sqlite.removeprefix("sqlite:///"), path)
    url = f"sqlite:///{path}"
    populate(url)
    return url


@pytest.fixture
def own_env(monkeypatch, own_sqlite):
    import streamlit as st

    monkeypatch.setenv("DATABASE_URL", own_sqlite)
    monkeypatch.delenv("WIJKMONITOR_READONLY_DATABASE_URL", raising=False)
    st.cache_data.clear()
    st.cache_resource.clear()
    yield own_sqlite
    st.cache_data.clear()
    st.cache_resource.clear()


def _page(file: str, params: dict | None = None, session: dict | None = None):
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(ROOT / file), default_timeout=90)
    for k, v in (params or {}).items():
        at.query_params[k] = v
    for k, v in (session or {}).items():
        at.session_state[k] = v
    at.run()
    assert not at.exception, f"{file}:\n" + "\n---\n".join(_problems(at))
    return at


def _text(at) -> str:
    return "\n".join([m.value for m in at.markdown] + [c.value for c in at.caption]
                     + [h.value for h in at.subheader])


def test_successen_shows_own_lines_with_provenance_and_no_intern_for_a_visitor(own_env):
    at = _page("views/successen.py")  # Nazareth, the first tab
    text = _text(at)
    assert "<span class='wm-tag'>eigen meting</span> Aanmeldingen schuldhulpverlening: van 32,0 per 1.000 " \
           "(2025-K2) naar 9,6 per 1.000 (2025-K3)" in text
    assert "Periode 2025-K2 → 2025-K3, in het startjaar van het programma (2025)" in text
    assert "eigen meting — bron: Gemeente Maastricht, schuldhulpverlening, noemer 1.250 (2025-K3), " \
           "1.250 (2025-K2)" in text
    assert "Ik heb invloed" not in text and "intern" not in text
    # Pottenberg: the setback among the CBS setbacks; the withheld figure, opened, says '<10' and no change
    at = _page("views/successen.py", {"focusbuurt": "Pottenberg"}, {"rest_Pottenberg": True})
    text = _text(at)
    assert "Ervaren gezondheid (rapportcijfer): van 7,2 (2025) naar 6,5 (2026)" in text
    assert "nieuwste meting (2025-K3) niet getoond (&lt;10), dus geen verandering" in text
    assert "noemer 1.245" not in text  # no noemer beside a withheld teller
    assert any(c.value.startswith("<10: minder dan 10") for c in at.caption)
    # a signed-in editor sees the intern indicator, tagged
    from own_made_up import editor
    from ui.auth import SESSION_KEY

    at = _page("views/successen.py", session={SESSION_KEY: editor()})
    assert "eigen meting · intern</span> Ik heb invloed op wat er in mijn buurt gebeurt" in _text(at)


def test_buurtprofiel_shows_the_own_section_with_maastricht_and_no_intern_for_a_visitor(own_env):
    at = _page("views/buurtprofiel.py")  # Nazareth by default
    assert "Eigen metingen van het programma" in [h.value for h in at.subheader]
    own = next(t.value for t in at.table if "Herkomst" in t.value.columns)
    r = own.loc["Aanmeldingen schuldhulpverlening"]
    assert (r["Waarde"], r["Maastricht"]) == ("9,6 per 1.000", "14,7 per 1.000; 95%-interval 13,7 tot 15,7 per 1.000")
    assert r["Herkomst"].startswith("Eigen meting — bron: Gemeente Maastricht, schuldhulpverlening, periode 2025-K3")
    assert not any("invloed" in i.lower() for i in own.index)
    at = _page("views/buurtprofiel.py", {"buurt": "BU09350203"})
    own = next(t.value for t in at.table if "Herkomst" in t.value.columns)
    assert own.loc["Aanmeldingen schuldhulpverlening", "Waarde"] == "<10"
    assert own.loc["Aanmeldingen schuldhulpverlening", "95%-interval"] == ""
    assert any(c.value.startswith("<10: minder dan 10") for c in at.caption)
    # a buurt without own measurements: no section
    at = _page("views/buurtprofiel.py", {"buurt": "BU09350101"})
    assert "Eigen metingen van het programma" not in [h.value for h in at.subheader]
