"""Issue 6 end to end in Chromium: an editor signs in, creates a target for Pottenberg, sees its card with status
and trajectory, uploads a participation file and sees the small count suppressed; an anonymous visitor cannot."""
from __future__ import annotations

import pytest

from benchmarks._browser import goto_settled

from .editors import editor_server, editors_file, settle, sign_in

pytestmark = pytest.mark.browser
UPLOAD = ("buurt_code,maand,leeftijdsgroep,dialoogsessies,bewoners_bereikt,meemakers,activiteiten\n"
          "BU09350203,2025-09,totaal,3,47,12,4\n"
          "BU09350403,2025-09,totaal,1,6,2,1\n")


@pytest.fixture(scope="module")
def server(tmp_path_factory, output_dir, browser):
    from conftest import built_sqlite  # tests/conftest.py: a copy of build(url, national=False)

    db = built_sqlite(tmp_path_factory, tmp_path_factory.mktemp("editor-db") / "app.sqlite")
    with editor_server(db, editors_file(tmp_path_factory.mktemp("editors")), browser,
                       output_dir / "logs" / "streamlit-editor.log") as s:
        yield s


def choose(page, label: str, option: str):
    """Open a selectbox and pick an option. On a long page the frontend may still be drawing when the script has
    finished; a dropdown opened during that redraw closes again, so open it until the option shows (3 tries)."""
    box = page.get_by_label(label, exact=True)
    opt = page.get_by_role("option", name=option, exact=True)
    for attempt in range(3):
        box.click()
        try:
            opt.wait_for(timeout=5_000)
            break
        except Exception:  # noqa: BLE001 - Playwright's TimeoutError; retry
            page.keyboard.press("Escape")
            settle(page)
    opt.click()
    settle(page)


def test_editor_creates_target_and_uploads_participation(browser, server, output_dir, tmp_path):
    shots = output_dir / "screenshots"
    shots.mkdir(parents=True, exist_ok=True)
    ctx = browser.new_context(viewport={"width": 1440, "height": 1400}, locale="nl-NL")
    page = ctx.new_page()
    try:
        goto_settled(page, server.base_url + "/doelen")
        assert page.get_by_text("Er zijn nog geen doelen vastgesteld").count() == 1
        assert page.get_by_text("Nieuw doel").count() == 0  # anonymous: no form
        sign_in(page)
        settle(page)
        choose(page, "Gebied", "Pottenberg")
        page.wait_for_selector("text=Basiswaarde 2020: ")
        assert page.get_by_text("26,0%").count() >= 1  # Pottenberg 2020, 50090NED
        page.get_by_label("Streefwaarde (%)").fill("20")
        page.get_by_label("Eigenaar (partner of team)").fill("Team bestaanszekerheid")
        page.get_by_label("Onderbouwing").fill("Minder huishoudens met geldzorgen")
        page.get_by_role("button", name="Doel opslaan").click()
        page.wait_for_selector("text=Doel opgeslagen.", timeout=60_000)
        settle(page)
        card = page.get_by_role("heading", name="Moeite met rondkomen — Pottenberg")
        assert card.count() == 1
        text = page.inner_text("[data-testid='stMain']")
        assert "Basis 2020" in text and "Doel 2030" in text and "20,0%" in text
        assert any(s in text for s in ("te vroeg om te zeggen", "geen nieuwe gegevens"))  # no measurement after 2020
        # measurements + trajectory; the chart's element is drawn after the script run (a lazily loaded chunk)
        page.wait_for_selector("[data-testid='stVegaLiteChart']", state="attached", timeout=60_000)
        page.screenshot(path=str(shots / "editor-doelen.png"), full_page=True)

        page.get_by_role("link", name="Wie doen er mee?").click()  # same session: still signed in
        settle(page)
        page.wait_for_selector("text=Ingelogd als redacteur: pm", timeout=30_000)
        f = tmp_path / "september.csv"
        f.write_text(UPLOAD, encoding="utf-8")
        page.locator("[data-testid='stFileUploader'] input[type='file']").set_input_files(str(f))
        settle(page)
        page.get_by_role("button", name="Uploaden").click()
        page.wait_for_selector("text=2 rijen opgeslagen uit september.csv", timeout=60_000)
        settle(page)
        table = page.locator("[data-testid='stTable']").first.inner_text()
        assert "Pottenberg" in table and "47" in table and "Nazareth" in table
        assert "<10" in table  # Nazareth reached 6 residents: suppressed
        assert "\t6\t" not in table and " 6 " not in table
        page.screenshot(path=str(shots / "editor-participatie.png"), full_page=True)

        page.get_by_role("link", name="Wijzigingslog").click()
        settle(page)
        log = page.inner_text("[data-testid='stMain']")
        assert "pm" in log
    finally:
        ctx.close()


def test_anonymous_visitor_sees_no_edit_controls(browser, server):
    ctx = browser.new_context()
    page = ctx.new_page()
    try:
        goto_settled(page, server.base_url + "/participatie")
        assert page.get_by_text("Cijfers toevoegen").count() == 0
        assert page.locator("[data-testid='stFileUploader']").count() == 0
    finally:
        ctx.close()
