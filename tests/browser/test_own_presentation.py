"""The own measurements on the Presentatie page, in headless Chromium against the real app (own server on ports
8681-8689, own fixture DB with the made-up uploads of tests/test_own_documents.py).

- the slide "Eigen metingen: <pijler>" at 1280x720 in full screen: no overflow, no overlap, slide-sized type
  (the checks of tests/browser/test_presentation.py), screenshotted to test-output/screenshots/presentation/;
- an anonymous visitor of a saved deck sees the public own slides with '<10' where due, never the intern one (and
  no warning about it); the briefing made on the page has the own lines and no intern indicator;
- a signed-in editor is offered the own slides in the picker, and sees the intern one only after switching
  "Interne eigen metingen meenemen" on.
"""
from __future__ import annotations

import io

import pytest

from benchmarks._browser import free_port
from loaders import decks
from wijkmonitor import documents
from wording import slides

from own_made_up import TODAY, editor
from test_own_documents import INTERN_LABEL, load_made_up

from .editors import editor_server, editors_file, settle, sign_in
from .test_presentation import MIN_CHART, _click, chart_label_px, open_presentation, walk_in_full_screen

pytestmark = pytest.mark.browser

PORTS = range(8681, 8690)
DECK = ["eigen:bestaanszekerheid", "eigen:positieve_gezondheid", "eigen:gelijke_kansen"]
PUBLIC = ["eigen:bestaanszekerheid", "eigen:gelijke_kansen"]
INTERN_TOGGLE = "Interne eigen metingen meenemen"


@pytest.fixture(scope="module")
def own_db(tmp_path_factory) -> tuple[str, int]:
    """The made-up database and a saved deck with the three own slides (saved by an editor with intern shown)."""
    url = load_made_up(f"sqlite:///{tmp_path_factory.mktemp('own-presentation') / 'app.sqlite'}")
    ctx = documents.briefing_context(url, TODAY, include_intern=True)
    deck_id = decks.create_deck(url, editor(), "Eigen metingen", DECK, slides.known_keys(ctx))
    return url, deck_id


@pytest.fixture(scope="module")
def server(own_db, tmp_path_factory, output_dir, browser):
    with editor_server(own_db[0], editors_file(tmp_path_factory.mktemp("editors")), browser,
                       output_dir / "logs" / "streamlit-eigen-presentatie.log", port=free_port(PORTS)) as s:
        yield s


def test_own_slides_fit_a_1280x720_projector(browser, own_db, output_dir, tmp_path):
    from ui import present

    ctx = documents.briefing_context(own_db[0], TODAY, include_intern=True)
    deck = slides.build(ctx, DECK)
    assert [s.key for s in deck.slides] == DECK
    charts = present.chart_svgs(ctx.engine, deck)
    # schuldhulp has figures in two quarters: its slide carries their trend; the others one period, no chart
    assert [deck.slides[i].key for i in charts] == ["eigen:bestaanszekerheid"]
    html = tmp_path / "eigen.html"
    html.write_text(present.slideshow_html(deck, charts), encoding="utf-8")
    infos = list(walk_in_full_screen(browser, html, len(deck.slides), output_dir, "eigen"))
    assert len(infos) == len(DECK)
    with_chart = [i for i in infos if i.get("chart")]
    assert [i["key"] for i in with_chart] == ["eigen:bestaanszekerheid"]
    assert chart_label_px(with_chart[0]["chart"]) >= MIN_CHART


def _deck_on_screen(frame) -> list[dict]:
    return frame.evaluate("""() => [...document.querySelectorAll('.slide')].map(s => ({
        key: s.dataset.key, text: s.textContent,
        values: [...s.querySelectorAll('.val')].map(v => v.textContent)}))""")


def test_anonymous_sees_public_own_slides_and_the_briefing_has_them(browser, server, own_db, output_dir):
    from pptx import Presentation

    url, deck_id = own_db
    ctx = browser.new_context(viewport={"width": 1440, "height": 1000}, accept_downloads=True)
    page = ctx.new_page()
    try:
        frame = open_presentation(page, server, f"?presentatie={deck_id}")
        shown = _deck_on_screen(frame)
        assert [s["key"] for s in shown] == PUBLIC  # the intern slide is left out, without a warning
        assert page.get_by_text("overgeslagen").count() == 0
        assert page.get_by_text(INTERN_TOGGLE).count() == 0  # only for signed-in editors
        first = shown[0]
        assert first["values"] == ["9,6per 1.000", "<10", "14,7per 1.000"]
        assert "Bron: eigen meting — Gemeente Maastricht, schuldhulpverlening" in first["text"]
        assert shown[1]["values"] == ["x"]
        assert all(INTERN_LABEL not in s["text"] for s in shown)
        page.screenshot(path=str(output_dir / "screenshots" / "presentation" / "eigen-anoniem.png"))
        _click(page, "Briefing op één pagina maken")
        page.wait_for_selector("text=Download één dia (PowerPoint)", timeout=120_000)
        with page.expect_download() as dl:
            page.get_by_role("button", name="Download één dia (PowerPoint)").click()
        one = Presentation(io.BytesIO(open(dl.value.path(), "rb").read()))
    finally:
        ctx.close()
    text = "\n".join(sh.text_frame.text for sh in one.slides[0].shapes if sh.has_text_frame)
    assert "Aanmeldingen schuldhulpverlening: 9,6 per 1.000" in text and "<10 (niet getoond)" in text
    assert INTERN_LABEL not in text


def test_editor_is_offered_own_slides_and_intern_only_on_request(browser, server, own_db):
    url, deck_id = own_db
    ctx = browser.new_context(viewport={"width": 1440, "height": 1000})
    page = ctx.new_page()
    try:
        frame = open_presentation(page, server, f"?presentatie={deck_id}")
        sign_in(page)
        settle(page)
        frame = page.locator("iframe[title*='diavoorstelling']").element_handle().content_frame()
        assert [s["key"] for s in _deck_on_screen(frame)] == PUBLIC  # signed in, but intern not asked for
        page.get_by_text(INTERN_TOGGLE).click()
        page.wait_for_function(
            """(want) => { const f = document.querySelector("iframe[title*='diavoorstelling']");
                 const d = f && f.contentDocument;
                 const keys = d ? [...d.querySelectorAll('.slide')].map(e => e.dataset.key) : [];
                 return JSON.stringify(keys) === JSON.stringify(want); }""", arg=DECK, timeout=30_000)
        frame = page.locator("iframe[title*='diavoorstelling']").element_handle().content_frame()
        intern = next(s for s in _deck_on_screen(frame) if s["key"] == "eigen:positieve_gezondheid")
        assert INTERN_LABEL in intern["text"] and "intern" in intern["text"]
        assert page.get_by_text("Eigen metingen: Bestaanszekerheid (aanmeldingen schuldhulpverlening)").count() >= 1
    finally:
        ctx.close()
