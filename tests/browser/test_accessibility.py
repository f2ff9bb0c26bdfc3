"""WCAG 2.1 AA in Chromium: axe-core on every page and state, plus the checks a rule engine cannot make.

1. ``test_axe_page_and_states`` (SQLite and PostgreSQL server): axe-core 4 (npm package, rules wcag2a, wcag2aa,
   wcag21a, wcag21aa) at 1280x720 on every page of the navigation, and after each state change on that page:
   every tab opened, every expander opened (table alternatives, explanations, sign-in form), charts and maps drawn,
   every slide of the presentation (inside its iframe), the editor forms after signing in, and the warning for an
   unknown buurt in the URL. One browser context per page; axe runs after each change, no reloads. Any serious or
   critical violation fails the test with its rule, element and fix. Nothing is excluded from the check.
2. Checks on the SQLite server only (layout and keyboard do not depend on the database): lang="nl" (3.1.1), a
   keyboard-only walk through every page (2.1.1, 2.1.2, 2.4.7), the map's buurt chosen without a mouse, 200% zoom
   (1.4.4), reflow at 320 CSS px (1.4.10) and the projector layout at 1280x720 (sidebar collapsed when presenting,
   no cut-off metric values, big numbers >= 32 px). Screenshots of every page at 1280x720 and 1920x1080 go to
   test-output/screenshots/a11y/.
"""
from __future__ import annotations

import pytest

from benchmarks._browser import SETTLED, goto_settled, navigation

from .axe import axe_source, blocking, run_axe
from .editors import PASSWORD, SIGN_IN, editor_server, editors_file

pytestmark = pytest.mark.browser

PAGES = navigation()
PROJECTOR = {"width": 1280, "height": 720}
FULL_HD = {"width": 1920, "height": 1080}
FRAME = "iframe[title*='diavoorstelling']"
DRAWN = """() => !document.querySelector("[data-testid='stSkeleton']") && [...document.querySelectorAll(
      "[data-testid='stVegaLiteChart'], [data-testid='stArrowVegaLiteChart'], [data-testid='stDeckGlJsonChart']")]
    .filter(el => el.offsetParent !== null).every(el => el.querySelector('canvas, svg'))"""


def editor_pages() -> set[str]:
    """Pages with the editor sign-in (ui.auth.login_box), read from the page scripts."""
    from benchmarks._browser import ROOT

    return {p.slug for p in PAGES if "login_box(" in (ROOT / p.file).read_text(encoding="utf-8")}


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def server(request, browser, output_dir, tmp_path_factory):
    """The app with one editor account, on a fixture database of either backend."""
    backend = request.param
    if backend == "postgresql":
        request.applymarker(pytest.mark.postgres)
    db_url = request.getfixturevalue("browser_sqlite_url" if backend == "sqlite" else "browser_pg_url")
    with editor_server(db_url, editors_file(tmp_path_factory.mktemp("a11y-editors")), browser,
                       output_dir / "logs" / f"streamlit-a11y-{backend}.log") as srv:
        srv.backend = backend  # type: ignore[attr-defined]
        yield srv


@pytest.fixture
def sqlite_server(server):
    if server.backend != "sqlite":
        pytest.skip("layout/keyboard check: run once, on the SQLite server (markup does not depend on the backend)")
    return server


@pytest.fixture(scope="module")
def axe_js() -> str:
    return axe_source()


def new_page(browser, viewport=PROJECTOR, **kw):
    ctx = browser.new_context(viewport=viewport, locale="nl-NL", **kw)
    return ctx, ctx.new_page()


def settle(page, timeout=60_000):
    page.wait_for_timeout(250)
    page.wait_for_selector(SETTLED, state="attached", timeout=timeout)
    page.wait_for_function(DRAWN, timeout=timeout)
    # The page's own script (ui.components.PAGE_SCRIPT) reacts to the last mutation or resize in the next
    # animation frame: let two frames pass, as a user's first key press would.
    page.evaluate("() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")


class Audit:
    """axe after each state of one page; collects the blocking violations with the state they appeared in."""

    def __init__(self, page, slug: str, source: str):
        self.page, self.slug, self.source = page, slug, source
        self.states: list[str] = []
        self.failures: list[str] = []

    def check(self, state: str, frame=None) -> None:
        name = f"{self.slug}: {state}"
        self.states.append(name)
        target = frame or self.page
        found = blocking(run_axe(target, self.source))
        if frame is None:  # documents inside iframes (the slideshow) are checked too
            for child in self.page.main_frame.child_frames:
                if child.url.startswith("about:srcdoc") or child.url.startswith("http://127.0.0.1"):
                    found += blocking(run_axe(child, self.source))
        self.failures += [v.describe(name) for v in found]

    def report(self) -> str:
        return (f"{len(self.failures)} serious/critical axe violation(s) in {len(self.states)} states:\n"
                + "\n".join(self.failures))


def open_expanders(page) -> int:
    """Open every visible closed expander in the main area; returns how many were opened."""
    n = 0
    for _ in range(60):
        closed = page.locator("[data-testid='stMain'] [data-testid='stExpander'] details:not([open]) > summary")
        visible = [closed.nth(i) for i in range(closed.count()) if closed.nth(i).is_visible()]
        if not visible:
            break
        visible[0].click()
        n += 1
        settle(page)  # an expander whose content is drawn on request reruns the page when it opens
    return n


def explore(page, audit: Audit, prefix: str = "") -> None:
    """Each tab of the main area opened (with its expanders), or the expanders of the page."""
    tabs = page.locator("[data-testid='stMain'] [role='tab']")
    names = [t.strip() for t in tabs.all_inner_texts()]
    if names:
        for name in names:
            page.locator("[data-testid='stMain'] [role='tab']", has_text=name).first.click()
            settle(page)
            audit.check(f"{prefix}tab '{name}'")
            if open_expanders(page):
                audit.check(f"{prefix}tab '{name}', uitklappers open")
    elif open_expanders(page):
        audit.check(f"{prefix}uitklappers open")


def sign_in(page) -> None:
    box = page.locator("[data-testid='stExpander'] summary", has_text=SIGN_IN)
    if page.locator("[data-testid='stExpander'] details[open] summary", has_text=SIGN_IN).count() == 0:
        box.first.click()
    page.get_by_label("Gebruikersnaam").first.fill("pm")
    page.get_by_label("Wachtwoord").first.fill(PASSWORD)
    page.get_by_role("button", name="Inloggen").first.click()
    page.wait_for_selector("text=Ingelogd als redacteur: pm", timeout=30_000)
    settle(page)


def slides(page, audit: Audit) -> int:
    frame = page.locator(FRAME).element_handle().content_frame()
    frame.wait_for_selector("#deck[data-current]", state="attached", timeout=30_000)
    n = int(frame.evaluate("document.getElementById('deck').dataset.total"))
    frame.click(".stage")
    for k in range(1, n + 1):
        frame.wait_for_function(f"document.getElementById('deck').dataset.current === '{k}'", timeout=5_000)
        audit.check(f"dia {k}/{n}", frame=frame)
        page.keyboard.press("ArrowRight")
    return n


@pytest.mark.parametrize("spec", PAGES, ids=[p.slug for p in PAGES])
def test_axe_page_and_states(browser, server, spec, axe_js, output_dir):
    ctx, page = new_page(browser)
    audit = Audit(page, spec.slug, axe_js)
    try:
        goto_settled(page, f"{server.base_url}/{spec.route}")
        settle(page)
        page.wait_for_function("document.documentElement.lang === 'nl'", timeout=10_000)  # 3.1.1
        audit.check("eerste scherm")
        if spec.slug == "presentatie":
            assert slides(page, audit) >= 3
        explore(page, audit)
        if spec.slug in editor_pages():
            sign_in(page)
            audit.check("redacteur ingelogd")
            explore(page, audit, "redacteur, ")
        log_states(output_dir, server.backend, audit)
        assert not audit.failures, audit.report()
        assert len(audit.states) >= 2, f"only {audit.states}: the page's states were not reached"
    finally:
        ctx.close()


def log_states(output_dir, backend: str, audit: Audit) -> None:
    """test-output/a11y/axe-<backend>.txt: every state checked and its blocking violations (for the statement)."""
    path = output_dir / "a11y" / f"axe-{backend}.txt"
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a", encoding="utf-8") as fh:
        for st_ in audit.states:
            fh.write(f"{st_}\n")
        fh.write(f"== {audit.slug}: {len(audit.states)} states, {len(audit.failures)} blocking violations\n")
        for f in audit.failures:
            fh.write(f + "\n")


def test_axe_unknown_buurt_in_the_url(browser, server, axe_js, output_dir):
    ctx, page = new_page(browser)
    audit = Audit(page, "buurtprofiel?buurt=onbekend", axe_js)
    try:
        goto_settled(page, f"{server.base_url}/buurtprofiel?buurt=BU00000000")
        settle(page)
        warning = page.locator("[data-testid='stAlert']", has_text="De buurt 'BU00000000' bestaat niet")
        assert warning.count() == 1, "no message for an unknown buurt in the URL"
        audit.check("melding onbekende buurt")
        log_states(output_dir, server.backend, audit)
        assert not audit.failures, audit.report()
    finally:
        ctx.close()


# ============================================================================ beyond axe (SQLite server only)

FOCUS_STEP = """(maxAncestors) => {
  const W = window;
  W.__wmIds = W.__wmIds || new WeakMap(); W.__wmNext = W.__wmNext || 1;
  const idOf = el => { if (!W.__wmIds.has(el)) W.__wmIds.set(el, W.__wmNext++); return W.__wmIds.get(el); };
  const snap = el => { const out = []; let e = el;
    for (let i = 0; e && i <= maxAncestors; i++, e = e.parentElement) {
      const c = e.ownerDocument.defaultView.getComputedStyle(e);
      out.push([c.outlineStyle, c.outlineWidth, c.outlineColor, c.boxShadow, c.borderTopColor, c.borderBottomColor,
                c.backgroundColor, c.color, c.textDecorationLine].join('|')); }
    return out.join('#'); };
  const prev = W.__wmPrev;
  W.__wmLastPrevEl = prev ? prev.el : null;
  const prevTooltip = !!(prev && prev.tooltip);
  let prevChanged = null;
  if (prev && prev.el.isConnected) prevChanged = snap(prev.el) !== prev.focused;
  let el = document.activeElement, frameId = null;
  while (el && el.tagName === 'IFRAME' && el.contentDocument && el.contentDocument.activeElement
         && el.contentDocument.activeElement !== el.contentDocument.body) {
    frameId = idOf(el); el = el.contentDocument.activeElement;  // focus inside a same-origin iframe
  }
  if (!el || el === document.body || el === document.documentElement) { W.__wmPrev = null;
    return {id: null, prevChanged, prevTooltip, prevLabel: prev && prev.label}; }
  const r = el.getBoundingClientRect(), cs = el.ownerDocument.defaultView.getComputedStyle(el);
  const grid = !!el.closest("[data-testid='stDataFrame']");
  const label = (el.getAttribute('aria-label') || el.innerText || el.value || el.title || el.tagName)
    .trim().replace(/\\s+/g, ' ').slice(0, 60);
  // Focus shown without a style change measured after leaving: an outline (>= 2 px) or shadow on the focused
  // element itself, or a tooltip naming it (the data grid's toolbar buttons, whose tooltip covers the button).
  const tooltip = [...document.querySelectorAll("[role='tooltip']")].some(t => t.offsetParent !== null
    && t.innerText.trim() && t.innerText.trim() === (el.getAttribute('aria-label') || '').trim());
  const ring = (cs.outlineStyle !== 'none' && parseFloat(cs.outlineWidth) >= 2) || cs.boxShadow !== 'none';
  W.__wmPrev = {el, focused: snap(el), label: el.tagName + ' ' + label, tooltip: tooltip || ring};
  return {id: idOf(el), frameId, grid, tag: el.tagName, label, prevChanged, prevTooltip, prevLabel: prev && prev.label,
          visible: r.width > 0 && r.height > 0 && cs.visibility !== 'hidden' && cs.display !== 'none'};
}"""

CONTROLS = """() => {
  const W = window;
  W.__wmIds = W.__wmIds || new WeakMap(); W.__wmNext = W.__wmNext || 1;
  const idOf = el => { if (!W.__wmIds.has(el)) W.__wmIds.set(el, W.__wmNext++); return W.__wmIds.get(el); };
  const sel = "a[href], button, input, select, textarea, summary, iframe, [tabindex]";
  return [...document.querySelectorAll(sel)].filter(el => {
    if (el.disabled || el.getAttribute('tabindex') === '-1' || el.type === 'hidden') return false;
    if (el.closest('[aria-hidden="true"], [inert]')) return false;
    const r = el.getBoundingClientRect(), cs = getComputedStyle(el);
    return r.width > 0 && r.height > 0 && cs.visibility !== 'hidden' && el.offsetParent !== null;
  }).map(el => ({id: idOf(el), label: el.tagName + ' ' + (el.getAttribute('aria-label') || el.innerText || el.value
                 || '').trim().replace(/\\s+/g, ' ').slice(0, 60)}));
}"""


def focus_changes_pixels(page) -> bool:
    """Second opinion when no computed style changed with focus: the previous element's surroundings in pixels,
    focused again and unfocused (focus then returns to where the walk is)."""
    prev = page.evaluate_handle("window.__wmLastPrevEl").as_element()
    current = page.evaluate_handle("document.activeElement").as_element()
    if prev is None or not prev.evaluate("el => el.isConnected"):
        return True
    prev.scroll_into_view_if_needed()
    box = prev.bounding_box()
    if not box:
        return True
    clip = {"x": max(box["x"] - 6, 0), "y": max(box["y"] - 6, 0), "width": box["width"] + 12,
            "height": box["height"] + 12}
    prev.focus()
    page.wait_for_timeout(120)
    focused = page.screenshot(clip=clip)
    if current is not None:
        current.focus()
    else:
        prev.evaluate("el => el.blur()")
    page.wait_for_timeout(120)
    return page.screenshot(clip=clip) != focused


def keyboard_walk(page, max_steps: int = 700) -> dict:
    """Tab from the top of the document until focus comes back round; what was focused, and problems seen."""
    page.evaluate("() => { if (document.activeElement) document.activeElement.blur(); window.__wmPrev = null; }")
    seen: list[int] = []
    labels: dict[int, str] = {}
    no_indicator, invisible, run_length, trap = [], [], 0, None
    last = None
    # A data grid (st.dataframe) draws its focus ring inside its <canvas> (focus sits on the canvas or on a cell
    # of its hidden accessibility table): compare images of the grid focused and after focus left it.
    grid = None
    for _ in range(max_steps):
        page.keyboard.press("Tab")
        st_ = page.evaluate(FOCUS_STEP, 4)
        if grid is not None and st_["id"] != last:
            handle, focused_png = grid
            grid = None
            if handle.evaluate("el => el.isConnected"):
                page.wait_for_timeout(150)
                st_["prevChanged"] = handle.screenshot() != focused_png
        if (st_["prevChanged"] is False and st_["id"] != last and not st_["prevTooltip"]
                and not focus_changes_pixels(page)):
            no_indicator.append(f"{st_['prevLabel']} (next: {st_.get('tag')} {st_.get('label')})")
        if st_.get("grid") and st_["id"] != last:
            page.wait_for_timeout(150)
            handle = page.evaluate_handle(
                "document.activeElement.closest(\"[data-testid='stDataFrame']\")").as_element()
            grid = (handle, handle.screenshot())
            st_["visible"] = True  # the cell of the hidden table stands for the cell drawn in the canvas
        if st_["id"] is None:
            if seen:
                break
            continue
        if st_["id"] == last:
            run_length += 1  # focus moving inside an iframe keeps the iframe as activeElement
            if run_length > 40:
                trap = st_["label"]
                break
            continue
        run_length = 0
        if seen and st_["id"] == seen[0]:
            break  # came round
        if st_["id"] in labels:
            trap = f"focus cycles back to {st_['label']!r} without reaching the end of the page"
            break
        last = st_["id"]
        seen.append(st_["id"])
        if st_["frameId"] is not None and st_["frameId"] not in labels:
            seen.append(st_["frameId"])
            labels[st_["frameId"]] = "IFRAME"
        labels[st_["id"]] = f"{st_['tag']} {st_['label']}"
        if not st_["visible"]:
            invisible.append(labels[st_["id"]])
    else:
        trap = f"no end after {max_steps} Tab presses"
    return {"seen": seen, "labels": labels, "no_indicator": no_indicator, "invisible": invisible, "trap": trap}


@pytest.mark.parametrize("spec", PAGES, ids=[p.slug for p in PAGES])
def test_keyboard_walk(browser, sqlite_server, spec):
    """2.1.1 / 2.1.2 / 2.4.7: Tab reaches every control, never gets stuck, and focus is always visible."""
    ctx, page = new_page(browser)
    try:
        goto_settled(page, f"{sqlite_server.base_url}/{spec.route}")
        settle(page)
        controls = page.evaluate(CONTROLS)
        walk = keyboard_walk(page)
        assert walk["trap"] is None, f"{spec.slug}: keyboard trap: {walk['trap']}"
        missed = [c["label"] for c in controls if c["id"] not in set(walk["seen"])]
        assert not missed, f"{spec.slug}: not reachable with Tab: {missed}"
        assert not walk["invisible"], f"{spec.slug}: focus on invisible elements: {walk['invisible']}"
        assert not walk["no_indicator"], f"{spec.slug}: no visible focus indicator on {walk['no_indicator']}"
        assert len(walk["seen"]) >= 11, f"{spec.slug}: only {len(walk['seen'])} tab stops (navigation alone has 11)"
    finally:
        ctx.close()


def test_map_buurt_chosen_without_a_mouse(browser, sqlite_server):
    """The map's buurt selector and the button under it work with the keyboard alone."""
    ctx, page = new_page(browser)
    try:
        goto_settled(page, f"{sqlite_server.base_url}/kaart")
        settle(page)
        box = page.get_by_role("combobox", name="Buurt (of klik op de kaart)")
        box.focus()
        page.keyboard.type("Pottenberg")
        page.keyboard.press("Enter")
        settle(page)
        button = page.get_by_role("button", name="Buurtprofiel van Pottenberg openen")
        assert button.count() == 1, "choosing Pottenberg with the keyboard did not update the map's button"
        button.focus()
        page.keyboard.press("Enter")
        page.wait_for_url("**/buurtprofiel?**buurt=BU09350203**", timeout=30_000)
        settle(page)
        assert page.locator("[data-testid='stMain'] h2", has_text="Pottenberg").count() >= 1
    finally:
        ctx.close()


def test_language_is_dutch(browser, sqlite_server):
    """3.1.1: <html lang="nl"> (every page: test_axe_page_and_states), also after moving to another page."""
    ctx, page = new_page(browser)
    try:
        goto_settled(page, f"{sqlite_server.base_url}/")
        page.wait_for_function("document.documentElement.lang === 'nl'", timeout=10_000)
        page.locator("[data-testid='stSidebar'] [data-testid='stPageLink-NavLink']", has_text="Kaart").click()
        page.wait_for_url("**/kaart**")
        settle(page)
        assert page.evaluate("document.documentElement.lang") == "nl"
    finally:
        ctx.close()


# Elements whose content may scroll in two dimensions at 320 px (WCAG 1.4.10 exception: data tables, maps,
# charts, the 16:9 slideshow) and Streamlit's off-screen sidebar.
TWO_D = ("[data-testid='stDataFrame'], [data-testid='stTable'], [data-testid='stVegaLiteChart'], "
         "[data-testid='stArrowVegaLiteChart'], [data-testid='stDeckGlJsonChart'], iframe, "
         "[data-testid='stSidebar'], [data-testid='stMarkdownContainer'] table")
LAYOUT = """(twoD) => {
  const vw = document.documentElement.clientWidth;
  const main = document.querySelector("[data-testid='stMain']");
  const wide = [], cut = [];
  for (const el of document.querySelectorAll("[data-testid='stMain'] *")) {
    if (el.closest(twoD)) continue;
    const r = el.getBoundingClientRect();
    if (r.width === 0 || r.height === 0) continue;
    if (r.right > vw + 1 && (el.childElementCount === 0 || el.innerText)) wide.push(
        el.tagName + '.' + (el.getAttribute('data-testid') || el.className || '').toString().slice(0, 40) + ' "'
        + (el.innerText || '').trim().slice(0, 40) + '" right=' + Math.round(r.right));
    const cs = getComputedStyle(el);
    if (el.childElementCount === 0 && el.innerText && el.innerText.trim() && el.scrollWidth > el.clientWidth + 1
        && (cs.textOverflow === 'ellipsis' || (cs.overflowX === 'hidden' && cs.whiteSpace === 'nowrap')))
      cut.push(el.tagName + ' "' + el.innerText.trim().slice(0, 60) + '"');
  }
  return {vw, pageScroll: document.scrollingElement.scrollWidth - vw,
          mainScroll: main ? main.scrollWidth - main.clientWidth : 0, wide: wide.slice(0, 15), cut: cut.slice(0, 15)};
}"""


def layout_problems(page) -> list[str]:
    res = page.evaluate(LAYOUT, TWO_D)
    out = []
    if res["pageScroll"] > 1 or res["mainScroll"] > 1:
        out.append(f"horizontal scrolling at {res['vw']} px (page {res['pageScroll']} px, main {res['mainScroll']} px)")
    out += [f"wider than the viewport: {w}" for w in res["wide"]]
    out += [f"text cut off: {c}" for c in res["cut"]]
    return out


@pytest.mark.parametrize("spec", PAGES, ids=[p.slug for p in PAGES])
def test_zoom_200_and_reflow_320(browser, sqlite_server, spec, output_dir):
    """1.4.4: 1280x720 at 200% zoom is a 640x360 CSS-pixel viewport; 1.4.10: 320 CSS px wide. No text cut off and
    no horizontal scrolling, except inside tables, charts, maps and the slideshow."""
    problems = []
    for name, viewport in (("zoom200", {"width": 640, "height": 360}), ("reflow320", {"width": 320, "height": 256})):
        ctx, page = new_page(browser, viewport)
        try:
            goto_settled(page, f"{sqlite_server.base_url}/{spec.route}")
            settle(page)
            problems += [f"{name}: {p}" for p in layout_problems(page)]
            shot = output_dir / "screenshots" / "a11y" / f"{spec.slug}-{name}.png"
            shot.parent.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(shot))
        finally:
            ctx.close()
    assert not problems, f"{spec.slug}:\n" + "\n".join(problems)


def grow_to_content(page, max_height: int = 16_000) -> None:
    """Streamlit scrolls inside stMain: grow the viewport to the content so a screenshot holds the whole page."""
    height = page.evaluate("""() => { const m = document.querySelector("[data-testid='stMain']");
        return Math.max(m ? m.scrollHeight : 0, document.body.scrollHeight); }""")
    size = page.viewport_size
    page.set_viewport_size({"width": size["width"], "height": max(size["height"], min(height, max_height))})
    page.wait_for_timeout(300)
    page.wait_for_function(DRAWN, timeout=30_000)


@pytest.mark.parametrize("spec", PAGES, ids=[p.slug for p in PAGES])
def test_projector_and_full_hd_screens(browser, sqlite_server, spec, output_dir):
    """Screenshots at 1280x720 and 1920x1080 (first screen and whole page); no value or text is cut off."""
    shots = output_dir / "screenshots" / "a11y"
    shots.mkdir(parents=True, exist_ok=True)
    problems = []
    for viewport in (PROJECTOR, FULL_HD):
        size = f"{viewport['width']}x{viewport['height']}"
        ctx, page = new_page(browser, viewport)
        try:
            goto_settled(page, f"{sqlite_server.base_url}/{spec.route}")
            settle(page)
            page.screenshot(path=str(shots / f"{spec.slug}-{size}.png"))
            grow_to_content(page)
            page.screenshot(path=str(shots / f"{spec.slug}-{size}-full.png"))
            problems += [f"{size}: {p}" for p in layout_problems(page) if "text cut off" in p]
        finally:
            ctx.close()
    assert not problems, f"{spec.slug}:\n" + "\n".join(problems)


def test_projector_overzicht_big_numbers_fit(browser, sqlite_server):
    """At 1280x720: every metric value is whole (not cut off with an ellipsis) and at least 32 px, like the card
    values of the briefing."""
    ctx, page = new_page(browser)
    try:
        goto_settled(page, f"{sqlite_server.base_url}/")
        settle(page)
        values = page.evaluate("""() => [...document.querySelectorAll(
            "[data-testid='stMetricValue'], .wm-value")].filter(el => el.offsetParent !== null).map(el => {
              const leaf = el.querySelector('div') || el;
              return {text: el.innerText.trim(), px: parseFloat(getComputedStyle(leaf).fontSize),
                      cut: leaf.scrollWidth > leaf.clientWidth + 1 || el.scrollWidth > el.clientWidth + 1}; })""")
        assert len(values) >= 5, values
        assert any(v["text"] == "1 december 2026" or "20" in v["text"] for v in values)
        small = [v for v in values if v["px"] < 32]
        cut = [v for v in values if v["cut"]]
        assert not small, f"big numbers under 32 px: {small}"
        assert not cut, f"cut-off values: {cut}"
    finally:
        ctx.close()


def test_projector_presentation_gets_the_full_width(browser, sqlite_server):
    """At 1280x720 the Presentatie page starts with the sidebar collapsed, so the slides use the whole width;
    other pages keep the navigation open."""
    ctx, page = new_page(browser)
    try:
        goto_settled(page, f"{sqlite_server.base_url}/presentatie")
        settle(page)
        page.wait_for_function("""() => { const s = document.querySelector("[data-testid='stSidebar']");
            return !s || s.getAttribute('data-collapsed') === 'true'; }""",
                               timeout=10_000)
        width = page.locator(FRAME).bounding_box()["width"]
        assert width >= 1100, f"slideshow only {width:.0f} px wide at 1280 px"
        page.locator("[data-testid='stExpandSidebarButton']").first.click()  # the navigation is one click away
        page.locator("[data-testid='stSidebar'] [data-testid='stPageLink-NavLink']", has_text="Overzicht").click()
        settle(page)
        assert page.locator("[data-testid='stSidebar']").get_attribute("data-collapsed") == "false"
    finally:
        ctx.close()


def test_table_that_starts_scrolling_later_gets_a_tab_stop(browser, sqlite_server):
    """A table that fits gets no tab stop; when its box becomes too narrow without any change to the DOM or the
    window (here: a style attribute, which the page script's MutationObserver ignores), it becomes a named,
    focusable region (axe scrollable-region-focusable), and loses that again when it fits."""
    region = "[data-testid='stTable'] > div"
    ctx, page = new_page(browser, viewport=FULL_HD)
    try:
        goto_settled(page, f"{sqlite_server.base_url}/doelen?onderdeel=Wanneer%20zien%20we%20vooruitgang%3F")
        settle(page)
        box = page.locator(region).first
        box.wait_for(state="attached", timeout=30_000)
        assert box.get_attribute("tabindex") is None  # 1920 wide: the calendar fits
        page.evaluate("""() => { document.querySelector("[data-testid='stMainBlockContainer']").style.maxWidth =
                                 '420px'; }""")
        page.wait_for_function(f"""() => document.querySelector("{region}").getAttribute('tabindex') === '0'""",
                               timeout=5_000)
        assert box.get_attribute("role") == "region" and "scrollbaar" in box.get_attribute("aria-label")
        box.focus()
        page.keyboard.press("ArrowRight")
        page.wait_for_function(f"""() => document.querySelector("{region}").scrollLeft > 0""", timeout=5_000)
        page.evaluate("""() => { document.querySelector("[data-testid='stMainBlockContainer']").style.maxWidth =
                                 ''; }""")
        page.wait_for_function(f"""() => !document.querySelector("{region}").hasAttribute('tabindex')""",
                               timeout=5_000)
    finally:
        ctx.close()
