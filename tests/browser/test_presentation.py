"""Presentation mode in headless Chromium against the real app (own server on ports 8631-8639, own fixture DB).

- the keyboard (as a presentation clicker sends it) drives the slideshow in full screen through every slide at
  1920x1080 and 1280x720; every slide is screenshotted (test-output/screenshots/presentation/) and checked:
  16:9, no text overflows its box or the slide, no two text lines overlap, chart and text do not overlap, and
  type is at least slide-sized (measured relative to a 1080-pixel-high slide);
- keys also work when the page around the slideshow has focus; notes toggle with N;
- a signed-in editor removes, moves and adds slides and saves the deck; anyone can present it;
- the briefing is made only on click, and the downloaded PPTX and PDF carry exactly the numbers on screen;
- without full screen the slide is fitted to the window (1280x720: fully visible without scrolling, with the
  "Volledig scherm (F)" button in view; 1920x1080: source line at least 18 px);
- slides 5, 6 and 7 say "niet aantoonbaar anders dan Maastricht" and never show a past date as the next release;
- a mistyped link says so and is corrected; the Dutch CSV opens in pandas with sep=';' and decimal=','.
"""
from __future__ import annotations

import base64
import io
import re
import subprocess

import pytest

from benchmarks._browser import EXCEPTION, free_port, goto_settled
from loaders import decks, programme

from .editors import SIGN_IN, editor_server, editors_file, sign_in

pytestmark = pytest.mark.browser

PORTS = range(8631, 8640)
SIZES = [(1920, 1080), (1280, 720)]
NEXT_KEYS = ["ArrowRight", "PageDown", "ArrowDown", " "]
FRAME = "iframe[title*='diavoorstelling']"
# Smallest type allowed, in pixels on a 1080-pixel-high slide (18 pt on a 7.5-inch slide = 36 px).
MIN_BODY, MIN_LABEL, MIN_FOOTER, MIN_CHART = 36, 28, 26, 28

CHECK_JS = r"""
() => {
  const stage = document.querySelector('.stage');
  const S = stage.getBoundingClientRect();
  const slide = document.querySelector('.slide:not([hidden])');
  const out = {problems: [], key: slide.dataset.key, fit: slide.dataset.fit,
               counter: slide.querySelector('.count').textContent.trim(), fonts: [], stage: [S.width, S.height]};
  const px = v => parseFloat(v) / S.height * 1080;
  if (Math.abs(S.width / S.height - 16 / 9) > 0.01) out.problems.push('niet 16:9: ' + S.width + 'x' + S.height);
  if (document.fullscreenElement && Math.abs(S.width - innerWidth) > 2 && Math.abs(S.height - innerHeight) > 2)
    out.problems.push('vult het scherm niet');
  const leaves = [...slide.querySelectorAll('*')].filter(el =>
    [...el.childNodes].some(n => n.nodeType === 3 && n.textContent.trim()));
  const boxes = [];
  for (const el of leaves) {
    const t = el.textContent.trim().slice(0, 40);
    const r = el.getBoundingClientRect();
    if (el.scrollWidth > el.clientWidth + 1 || el.scrollHeight > el.clientHeight + 1)
      out.problems.push('loopt over: ' + t);
    if (r.left < S.left - 1 || r.right > S.right + 1 || r.top < S.top - 1 || r.bottom > S.bottom + 1)
      out.problems.push('buiten de dia: ' + t);
    const size = px(getComputedStyle(el).fontSize);
    const kind = el.closest('footer') ? 'footer' : (el.closest('.lab,.meta,.unit') ? 'label' : 'body');
    out.fonts.push([kind, size, t]);
    for (const n of el.childNodes) {
      if (n.nodeType !== 3 || !n.textContent.trim()) continue;
      const range = document.createRange(); range.selectNodeContents(n);
      for (const rr of range.getClientRects()) boxes.push({el, r: rr, t});
    }
  }
  const img = slide.querySelector('.chart img');
  if (img) {
    const f = img.getBoundingClientRect();
    const scale = Math.min(f.width / img.naturalWidth, f.height / img.naturalHeight);
    const w = img.naturalWidth * scale, h = img.naturalHeight * scale;
    const drawn = {left: f.left + (f.width - w) / 2, top: f.top + (f.height - h) / 2};
    drawn.right = drawn.left + w; drawn.bottom = drawn.top + h;
    out.chart = {scale, stageHeight: S.height, src: img.getAttribute('src')};
    boxes.push({el: img, r: drawn, t: '[grafiek]'});
    if (drawn.right > S.right + 1 || drawn.bottom > S.bottom + 1) out.problems.push('grafiek buiten de dia');
  }
  for (let a = 0; a < boxes.length; a++) for (let b = a + 1; b < boxes.length; b++) {
    const A = boxes[a], B = boxes[b];
    if (A.el === B.el || A.el.contains(B.el) || B.el.contains(A.el)) continue;
    const w = Math.min(A.r.right, B.r.right) - Math.max(A.r.left, B.r.left);
    const h = Math.min(A.r.bottom, B.r.bottom) - Math.max(A.r.top, B.r.top);
    if (w > 1 && h > 1) out.problems.push('overlapt: ' + A.t + ' / ' + B.t);
  }
  return out;
}
"""


# ------------------------------------------------------------------------------------------ fixtures

@pytest.fixture(scope="module")
def deck_db(tmp_path_factory) -> str:
    from conftest import built_sqlite  # tests/conftest.py: a copy of build(url, national=False)

    return built_sqlite(tmp_path_factory, tmp_path_factory.mktemp("presentation-db") / "app.sqlite")


@pytest.fixture(scope="module")
def server(deck_db, tmp_path_factory, output_dir, browser):
    with editor_server(deck_db, editors_file(tmp_path_factory.mktemp("editors")), browser,
                       output_dir / "logs" / "streamlit-presentatie.log", port=free_port(PORTS)) as s:
        yield s


def open_presentation(page, server, query: str = ""):
    goto_settled(page, f"{server.base_url}/presentatie{query}")
    page.wait_for_selector(FRAME, timeout=60_000)
    frame = page.locator(FRAME).element_handle().content_frame()
    frame.wait_for_selector("#deck[data-current]", state="attached", timeout=30_000)
    assert page.locator(EXCEPTION).count() == 0, page.locator(EXCEPTION).all_inner_texts()
    return frame


def state(frame) -> dict:
    return frame.evaluate(CHECK_JS)


def wait_counter(frame, k: int, n: int):
    frame.wait_for_function(f"document.getElementById('deck').dataset.current === '{k}'", timeout=5_000)
    assert state(frame)["counter"] == f"{k} / {n}"


def chart_label_px(info: dict) -> float:
    """Smallest chart font, in pixels on a 1080-high slide (SVG font size x image scale)."""
    svg = base64.b64decode(info["src"].split(",", 1)[1]).decode("utf-8")
    sizes = [float(x) for x in re.findall(r'font-size="([\d.]+)(?:px)?"', svg)]
    assert sizes, "geen tekst in de grafiek"
    return min(sizes) * info["scale"] / info["stageHeight"] * 1080


# ------------------------------------------------------------------------------------------ keyboard, full screen

@pytest.mark.parametrize("size", SIZES, ids=[f"{w}x{h}" for w, h in SIZES])
def test_keyboard_through_every_slide_in_full_screen(browser, server, output_dir, size):
    w, h = size
    ctx = browser.new_context(viewport={"width": w, "height": h}, locale="nl-NL")
    page = ctx.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    shots = output_dir / "screenshots" / "presentation"
    shots.mkdir(parents=True, exist_ok=True)
    try:
        frame = open_presentation(page, server)
        n = int(frame.evaluate("document.getElementById('deck').dataset.total"))
        assert n == 8
        frame.click("#full")
        frame.wait_for_function("!!document.fullscreenElement", timeout=5_000)
        seen = []
        for k in range(1, n + 1):
            wait_counter(frame, k, n)
            info = state(frame)
            seen.append(info["key"])
            page.screenshot(path=str(shots / f"{w}x{h}-{k:02d}-{info['key'].replace(':', '-')}.png"))
            assert info["problems"] == [], (k, info["key"], info["problems"])
            for kind, px, text in info["fonts"]:
                minimum = {"body": MIN_BODY, "label": MIN_LABEL, "footer": MIN_FOOTER}[kind]
                assert px >= minimum - 0.5, (info["key"], kind, round(px, 1), text)
            if info.get("chart"):
                assert chart_label_px(info["chart"]) >= MIN_CHART, info["key"]
            page.keyboard.press(NEXT_KEYS[k % len(NEXT_KEYS)])
        assert seen == ["doelen", "pijler:bestaanszekerheid", "pijler:positieve_gezondheid", "pijler:gelijke_kansen",
                        "goed", "minder_goed", "kalender", "participatie"]
        wait_counter(frame, n, n)  # past the end stays on the last slide
        for key, k in (("Home", 1), ("End", n), ("PageUp", n - 1), ("ArrowLeft", n - 2), ("ArrowUp", n - 3)):
            page.keyboard.press(key)
            wait_counter(frame, k, n)
        assert not frame.is_visible("#notes")
        page.keyboard.press("n")
        assert frame.is_visible("#notes")
        assert frame.inner_text("#notes").startswith(f"Notities bij dia {n - 3}")
        page.screenshot(path=str(shots / f"{w}x{h}-notities.png"))
        page.keyboard.press("N")
        assert not frame.is_visible("#notes")
        page.keyboard.press("f")
        frame.wait_for_function("!document.fullscreenElement", timeout=5_000)
        assert errors == []
    finally:
        ctx.close()


def test_clicker_keys_work_without_focusing_the_slideshow(browser, server):
    ctx = browser.new_context(viewport={"width": 1440, "height": 900})
    page = ctx.new_page()
    try:
        frame = open_presentation(page, server)
        n = int(frame.evaluate("document.getElementById('deck').dataset.total"))
        page.locator("h1").first.click()  # focus on the page, not in the iframe
        page.keyboard.press("PageDown")
        wait_counter(frame, 2, n)
        page.keyboard.press("PageUp")
        wait_counter(frame, 1, n)
        # a field on the page keeps its arrow keys
        page.get_by_text(SIGN_IN).click()
        page.get_by_label("Gebruikersnaam").click()
        page.keyboard.type("pm")
        page.keyboard.press("ArrowLeft")
        page.keyboard.press("PageDown")
        wait_counter(frame, 1, n)
    finally:
        ctx.close()


def test_every_kind_of_slide_fits(browser, deck_db, output_dir, tmp_path):
    """The slideshow on its own (no server): a target, participation, the title with the map, sources and
    the indicators with the longest names, at 1280x720 in full screen: no overflow, no overlap."""
    import datetime as dt

    import pandas as pd

    from loaders import repository
    from metrics import slides as numbers
    from metrics.catalog import load
    from metrics.compute import Engine
    from metrics.targets import Target
    from charts import slide_charts
    from ui import present
    from wording import slides

    engine = Engine(repository.load_inputs(deck_db), load())
    target = Target(id=1, metric_id="huishoudens_sociaal_minimum", area_code="BU09350203", baseline_year=2017,
                    baseline_value=18.9, target_value=15.0, target_year=2030, owner="Team armoede en schulden",
                    rationale="Minder huishoudens rond het sociaal minimum",
                    milestones=[{"year": 2025, "value": 17.0}])
    part = pd.DataFrame([{"buurt_code": "BU09350403", "maand": "2025-09", "leeftijdsgroep": "totaal",
                          "dialoogsessies": 2, "bewoners_bereikt": 1245, "meemakers": 16, "activiteiten": 3}])
    ctx = numbers.Context(engine, dt.date(2026, 11, 22), [target], part, repository.build_info(deck_db),
                         repository.sources(deck_db))
    longest = sorted(engine.catalog.available(), key=lambda m: -len(m.label))[:4]
    keys = ["titel", "doelen", "participatie", "bronnen", "indicator:inwoners", "indicator:mediaan_vermogen",
            *[f"indicator:{m.id}" for m in longest]]
    deck = slides.build(ctx, keys)
    geoms = repository.geometries(slide_charts.MAP_INDELING, slide_charts.MAP_GEMEENTE, url=deck_db)
    charts = {}
    for i, s in enumerate(deck.slides):
        if s.chart is not None:
            spec = (slide_charts.trend_spec(engine, s.chart, **present.SLIDE_CHART) if s.chart.kind == "trend"
                    else slide_charts.map_spec(geoms, **present.SLIDE_MAP))
            if spec is not None:
                charts[i] = slide_charts.to_svg(spec)
    html = tmp_path / "deck.html"
    html.write_text(present.slideshow_html(deck, charts), encoding="utf-8")
    for info in walk_in_full_screen(browser, html, len(deck.slides), output_dir, "soorten"):
        if info.get("chart"):
            assert chart_label_px(info["chart"]) >= MIN_CHART, info["key"]


def walk_in_full_screen(browser, html, n: int, output_dir, prefix: str):
    """Open the slideshow file ``html`` at 1280x720, go full screen and page through its ``n`` slides: a
    screenshot of each (screenshots/presentation/<prefix>-NN-<key>.png), no layout problem (CHECK_JS) and no text
    under its minimum size on any; yields each slide's CHECK_JS result for further checks."""
    ctx = browser.new_context(viewport={"width": 1280, "height": 720})
    page = ctx.new_page()
    shots = output_dir / "screenshots" / "presentation"
    shots.mkdir(parents=True, exist_ok=True)
    try:
        page.goto(html.as_uri())
        page.click("#full")
        page.wait_for_function("!!document.fullscreenElement")
        for k in range(1, n + 1):
            page.wait_for_function(f"document.getElementById('deck').dataset.current === '{k}'")
            info = page.evaluate(CHECK_JS)
            page.screenshot(path=str(shots / f"{prefix}-{k:02d}-{info['key'].replace(':', '-')}.png"))
            assert info["problems"] == [], (info["key"], info["problems"])
            for kind, px, text in info["fonts"]:
                minimum = {"body": MIN_BODY, "label": MIN_LABEL, "footer": MIN_FOOTER}[kind]
                assert px >= minimum - 0.5, (info["key"], kind, round(px, 1), text)
            yield info
            page.keyboard.press("PageDown")
    finally:
        ctx.close()


# ------------------------------------------------------------------------------------------ editor saves a deck

def _click(page, name: str, nth: int = 0):
    page.get_by_role("button", name=name, exact=True).nth(nth).click()
    page.wait_for_selector("[data-testid='stApp'][data-test-script-state='notRunning']", state="attached")
    page.wait_for_timeout(300)


def test_editor_composes_saves_and_anyone_presents(browser, server, deck_db, output_dir):
    ctx = browser.new_context(viewport={"width": 1440, "height": 1000})
    page = ctx.new_page()
    try:
        open_presentation(page, server)
        sign_in(page)
        count = "Dia's in deze presentatie ({})"
        page.wait_for_selector(f"text={count.format(8)}")
        _click(page, "Weg", 0)           # drop "Wat willen we bereiken?"
        page.wait_for_selector(f"text={count.format(7)}")
        _click(page, "Omhoog", 6)        # participatie (now 7th) one up, before kalender
        page.wait_for_function("""() => [...document.querySelectorAll("[data-testid='stMarkdownContainer'] li")]
            .map(li => li.textContent).indexOf('Wie doen er mee?') === 5""", timeout=30_000)
        page.get_by_label("Dia toevoegen").click()
        page.keyboard.type("Bronnen en data")  # the list is long: filter it, as a user would
        page.get_by_role("option", name="Bronnen en dataversie").click()
        page.wait_for_timeout(300)
        _click(page, "Toevoegen")
        page.wait_for_selector(f"text={count.format(8)}")
        page.get_by_label("Naam van de presentatie").fill("Raad december")
        page.get_by_label("Naam van de presentatie").press("Enter")  # commit the field before the button
        page.wait_for_selector("[data-testid='stApp'][data-test-script-state='notRunning']", state="attached")
        page.wait_for_timeout(500)
        _click(page, "Opslaan als nieuwe presentatie")
        want = ["pijler:bestaanszekerheid", "pijler:positieve_gezondheid", "pijler:gelijke_kansen", "goed",
                "minder_goed", "participatie", "kalender", "bronnen"]
        # the save reruns the page with the new deck selected: wait for the slideshow to show it
        page.wait_for_function(
            """(want) => { const f = document.querySelector("iframe[title*='diavoorstelling']");
                 const d = f && f.contentDocument;
                 const keys = d ? [...d.querySelectorAll('.slide')].map(e => e.dataset.key) : [];
                 return JSON.stringify(keys) === JSON.stringify(want); }""", arg=want, timeout=30_000)
        assert "presentatie=" in page.url  # the saved deck is selected (and linkable)
        page.screenshot(path=str(output_dir / "screenshots" / "presentation" / "editor.png"), full_page=True)
        saved = decks.list_decks(deck_db)
        assert list(saved["name"]) == ["Raad december"] and saved.iloc[0]["slides"] == want
        log = programme.list_changes(deck_db)
        assert log.iloc[0]["table_name"] == "decks" and log.iloc[0]["user_name"] == "pm"
        deck_id = int(saved.iloc[0]["id"])
    finally:
        ctx.close()
    anon = browser.new_context(viewport={"width": 1280, "height": 800})
    try:
        page = anon.new_page()
        frame = open_presentation(page, server, f"?presentatie={deck_id}")
        assert frame.eval_on_selector_all(".slide", "els => els.map(e => e.dataset.key)") == want
        assert page.get_by_role("button", name="Opslaan als nieuwe presentatie").count() == 0
    finally:
        anon.close()


# ------------------------------------------------------------------------------------------ one-click briefing

def test_briefing_made_on_click_has_the_numbers_on_screen(browser, server, output_dir):
    from pptx import Presentation

    ctx = browser.new_context(viewport={"width": 1440, "height": 1000}, accept_downloads=True)
    page = ctx.new_page()
    try:
        frame = open_presentation(page, server)
        assert page.get_by_text("Download PDF").count() == 0  # nothing generated on page load
        on_screen = frame.evaluate("""() => [...document.querySelectorAll('.slide')].map(s => ({
            key: s.dataset.key, title: s.querySelector('.t').textContent,
            values: [...s.querySelectorAll('.val')].map(v => v.textContent)}))""")
        _click(page, "Briefing maken (PowerPoint en PDF)")
        page.wait_for_selector("text=Download PDF", timeout=120_000)
        with page.expect_download() as dl:
            page.get_by_role("button", name="Download PowerPoint (.pptx)").click()
        pptx_path = output_dir / "briefing" / "from-app.pptx"
        pptx_path.parent.mkdir(exist_ok=True)
        dl.value.save_as(str(pptx_path))
        with page.expect_download() as dl:
            page.get_by_role("button", name="Download PDF").click()
        pdf_path = output_dir / "briefing" / "from-app.pdf"
        dl.value.save_as(str(pdf_path))
    finally:
        ctx.close()
    prs = Presentation(io.BytesIO(pptx_path.read_bytes()))
    texts = ["\n".join(sh.text_frame.text for sh in s.shapes if sh.has_text_frame) for s in prs.slides]
    pdf_text = " ".join(subprocess.run(["pdftotext", str(pdf_path), "-"], capture_output=True, text=True,
                                       check=True).stdout.split())
    assert len(on_screen) == 8
    for i, s in enumerate(on_screen):
        slide_text = texts[1 + i]  # slide 1 is the cover
        assert s["title"] in slide_text
        for v in s["values"]:
            assert v in slide_text and v in pdf_text, (s["key"], v)
    assert sum(len(s["values"]) for s in on_screen) >= 12


# ------------------------------------------------------------------------------------------ fitted to the window

FIT_JS = r"""
() => {
  const f = document.querySelector("iframe[title*='diavoorstelling']");
  const fr = f.getBoundingClientRect();
  const d = f.contentDocument;
  const st = d.querySelector('.stage').getBoundingClientRect();
  const full = d.getElementById('full').getBoundingClientRect();
  const src = d.querySelector('.slide:not([hidden]) footer .src');
  return {stage: [fr.left + st.left, fr.top + st.top, st.width, st.height],
          full: [fr.left + full.left, fr.top + full.top, full.width, full.height],
          fullText: d.getElementById('full').textContent, scrollY: window.scrollY,
          vw: innerWidth, vh: innerHeight, source: parseFloat(d.defaultView.getComputedStyle(src).fontSize)};
}
"""


@pytest.mark.parametrize("size", SIZES, ids=[f"{w}x{h}" for w, h in SIZES])
def test_presentation_is_fitted_to_the_window_without_full_screen(browser, server, output_dir, size):
    w, h = size
    ctx = browser.new_context(viewport={"width": w, "height": h}, locale="nl-NL")
    page = ctx.new_page()
    try:
        open_presentation(page, server)
        page.wait_for_timeout(1500)  # the iframe settles to its content height
        fit = page.evaluate(FIT_JS)
        page.screenshot(path=str(output_dir / "screenshots" / "presentation" / f"zonder-volledig-scherm-{w}x{h}.png"))
        x, y, sw, sh = fit["stage"]
        assert fit["scrollY"] == 0
        assert x >= 0 and y >= 0 and x + sw <= w + 1 and y + sh <= h + 1, fit  # the whole slide is in view
        assert abs(sw / sh - 16 / 9) < 0.01
        fx, fy, fw, fh = fit["full"]
        assert fit["fullText"] == "Volledig scherm (F)" and fy + fh <= h and fx + fw <= w, fit  # hint in view
        if h == 1080:
            assert fit["source"] >= 18, fit
    finally:
        ctx.close()


def test_slides_five_six_seven_words(browser, server):
    """Slide 5/6: a buurt that moved with the city says so first; slide 7: no past date as the next release."""
    ctx = browser.new_context(viewport={"width": 1440, "height": 900}, locale="nl-NL")
    page = ctx.new_page()
    try:
        frame = open_presentation(page, server)
        slides = frame.evaluate("""() => [...document.querySelectorAll('.slide')].map(s => ({
            key: s.dataset.key, text: s.querySelector('.text').textContent,
            metas: [...s.querySelectorAll('.num')].map(n => n.querySelector('.lab').textContent + ' | ' +
                                                        n.querySelector('.val').textContent + ' | ' +
                                                        n.querySelector('.meta').textContent)}))""")
    finally:
        ctx.close()
    by_key = {s["key"]: s for s in slides}
    assert [s["key"] for s in slides][4:7] == ["goed", "minder_goed", "kalender"]
    good, bad, cal = by_key["goed"], by_key["minder_goed"], by_key["kalender"]
    assert any(m.startswith("NazarethMoeite met rondkomen")
               and "verbeterd sinds 2012, niet aantoonbaar anders dan Maastricht" in m for m in good["metas"]), good["metas"]
    eenz = next(m for m in bad["metas"] if m.startswith("NazarethEenzaamheid"))
    assert eenz.endswith("verslechterd sinds 2012, niet aantoonbaar anders dan Maastricht"), eenz
    for m in good["metas"] + bad["metas"]:
        assert "Maastricht" in m, m  # never a change without the city beside it
    assert "niet aantoonbaar anders dan in Maastricht" in bad["text"]
    months = "januari|februari|maart|april|mei|juni|juli|augustus|september|oktober|november|december"
    for m in cal["metas"]:
        val = m.split(" | ")[1]
        # a published edition that is not loaded (issue 22) says so; a past estimate is "al verwacht"
        assert val in ("al verwacht, nog niet geladen", "al verschenen") or re.fullmatch(
            f"verwacht rond ({months}) 20\\d\\d", val), m
    assert "schatting van de datum" in cal["text"] and "de data zijn schattingen" not in cal["text"].lower()


# ------------------------------------------------------------------------------------------ links and CSV

def test_mistyped_link_says_so_and_is_corrected(app_server, page, output_dir):
    goto_settled(page, f"{app_server.base_url}/buurtprofiel?buurt=BU99999999")
    msg = page.get_by_text("De buurt 'BU99999999' bestaat niet; u ziet Nazareth")
    msg.wait_for(timeout=30_000)
    assert msg.is_visible()
    page.wait_for_function("location.search.includes('buurt=BU09350403')", timeout=10_000)
    page.screenshot(path=str(output_dir / "screenshots" / f"verkeerde-link-{app_server.backend}.png"))
    assert page.locator(EXCEPTION).count() == 0
    goto_settled(page, f"{app_server.base_url}/presentatie?presentatie=12345")
    page.get_by_text("De presentatie '12345' bestaat niet; u ziet Standaard").wait_for(timeout=30_000)


def test_dutch_csv_matches_the_excel_export(app_server, browser, output_dir):
    import pandas as pd

    from metrics.fmt import decimals_for

    ctx = browser.new_context(viewport={"width": 1440, "height": 900}, accept_downloads=True)
    page = ctx.new_page()
    try:
        goto_settled(page, f"{app_server.base_url}/data")
        page.get_by_role("tab", name="Downloaden").click()
        page.get_by_role("button", name="Export maken").click()
        page.get_by_role("button", name="Download CSV (Nederlandse notatie)").wait_for(timeout=120_000)
        out = output_dir / "export"
        out.mkdir(exist_ok=True)
        files = {}
        for name, label in (("nl.csv", "Download CSV (Nederlandse notatie)"), ("export.xlsx", "Download Excel")):
            with page.expect_download() as dl:
                page.get_by_role("button", name=label, exact=True).click()
            files[name] = out / f"{app_server.backend}-{name}"
            dl.value.save_as(str(files[name]))
    finally:
        ctx.close()
    nl = pd.read_csv(files["nl.csv"], sep=";", decimal=",", encoding="utf-8-sig")
    xl = pd.read_excel(files["export.xlsx"])
    assert len(nl) == len(xl) > 1000
    assert list(nl.columns)[:4] == ["gebiedscode", "gebied", "niveau", "jaar"]
    assert nl["waarde"].dtype.kind == "f"  # parsed as numbers: decimal comma understood
    want = [round(v, decimals_for(u)) if pd.notna(v) else None for v, u in zip(xl["value"], xl["unit"])]
    for g, w_ in zip(nl["waarde"], want):
        assert (pd.isna(g) and w_ is None) or g == pytest.approx(w_), (g, w_)  # missing stays missing
    assert (nl["gebiedscode"] == xl["area_code"]).all() and (nl["jaar"] == xl["year"]).all()
