"""Every page of the navigation, opened in headless Chromium against the real app on both backends.

The page list is read from app.py (``benchmarks._browser.navigation``), so a page added to ``PAGES`` is
tested without editing this file; ``test_sidebar_lists_exactly_the_parsed_pages`` checks that reading
against what Streamlit itself renders. Screenshots: test-output/screenshots/<backend>-<page>.png.
"""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from benchmarks._browser import APP, EXCEPTION, NAV_LINK, NOT_FOUND, PageSpec, StreamlitServer, goto_settled, navigation

pytestmark = pytest.mark.browser

PAGES = navigation()
OVERZICHT = next(p for p in PAGES if p.url_path == "overzicht")
MAX_SHOT_HEIGHT = 16_000

# Widgets load lazily (a stSkeleton until their code is there) and charts/maps draw after the script run
# has finished: wait for both before a screenshot.
CHARTS_DRAWN = """() => !document.querySelector("[data-testid='stSkeleton']") && [...document.querySelectorAll(
      "[data-testid='stVegaLiteChart'], [data-testid='stArrowVegaLiteChart'], [data-testid='stDeckGlJsonChart']")]
    .every(el => el.querySelector('canvas, svg'))"""


def open_page(page, server, path: str) -> None:
    goto_settled(page, f"{server.base_url}/{path}")
    # The sidebar's page links (st.page_link) may still be drawing when the script run has ended: give them a
    # moment (best effort: a missing link is then reported by the assertions, not as a timeout here).
    try:
        page.wait_for_function(f"document.querySelectorAll({NAV_LINK!r}).length >= {len(PAGES)}", timeout=10_000)
    except PlaywrightTimeout:
        pass


def exceptions(page) -> list[str]:
    return [t.strip() for t in page.locator(EXCEPTION).all_inner_texts()]


def nav_titles(page) -> list[str]:
    # The material icon is a ligature whose name is part of innerText ("dashboard\n\nOverzicht").
    return [t.strip().split("\n")[-1].strip() for t in page.locator(NAV_LINK).all_inner_texts()]


def main_text(page) -> str:
    return page.locator("[data-testid='stMain']").inner_text()


def full_screenshot(page, path) -> None:
    """The whole main column: Streamlit scrolls inside stMain, so grow the viewport to its height."""
    height = page.evaluate("""() => {
        const m = document.querySelector("[data-testid='stMain']");
        return Math.max(m ? m.scrollHeight : 0, document.body.scrollHeight); }""")
    size = page.viewport_size
    page.set_viewport_size({"width": size["width"], "height": max(size["height"], min(height, MAX_SHOT_HEIGHT))})
    page.wait_for_function(CHARTS_DRAWN, timeout=30_000)
    path.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(path), full_page=True)


@pytest.mark.parametrize("spec", PAGES, ids=[p.slug for p in PAGES])
def test_page_renders_without_error(page, app_server, spec: PageSpec, output_dir):
    open_page(page, app_server, spec.route)
    full_screenshot(page, output_dir / "screenshots" / f"{app_server.backend}-{spec.slug}.png")
    errs = exceptions(page)
    assert not errs, f"{spec.title}: Streamlit exception on the page:\n" + "\n---\n".join(errs)
    assert page.locator(NOT_FOUND).count() == 0, f"{spec.title}: Streamlit says 'Page not found' for /{spec.route}"
    h1 = page.locator("[data-testid='stMain'] h1")
    assert h1.count() >= 1, f"{spec.title}: no h1 (st.title) on the page"
    assert h1.first.is_visible() and h1.first.inner_text().strip(), f"{spec.title}: the h1 is empty or hidden"
    assert nav_titles(page) == [p.title for p in PAGES], f"{spec.title}: page shown without the app.py frame"
    assert not page.js_errors, f"{spec.title}: uncaught JavaScript errors: {page.js_errors}"


def test_sidebar_lists_exactly_the_parsed_pages(page, app_server):
    """The ast reading of app.py agrees with Streamlit's own navigation (so no page escapes the tests)."""
    open_page(page, app_server, OVERZICHT.route)
    links = page.locator(NAV_LINK)
    hrefs = [links.nth(i).get_attribute("href") or "" for i in range(links.count())]
    paths = [re.sub(r"^https?://[^/]+/?", "", h).split("?")[0].strip("/") for h in hrefs]
    expected = [p.route for p in PAGES]
    assert sorted(paths) == sorted(expected), f"sidebar links {hrefs} vs app.py pages {expected}"
    assert nav_titles(page) == [p.title for p in PAGES]


def test_deep_link_on_a_fresh_server_runs_the_app_frame(page, browser_sqlite_url, output_dir):
    """The first visitor after a (re)start arrives on a shared deep link: app.py must still run.

    Streamlit switches a process into its legacy mode when a ``pages/`` directory sits next to the main
    script (the reason the pages live in ``views/``)
    script and the first session opens one of its files by URL: the page then runs without app.py (no
    set_page_config, no CSS, no footer) and the sidebar lists file names, for every later visitor too.
    """
    deep = next((p for p in PAGES if not p.default), PAGES[0])
    with StreamlitServer(APP, browser_sqlite_url, log_path=output_dir / "logs" / "streamlit-deeplink.log") as srv:
        open_page(page, srv, deep.route)
        assert not exceptions(page), exceptions(page)
        assert page.locator(NOT_FOUND).count() == 0
        assert nav_titles(page) == [p.title for p in PAGES], (
            f"first visit on /{deep.route} after start: sidebar shows {nav_titles(page)}, "
            "i.e. the page ran without app.py")
        assert "Alle cijfers zijn terug te voeren" in main_text(page), "app.py footer missing"


def test_overzicht_shows_both_buurten_with_dutch_numbers_and_source(page, app_server):
    open_page(page, app_server, OVERZICHT.route)
    assert not exceptions(page)
    text = main_text(page)
    assert "Nazareth" in text and "Pottenberg" in text
    pct = re.findall(r"\d+,\d%", text)
    assert pct, "no percentage with a Dutch decimal comma (e.g. 25,3%) on the Overzicht page"
    assert not re.search(r"\d+\.\d%", text), "percentage written with a decimal point"
    assert "Bron: CBS" in text, "footer source line 'Bron: CBS' missing"


def test_shared_url_selects_the_indicator(page, app_server):
    """A link shared as /trends?indicator=eenzaam opens with Eenzaamheid selected and keeps the parameter."""
    open_page(page, app_server, "trends?indicator=eenzaam")
    assert not exceptions(page), exceptions(page)
    # Streamlit 1.67 selectboxes are comboboxes: the shown value is the input's value, the label its aria-label.
    boxes = page.locator("[data-testid='stSelectbox'] input[role='combobox']")
    # The script run can end before the browser has drawn the selectboxes (Streamlit loads an element's code when
    # it is first shown): wait for them, then read.
    boxes.first.wait_for(state="attached", timeout=30_000)
    shown = [(boxes.nth(i).get_attribute("aria-label"), boxes.nth(i).input_value()) for i in range(boxes.count())]
    assert any(value.startswith("Eenzaamheid") for _, value in shown), f"selectboxes (label, value): {shown}"
    assert "indicator=eenzaam" in page.evaluate("location.href"), page.evaluate("location.href")


def test_tab_moves_focus_to_a_visible_control(page, app_server):
    open_page(page, app_server, OVERZICHT.route)
    page.locator("body").focus()
    page.keyboard.press("Tab")
    focused = page.evaluate("""() => {
        const el = document.activeElement;
        if (!el || el === document.body || el === document.documentElement) return null;
        const r = el.getBoundingClientRect(), cs = getComputedStyle(el);
        return {tag: el.tagName, text: (el.innerText || el.getAttribute('aria-label') || '').trim().slice(0, 60),
                tabIndex: el.tabIndex, visible: r.width > 0 && r.height > 0 && cs.visibility !== 'hidden'
                  && cs.display !== 'none' && r.bottom > 0 && r.top < window.innerHeight};
    }""")
    assert focused is not None, "Tab did not move focus off the page body"
    assert focused["tabIndex"] >= 0, focused
    assert focused["visible"], f"focused element is not visible: {focused}"


def test_click_on_the_map_chooses_the_buurt(page, app_server):
    """The Maastricht map is a Vega-Lite chart: a click on a buurt reruns the page with that buurt chosen below
    the map (and in the URL), ready for 'Buurtprofiel ... openen'."""
    open_page(page, app_server, "kaart")
    chart = page.locator("[data-testid='stVegaLiteChart']").first
    chart.locator("canvas, svg").first.wait_for(timeout=30_000)
    box = chart.bounding_box()
    button = page.locator("button", has_text=re.compile(r"Buurtprofiel van .* openen"))
    before = button.inner_text()
    # Click a grid of points until a buurt other than the default is picked (the map shape is data-driven).
    for fx in (0.3, 0.45, 0.6):
        for fy in (0.3, 0.5, 0.7):
            page.mouse.click(box["x"] + box["width"] * fx, box["y"] + box["height"] * fy)
            try:
                page.wait_for_function("""(before) => [...document.querySelectorAll('button')].some(
                    b => b.innerText.includes('Buurtprofiel van') && b.innerText !== before)""", arg=before,
                    timeout=4_000)
            except PlaywrightTimeout:
                continue
            assert not exceptions(page), exceptions(page)
            name = re.search(r"Buurtprofiel van (.*) openen", button.inner_text()).group(1)
            combo = page.get_by_role("combobox", name="Buurt (of klik op de kaart)")
            assert combo.input_value() == name, (combo.input_value(), name)
            return
    raise AssertionError("no click on the map changed the chosen buurt")
