"""Issue 22 at 1280x720 in Chromium: slide 1 (one message, at most three numbers), Overzicht's headline (what the
figures are from, the build date as a detail) and a target card whose baseline is the latest measurement (an
editor creates it in a temporary database): the latest measurement is shown and no figure runs into another.
Screenshots in test-output/screenshots/council/."""
from __future__ import annotations

import re

import pytest

from benchmarks._browser import EXCEPTION, free_port, goto_settled

from .editors import editor_server, editors_file, settle, sign_in
from .test_editor_flow import choose
from .test_presentation import FRAME

pytestmark = pytest.mark.browser
PORTS = range(8651, 8660)
VIEWPORT = {"width": 1280, "height": 720}


@pytest.fixture(scope="module")
def server(tmp_path_factory, output_dir, browser):
    from conftest import built_sqlite  # tests/conftest.py: a copy of build(url, national=False)

    db = built_sqlite(tmp_path_factory, tmp_path_factory.mktemp("council-db") / "app.sqlite")
    with editor_server(db, editors_file(tmp_path_factory.mktemp("editors")), browser,
                       output_dir / "logs" / "streamlit-council.log", port=free_port(PORTS)) as s:
        yield s


@pytest.fixture(scope="module")
def shots(output_dir):
    d = output_dir / "screenshots" / "council"
    d.mkdir(parents=True, exist_ok=True)
    return d


def _page(browser):
    ctx = browser.new_context(viewport=VIEWPORT, locale="nl-NL")
    return ctx, ctx.new_page()


def test_slide_one_has_one_message(browser, server, shots):
    ctx, page = _page(browser)
    try:
        goto_settled(page, f"{server.base_url}/presentatie")
        page.wait_for_selector(FRAME, timeout=60_000)
        frame = page.locator(FRAME).element_handle().content_frame()
        frame.wait_for_selector("#deck[data-current]", state="attached", timeout=30_000)
        assert page.locator(EXCEPTION).count() == 0
        slide = frame.locator(".slide:not([hidden])")
        text = slide.inner_text()
        page.screenshot(path=str(shots / "dia-1-1280x720.png"))
        body = text.split("Bron:")[0]  # the source line names tables (50090NED), not statistics
        numbers = re.findall(r"\d+(?:[.,]\d+)*", re.sub(r"\d+\s*/\s*\d+\s*$", "", body.strip()))
        assert "Voorstellen voor doelen" in text and "voorstel — niet vastgesteld" in text
        assert len(numbers) <= 3, (numbers, text)
        assert "%" not in body
    finally:
        ctx.close()


def test_overzicht_headline_says_what_the_figures_are_from(browser, server, shots):
    ctx, page = _page(browser)
    try:
        goto_settled(page, f"{server.base_url}/")
        settle(page)
        # st.metric is a lazily loaded element: under load it can be drawn after the script run has finished
        page.wait_for_selector("[data-testid='stMetric']", state="visible", timeout=60_000)
        page.screenshot(path=str(shots / "overzicht-1280x720.png"))
        main = page.inner_text("[data-testid='stMain']")
        assert "Cijfers uit" in main and "2020–2025" in main and "Gegevens bijgewerkt" not in main
        assert "Database opgebouwd op" in main and "Gezondheid per buurt 2020" in main
        assert "per 1.000 inwoners — 79,4 per 1.000 inwoners" not in main
        goto_settled(page, f"{server.base_url}/?pijler=Gelijke+kansen")
        settle(page)
        page.screenshot(path=str(shots / "overzicht-gelijke-kansen-1280x720.png"))
        main = page.inner_text("[data-testid='stMain']")
        assert "Nog geen uitkomstcijfer per buurt voor gelijke kansen" in main
        assert "85039NED" in main
    finally:
        ctx.close()


def test_target_card_with_the_baseline_as_latest_measurement(browser, server, shots):
    ctx, page = _page(browser)
    try:
        goto_settled(page, server.base_url + "/doelen")
        sign_in(page)
        settle(page)
        choose(page, "Gebied", "Nazareth")
        page.wait_for_selector("text=Basiswaarde 2020: ")
        page.get_by_label("Streefwaarde (%)").fill("20")
        page.get_by_label("Eigenaar (partner of team)").fill("Team bestaanszekerheid")
        page.get_by_label("Onderbouwing").fill("Minder huishoudens met geldzorgen")
        page.get_by_role("button", name="Doel opslaan").click()
        page.wait_for_selector("text=Doel opgeslagen.", timeout=60_000)
        settle(page)
        heading = page.get_by_role("heading", name="Moeite met rondkomen — Nazareth")
        heading.scroll_into_view_if_needed()
        page.wait_for_timeout(300)
        page.screenshot(path=str(shots / "doelkaart-basis-is-laatste-1280x720.png"))
        figures = page.locator(".wm-figure")
        texts = [t.replace("\n", " ") for t in figures.all_inner_texts()]
        assert texts == ["Basis 2020 25,3%", "Laatste meting 2020 (de basis) 25,3%", "Doel 2030 20,0%"], texts
        boxes = [figures.nth(i).bounding_box() for i in range(figures.count())]
        for i, a in enumerate(boxes):  # no figure runs into another one
            for b in boxes[i + 1:]:
                w = min(a["x"] + a["width"], b["x"] + b["width"]) - max(a["x"], b["x"])
                h = min(a["y"] + a["height"], b["y"] + b["height"]) - max(a["y"], b["y"])
                assert w <= 1 or h <= 1, (a, b)
        cut = page.evaluate("""() => [...document.querySelectorAll('.wm-figure, .wm-figure *')]
            .filter(el => el.scrollWidth > el.clientWidth + 1).map(el => el.innerText)""")
        assert not cut, cut
        assert "geen gegevens" not in page.inner_text("[data-testid='stMain']")
    finally:
        ctx.close()
