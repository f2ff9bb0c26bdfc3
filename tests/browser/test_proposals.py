"""Issue 14 in Chromium: an anonymous visitor sees target proposals labelled as proposals on Doelen, Overzicht and the
first slide; a signed-in editor adopts one with one click, it becomes a target with a status and its frozen
comparison group, and the change log shows it. Own server and fixture database (the adoption changes the data)."""
from __future__ import annotations

import re

import pytest

from benchmarks._browser import goto_settled
from loaders import programme
from metrics import proposals as pr

from .editors import editor_server, editors_file, settle, sign_in

pytestmark = pytest.mark.browser
FRAME = "iframe[title*='diavoorstelling']"


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def server(request, tmp_path_factory, output_dir, browser):
    # tests/conftest.py: copies of build(url, national=False); PostgreSQL skips when it is not configured
    from conftest import built_pg_database, built_sqlite

    if request.param == "sqlite":
        db = built_sqlite(tmp_path_factory, tmp_path_factory.mktemp("proposals-db") / "app.sqlite")
    else:
        request.applymarker(pytest.mark.postgres)
        db = built_pg_database(tmp_path_factory, "proposals")
    with editor_server(db, editors_file(tmp_path_factory.mktemp("editors")), browser,
                       output_dir / "logs" / f"streamlit-proposals-{request.param}.log") as s:
        s.database_url_for_test = db  # type: ignore[attr-defined]
        yield s


def main_text(page) -> str:
    return page.inner_text("[data-testid='stMain']")


def test_visitor_sees_proposals_then_editor_adopts_one(browser, server, output_dir):
    shots = output_dir / "screenshots" / f"proposals-{server.database_url_for_test.split(':')[0].split('+')[0]}"
    shots.mkdir(parents=True, exist_ok=True)
    ctx = browser.new_context(viewport={"width": 1280, "height": 720}, locale="nl-NL")
    page = ctx.new_page()
    try:
        # --- anonymous: Doelen opens on its first tab, which points to the proposals while no target exists
        goto_settled(page, server.base_url + "/doelen")
        page.wait_for_selector("text=Er zijn nog geen doelen vastgesteld", timeout=90_000)
        assert "Voorstellen voor Pottenberg" not in main_text(page)  # only the open tab is built
        # ... the Voorstellen tab, by a click and (below, for the editor) by the link
        page.get_by_role("tab", name="Voorstellen").click()
        page.wait_for_selector("text=Voorstellen voor Pottenberg", timeout=90_000)  # the tab ran to its end
        settle(page)
        assert "onderdeel=Voorstellen" in page.evaluate("location.href")  # the tab is in the URL
        text = main_text(page)
        assert "Voorstellen voor doelen" in text and text.count("voorstel — niet vastgesteld") >= 6, text[:3000]
        assert "Voorstel: gat halveren" in text and "Voorstel: gat dichten" in text
        assert "Voorstel: sterkte vasthouden" in text
        assert "Gat halveren: in 2035 is de helft van het verschil met Maastricht" in text  # the rule, shown
        assert "Met 80% kans zichtbaar vanaf de editie van 2040" in text  # Nazareth, gat dichten (80% power)
        assert "Niet meetbaar op buurtniveau met deze gegevens" in text
        assert "Basis 2020: 25,3%" in text and "20,6% in 2035" in text  # Nazareth, moeite met rondkomen
        assert page.get_by_role("button", name="Voorstel overnemen").count() == 0  # editors only
        assert page.get_by_role("button", name="Voorstel afwijzen").count() == 0
        page.screenshot(path=str(shots / "proposals-doelen-anoniem.png"), full_page=True)

        # --- anonymous: Overzicht, the "Doelen en deelname" block
        goto_settled(page, server.base_url + "/")
        page.wait_for_selector("text=Doelen en deelname", timeout=90_000)
        settle(page)
        text = main_text(page)
        block = text[text.index("Doelen en deelname"):]
        assert "geen doelen" in block and "voorstellen" in block and "voorstel — niet vastgesteld" in block
        table = page.locator("[data-testid='stTable']").last.inner_text()
        assert "voorstel gat halveren: 20,6% in 2035" in table and "voorstel sterkte vasthouden" in table
        assert "met 80% kans zichtbaar vanaf de editie van" in table and "niet meetbaar op buurtniveau" in table
        page.screenshot(path=str(shots / "proposals-overzicht-anoniem.png"), full_page=True)

        # --- anonymous: the first slide of the presentation
        goto_settled(page, server.base_url + "/presentatie")
        page.wait_for_selector(FRAME, timeout=90_000)
        frame = page.frame_locator(FRAME)
        first = frame.locator(".slide").first
        slide_text = first.inner_text()
        assert "Wat willen we bereiken?" in slide_text and "Voorstellen voor doelen" in slide_text
        # slide 1 carries one message (issue 22): the rules, no figures; baselines and editions are in the notes
        assert "voorstel — niet vastgesteld" in slide_text and "gat halveren in 2035" in slide_text
        assert "zichtbaar vanaf editie" not in slide_text and "%" not in slide_text
        page.screenshot(path=str(shots / "proposals-dia1-anoniem.png"))

        # --- editor: sign in on Doelen and adopt Nazareth's 'gat halveren' for moeite met rondkomen
        goto_settled(page, server.base_url + "/doelen?onderdeel=Voorstellen")
        sign_in(page)
        settle(page)
        buttons = page.get_by_role("button", name="Voorstel overnemen")
        buttons.first.wait_for(timeout=60_000)
        settle(page)
        assert buttons.count() >= 10
        buttons.first.click()  # the first proposal: Nazareth, moeite met rondkomen, gat halveren
        page.wait_for_selector("text=Voorstel overgenomen als doel: Moeite met rondkomen — Nazareth", timeout=90_000)
        settle(page)
        # adopted: its metric/buurt has no proposals any more; the other buurt's still do
        text = main_text(page)
        assert "Voorstellen voor Nazareth" in text and "Voorstellen voor Pottenberg" in text
        naz = text[text.index("Voorstellen voor Nazareth"):text.index("Voorstellen voor Pottenberg")]
        assert "Moeite met rondkomen — Nazareth" not in naz
        # ... and it is a target now, under Doelen
        page.get_by_role("tab", name="Doelen").click()
        settle(page)
        page.get_by_role("heading", name="Moeite met rondkomen — Nazareth").wait_for(timeout=60_000)
        assert page.get_by_role("heading", name="Moeite met rondkomen — Nazareth").count() == 1
        text = main_text(page)
        assert "Basis 2020" in text and "Doel 2035" in text and "20,6%" in text
        assert any(s in text for s in ("te vroeg om te zeggen", "geen nieuwe gegevens"))  # a status, computed
        assert "Programma of trend?" in text and "bevroren" in text
        assert "Nog geen meting na 2020" in text  # the group comparison waits for the next edition
        assert "Ter vergelijking: de periode vóór het basisjaar" in text and "spreiding" in text
        page.screenshot(path=str(shots / "proposals-doelen-overgenomen.png"), full_page=True)

        # stored as a real target with its frozen group and decision
        db = server.database_url_for_test
        t = programme.list_targets(db)
        assert list(zip(t["metric_id"], t["area_code"], t["target_year"])) == [
            ("moeite_met_rondkomen", "BU09350403", 2035)]
        groups = programme.list_comparison_groups(db)
        # config comparison_group_size: 20 buurten, so the rank test can reach p = 1/21
        assert len(groups[int(t["id"].iloc[0])]["codes"]) == pr.programme().comparison_group_size == 20

        # --- rejecting: the next open proposal (Nazareth, sociaal minimum, gat halveren) disappears, the other stays
        page.get_by_role("tab", name="Voorstellen").click()
        settle(page)
        page.get_by_role("button", name="Voorstel afwijzen").first.wait_for(timeout=60_000)
        page.get_by_role("button", name="Voorstel afwijzen").first.click()
        page.wait_for_selector("text=Voorstel afgewezen: Huishoudens onder of rond het sociaal minimum — Nazareth",
                               timeout=90_000)
        settle(page)
        text = main_text(page)
        naz = text[text.index("Voorstellen voor Nazareth"):text.index("Voorstellen voor Pottenberg")]
        card = naz[naz.index("Huishoudens onder of rond het sociaal minimum — Nazareth"):]
        card = card[:card.index("Bron:")]
        assert "Voorstel: gat dichten" in card and "Voorstel: gat halveren" not in card
        dec = programme.list_proposal_decisions(db)
        assert list(dec["decision"]) == ["overgenomen", "afgewezen"]

        # --- the change log shows it
        page.get_by_role("link", name="Wijzigingslog").click()
        settle(page)
        grid = page.locator("[data-testid='stDataFrame']").first
        grid.wait_for(timeout=30_000)
        # the grid draws on a canvas: read it the way a user can, through its "Download as CSV" toolbar button
        grid.hover()
        # headless Chromium's native save dialog cannot be answered: let Streamlit fall back to a plain download
        page.evaluate("() => { delete window.showSaveFilePicker; window.showSaveFilePicker = undefined; }")
        button = page.get_by_role("button", name="Download as CSV").first
        for attempt in range(3):  # the toolbar fades in on hover; on a busy machine it may still be moving
            try:
                grid.hover()
                button.wait_for(state="visible", timeout=10_000)
                with page.expect_download(timeout=20_000) as dl:
                    button.click(force=True, timeout=10_000)
                break
            except Exception:  # noqa: BLE001 - retried, and the last failure is raised
                if attempt == 2:
                    raise
        log = open(dl.value.path(), encoding="utf-8-sig").read()
        assert "proposal_decisions" in log and "adopt" in log and "targets" in log and "create" in log, log[:500]
        assert "gat_halveren:moeite_met_rondkomen:BU09350403:2020" in log and "reject" in log
    finally:
        ctx.close()
