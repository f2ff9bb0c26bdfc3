"""Issue 21 end to end in Chromium, on SQLite and PostgreSQL: an editor defines an own indicator on Data en
methode → Eigen metingen (by the form, and an intern one from a TOML file), uploads two periods, and Overzicht,
Trends, Successen en tegenvallers and Doelen (a proposal on it adopted) show it with its source, interval and
'<10' where due (the slides: tests/browser/test_own_presentation.py); an anonymous visitor sees '<10' and never the
intern indicator. axe-core checks the tab and the Overzicht with own cards. Made-up uploads, in a throw-away
database."""
from __future__ import annotations

import pytest

from benchmarks._browser import goto_settled
from conftest import fresh_pg_database
from wijkmonitor.statistics import build

from .axe import axe_source, blocking, run_axe
from .editors import editor_server, editors_file, settle, sign_in
from .test_editor_flow import choose

pytestmark = pytest.mark.browser
PROJECTOR = {"width": 1280, "height": 720}
K2 = ("gebiedscode;periode;teller;noemer\nBU09350403;2025-K2;40;1250\nBU09350203;2025-K2;30;1245\n"
      "GM0935;2025-K2;900;60000\n")
K3 = ("gebiedscode;periode;teller;noemer\nBU09350403;2025-K3;12;1250\nBU09350203;2025-K3;7;1245\n"
      "GM0935;2025-K3;880;60000\n")
INTERN_TOML = '''
[[indicator]]
id = "huurachterstand_intern"
label = "Huishoudens met huurachterstand (intern)"
pijler = "bestaanszekerheid"
soort = "register"
eenheid = "percentage"
richting = "lager_beter"
definitie = "Aandeel huurders met twee maanden of meer achterstand."
bron = "Woonpunt"
frequentie = "kwartaal"
zichtbaarheid = "intern"
'''
INTERN_VALUES = ("gebiedscode;periode;teller;noemer\nBU09350403;2025-K3;31;600\nBU09350000;2025-K3;12;400\n"
                 "BU09350001;2025-K3;25;500\n")


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def server(request, tmp_path_factory, output_dir, browser):
    if request.param == "postgresql":
        request.applymarker(pytest.mark.postgres)
        db = fresh_pg_database("ownflow")
    else:
        db = f"sqlite:///{tmp_path_factory.mktemp('own-db') / 'app.sqlite'}"
    build(db, national=False)
    with editor_server(db, editors_file(tmp_path_factory.mktemp("editors")), browser,
                       output_dir / "logs" / f"streamlit-own-{request.param}.log") as s:
        s.backend = request.param  # type: ignore[attr-defined]
        yield s


def _upload(page, label: str, path, button: str, done: str) -> None:
    page.get_by_label(label).locator("xpath=ancestor::*[@data-testid='stFileUploader']").locator(
        "input[type='file']").set_input_files(str(path))
    settle(page)
    page.get_by_role("button", name=button).click()
    page.wait_for_selector(f"text={done}", timeout=60_000)
    settle(page)


def _axe(page, state: str) -> list[str]:
    settle(page)
    page.get_by_role("link", name="Data en methode").wait_for()  # the sidebar's links drawn (focusable content)
    return [v.describe(state) for v in blocking(run_axe(page, axe_source()))]


def test_editor_defines_uploads_and_the_pages_show_it(browser, server, output_dir, tmp_path):
    shots = output_dir / "screenshots"
    shots.mkdir(parents=True, exist_ok=True)
    backend = server.backend
    ctx = browser.new_context(viewport={"width": 1440, "height": 1400}, locale="nl-NL")
    page = ctx.new_page()
    failures: list[str] = []
    try:
        goto_settled(page, server.base_url + "/data?onderdeel=Eigen+metingen")
        page.wait_for_selector("text=Er zijn nog geen eigen metingen gedefinieerd.")
        assert page.get_by_role("button", name="Indicator opslaan").count() == 0  # anonymous: no form
        sign_in(page)
        settle(page)
        page.get_by_label("Id (kleine letters, cijfers, _)").fill("schuldhulp_aanmeldingen")
        page.get_by_label("Naam", exact=True).fill("Aanmeldingen schuldhulpverlening")
        choose(page, "Eenheid", "per 1.000")
        choose(page, "Richting", "lager beter")
        choose(page, "Frequentie", "kwartaal")
        page.get_by_label("Bron (wie levert het cijfer)").fill("Gemeente Maastricht, schuldhulpverlening")
        page.get_by_label("Definitie", exact=True).fill("Aanmeldingen per 1.000 huishoudens, per kwartaal.")
        page.get_by_role("button", name="Indicator opslaan").click()
        page.wait_for_selector("text=schuldhulp_aanmeldingen: nieuw (versie 1)", timeout=60_000)
        settle(page)
        (tmp_path / "intern.toml").write_text(INTERN_TOML, encoding="utf-8")
        _upload(page, "Of: definities uit een bestand (TOML, [[indicator]])", tmp_path / "intern.toml",
                "Definities laden", "huurachterstand_intern: nieuw (versie 1)")
        for name, text in (("k2.csv", K2), ("k3.csv", K3)):
            (tmp_path / name).write_text(text, encoding="utf-8")
            choose(page, "Indicator", "Aanmeldingen schuldhulpverlening")
            _upload(page, "Bestand met waarden", tmp_path / name, "Waarden laden", "3 rijen geladen voor 2025-K")
        (tmp_path / "intern.csv").write_text(INTERN_VALUES, encoding="utf-8")
        choose(page, "Indicator", "Huishoudens met huurachterstand (intern)")
        _upload(page, "Bestand met waarden", tmp_path / "intern.csv", "Waarden laden", "3 rijen geladen voor 2025-K3")
        page.screenshot(path=str(shots / f"own-data-tab-uploaded-{backend}.png"), full_page=True)
        listing = page.inner_text("[data-testid='stMain']")
        assert "Aanmeldingen schuldhulpverlening" in listing and "Huishoudens met huurachterstand" in listing
        # a bad file: a Dutch error with file, row and column, nothing loaded
        (tmp_path / "bad.csv").write_text("gebiedscode;periode;teller;noemer\nBU09350403;2025-K4;20;10\n",
                                          encoding="utf-8")
        choose(page, "Indicator", "Aanmeldingen schuldhulpverlening")
        page.get_by_label("Bestand met waarden").locator("xpath=ancestor::*[@data-testid='stFileUploader']").locator(
            "input[type='file']").set_input_files(str(tmp_path / "bad.csv"))
        settle(page)
        page.get_by_role("button", name="Waarden laden").click()
        page.wait_for_selector("text=Niets geladen.", timeout=60_000)
        err = page.locator("[data-testid='stAlert']", has_text="Niets geladen.").inner_text()
        assert "bad.csv" in err and "rij" in err
        failures += _axe(page, f"{backend}: Eigen metingen, redacteur")
        page.screenshot(path=str(shots / f"own-data-tab-{backend}.png"), full_page=True)

        # Overzicht, signed in: both indicators, the withheld Pottenberg figure as '<10'
        page.set_viewport_size(PROJECTOR)
        page.get_by_role("link", name="Overzicht").click()
        settle(page)
        page.wait_for_selector("text=Eigen metingen van het programma", timeout=30_000)
        main = page.inner_text("[data-testid='stMain']")
        assert "Aanmeldingen schuldhulpverlening" in main and "9,6 per 1.000" in main
        assert "Eigen meting — bron: Gemeente Maastricht, schuldhulpverlening, periode 2025-K3" in main
        assert "verbeterd sinds 2025-K2" in main and "95%-interval" in main
        assert "<10" in main and "Huishoudens met huurachterstand (intern)" in main
        page.get_by_text("Eigen metingen van het programma").scroll_into_view_if_needed()
        page.screenshot(path=str(shots / f"own-overzicht-editor-{backend}.png"))

        # Trends, bestaanszekerheid: the own chart with the periods in order
        page.get_by_role("link", name="Trends").click()
        settle(page)
        page.wait_for_selector("text=Eigen metingen", timeout=30_000)
        choose(page, "Eigen meting", "Aanmeldingen schuldhulpverlening")
        trends = page.inner_text("[data-testid='stMain']")
        assert "perioden 2025-K2, 2025-K3" in trends
        assert "Niet getoond (kleine aantallen): Pottenberg (2025-K3)" in trends
        page.wait_for_function("document.querySelectorAll(\"[data-testid='stVegaLiteChart']\").length >= 2",
                               timeout=60_000)  # drawn after the script run
        page.get_by_text("verticale streep: 95%-interval").first.scroll_into_view_if_needed()
        page.screenshot(path=str(shots / f"own-trends-{backend}.png"))

        # Kaart → Maastricht: the intern indicator, given for three buurten, drawn on request (signed in)
        page.get_by_role("link", name="Kaart").click()
        settle(page)
        page.get_by_text("Eigen metingen op de kaart (1)").click()
        settle(page)
        page.wait_for_selector("text=3 van 44 buurten met een getoond cijfer", timeout=30_000)
        page.wait_for_function("document.querySelectorAll(\"[data-testid='stVegaLiteChart']\").length >= 2",
                               timeout=60_000)  # drawn after the script run
        page.get_by_text("3 van 44 buurten met een getoond cijfer").scroll_into_view_if_needed()
        page.screenshot(path=str(shots / f"own-kaart-{backend}.png"))

        # Successen en tegenvallers: Nazareth's fall from 32,0 to 9,6 per 1.000 is beyond the combined interval
        page.get_by_role("link", name="Successen en tegenvallers").click()
        settle(page)
        succ = page.inner_text("[data-testid='stMain']")
        assert "Aanmeldingen schuldhulpverlening" in succ and "eigen meting" in succ
        assert "2025-K2 → 2025-K3" in succ

        # Doelen → Voorstellen: adopt the proposal on the own indicator for Nazareth, then it is a target
        page.get_by_role("link", name="Doelen").click()
        settle(page)
        page.get_by_role("tab", name="Voorstellen").click()
        settle(page)
        page.wait_for_selector("text=Voorstellen op eigen metingen", timeout=30_000)
        # the adopt buttons of this indicator's proposals for Nazareth (Streamlit puts the widget key in a class)
        adopt = page.locator("[class*='st-key-own_adopt_'][class*='schuldhulp_aanmeldingen'][class*='BU09350403']")
        assert adopt.count() >= 1
        adopt.first.get_by_role("button", name="Voorstel overnemen").click()
        page.wait_for_selector("text=Voorstel overgenomen als doel: Aanmeldingen schuldhulpverlening — Nazareth",
                               timeout=60_000)
        settle(page)
        page.get_by_role("tab", name="Doelen", exact=True).click()
        settle(page)
        page.wait_for_selector("text=Doelen op eigen metingen", timeout=30_000)
        doelen = page.inner_text("[data-testid='stMain']")
        assert "Aanmeldingen schuldhulpverlening — Nazareth" in doelen
        assert "Eigen meting — bron: Gemeente Maastricht, schuldhulpverlening" in doelen
        page.get_by_text("Doelen op eigen metingen").scroll_into_view_if_needed()
        page.screenshot(path=str(shots / f"own-doelen-{backend}.png"))
    finally:
        ctx.close()

    # An anonymous visitor: the public indicator with '<10', never the intern one
    anon = browser.new_context(viewport=PROJECTOR, locale="nl-NL")
    p = anon.new_page()
    try:
        goto_settled(p, server.base_url + "/")
        p.wait_for_selector("text=Eigen metingen van het programma", timeout=30_000)
        text = p.inner_text("[data-testid='stMain']")
        assert "Aanmeldingen schuldhulpverlening" in text and "<10" in text
        assert "huurachterstand" not in text.lower()
        failures += _axe(p, f"{backend}: Overzicht met eigen metingen, bezoeker")
        p.get_by_text("Eigen metingen van het programma").scroll_into_view_if_needed()
        p.screenshot(path=str(shots / f"own-overzicht-anon-{backend}.png"))
        goto_settled(p, server.base_url + "/kaart")
        assert p.get_by_text("Eigen metingen op de kaart").count() == 0  # the only mapped one is intern
        goto_settled(p, server.base_url + "/trends?pijler=bestaanszekerheid")
        assert "huurachterstand" not in p.inner_text("[data-testid='stMain']").lower()
        goto_settled(p, server.base_url + "/data?onderdeel=Eigen+metingen")
        p.wait_for_selector("text=Aanmeldingen schuldhulpverlening", timeout=30_000)
        listing = p.inner_text("[data-testid='stMain']")
        assert "Aanmeldingen schuldhulpverlening" in listing and "huurachterstand" not in listing.lower()
    finally:
        anon.close()
    assert not failures, "\n".join(failures)
