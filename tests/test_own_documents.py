"""Own measurements (eigen metingen) in the council documents: the pickable slide "Eigen metingen: <pijler>", the
one-page briefing (PDF and PPTX), the full briefing (PPTX and PDF) and the CLI, on SQLite and PostgreSQL.

- every own number in a document is the stored figure (own_figures), never computed again;
- a withheld figure is '<10' or 'x' in every document, with no value, interval, n or change beside it;
- an 'intern' indicator is in no document unless the caller asks for it (``include_intern``, ``--intern``);
- the one-pager stays one page, the PPTX text fits its boxes and nothing overlaps (the layout check of
  tests/test_briefing_export.py); the PDF pages are rendered to PNG (test-output/own-documents/).
"""
from __future__ import annotations

import dataclasses
import io
import re
import subprocess
import sys

import pytest
from pptx import Presentation
from pptx.enum.shapes import MSO_SHAPE_TYPE

from conftest import ROOT, fresh_url
from own_made_up import TODAY, defs, load
from loaders import decks, repository
from charts import slide_charts
from metrics import fmt
from reports import briefing as rb
from reports import onepage as onepage_report
from test_briefing_export import _preview, _slide_problems, slide_text
from wijkmonitor import documents, statistics
from wording import onepage, own_documents, slides

NAZ, POT, GM = "BU09350403", "BU09350203", "GM0935"

DEFS = defs("schuldhulp_aanmeldingen", "invloed_op_buurt", "kinderen_voorschool", intern=("invloed_op_buurt",))

# Made-up test uploads (never shipped). Schuldhulp: Pottenberg has 7 aanmeldingen in 2025-K3 (rate 5,6 per 1.000),
# under the threshold of 10. Voorschool: the whole wijk WK093504 and every buurt of it; BU09350404 has 5 (primary),
# so the smallest other buurt, Nazareth with 23, is withheld as 'x' (the wijk minus the others would give 5).
K2 = "gebiedscode;periode;teller;noemer\nBU09350403;2025-K2;40;1250\nBU09350203;2025-K2;30;1245\nGM0935;2025-K2;900;60000\n"
K3 = "gebiedscode;periode;teller;noemer\nBU09350403;2025-K3;12;1250\nBU09350203;2025-K3;7;1245\nGM0935;2025-K3;880;60000\n"
PEILING = "gebiedscode;periode;aandeel;n\nBU09350403;2025;31,0;240\nBU09350203;2025;28,0;210\n"
VOORSCHOOL = ("gebiedscode;periode;aantal\nWK093504;2025;203\nBU09350400;2025;30\nBU09350401;2025;40\n"
              "BU09350402;2025;35\nBU09350403;2025;23\nBU09350404;2025;5\nBU09350405;2025;25\nBU09350406;2025;45\n")
WITHHELD_TEXTS = ("5,6 per 1.000", "voorschool: 23")  # what the withheld figures would have shown
INTERN_LABEL = "Ik heb invloed op wat er in mijn buurt gebeurt"
OWN_DECK = ("titel", "pijler:bestaanszekerheid", "eigen:bestaanszekerheid", "eigen:positieve_gezondheid",
            "eigen:gelijke_kansen", "bronnen")


def load_made_up(url: str) -> str:
    """Build ``url`` (no national file) and load the three made-up indicators (one intern) and four uploads;
    also used by the browser test of the Presentatie page (tests/browser/test_own_presentation.py)."""
    statistics.build(url, national=False)
    load(url, DEFS, [("schuldhulp_aanmeldingen", K2), ("schuldhulp_aanmeldingen", K3), ("invloed_op_buurt", PEILING),
                     ("kinderen_voorschool", VOORSCHOOL)])
    return url


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def loaded(request, tmp_path_factory):
    if request.param == "postgresql":
        request.applymarker(pytest.mark.postgres)
    return load_made_up(fresh_url(request.param, tmp_path_factory.mktemp("owndocs")))


@pytest.fixture(scope="module")
def public(loaded):
    return documents.briefing_context(loaded, TODAY)


@pytest.fixture(scope="module")
def intern(loaded):
    return documents.briefing_context(loaded, TODAY, include_intern=True)


def _stored(url: str, indicator: str, area: str) -> dict:
    figs = repository.own_figures(url)
    mine = figs[(figs["indicator_id"] == indicator) & (figs["area_code"] == area)]
    return max(mine.to_dict("records"), key=lambda r: int(r["sort_key"]))


def _assert_nothing_withheld_leaks(text: str) -> None:
    for t in WITHHELD_TEXTS:
        assert t not in text, t


# ------------------------------------------------------------------------------------------ the stored figures

def test_the_store_has_the_withheld_figures_the_documents_must_hide(loaded):
    """The premise of the tests below: Pottenberg's K3 aanmeldingen are '<10' and Nazareth's voorschool 'x'."""
    assert _stored(loaded, "schuldhulp_aanmeldingen", POT)["shown"] == "<10"
    assert _stored(loaded, "kinderen_voorschool", NAZ)["shown"] == "x"
    assert _stored(loaded, "kinderen_voorschool", "BU09350404")["shown"] == "<10"


# ------------------------------------------------------------------------------------------ slides

def test_the_picker_offers_own_slides_only_with_data_and_intern_only_on_request(loaded, public, intern):
    keys = dict(slides.catalogue(public))
    assert "eigen:bestaanszekerheid" in keys and "eigen:gelijke_kansen" in keys
    assert "eigen:positieve_gezondheid" not in keys  # its only indicator is intern
    assert keys["eigen:bestaanszekerheid"] == "Eigen metingen: Bestaanszekerheid (aanmeldingen schuldhulpverlening)"
    assert "eigen:positieve_gezondheid" in dict(slides.catalogue(intern))
    # without own figures the picker offers none, and an own key gives no slide (and no warning)
    plain = dataclasses.replace(public, own=None)
    assert not [k for k, _ in slides.catalogue(plain) if k.startswith("eigen:")]
    deck = slides.build(plain, ["eigen:bestaanszekerheid", "goed"])
    assert [s.key for s in deck.slides] == ["goed"] and deck.skipped == []
    assert slides.build(plain, ["eigen:nergens"]).skipped == ["eigen:nergens"]
    # a deck is saved only with keys the picker offers
    assert decks.validate("Raad", ["eigen:bestaanszekerheid"], slides.known_keys(public))[1] == [
        "eigen:bestaanszekerheid"]
    with pytest.raises(ValueError):
        decks.validate("Raad", ["eigen:positieve_gezondheid"], slides.known_keys(public))


def test_the_own_slide_shows_the_stored_figures_with_provenance(loaded, public):
    s, = slides.build(public, ["eigen:bestaanszekerheid"]).slides
    assert s.question == "Eigen metingen: Bestaanszekerheid" and s.title == "Aanmeldingen schuldhulpverlening"
    assert s.source_line == "Bron: eigen meting — Gemeente Maastricht, schuldhulpverlening"
    assert len(s.numbers) <= slides.MAX_NUMBERS
    naz, pot, gm = s.numbers
    assert (naz.area_code, pot.area_code, gm.area_code) == (NAZ, POT, GM)
    stored = _stored(loaded, "schuldhulp_aanmeldingen", NAZ)
    assert naz.raw == stored["value"]  # the stored figure itself, not a recomputation
    assert naz.value == f"{fmt.number(stored['value'], 1)} per 1.000" == "9,6 per 1.000"
    assert naz.year == "2025-K3" and "eigen meting" in naz.source
    lo, hi = fmt.number(stored["lower"], 1), fmt.number(stored["upper"], 1)
    assert f"95%-interval {lo} tot {hi} per 1.000" in naz.note
    assert "noemer 1.250" in naz.note and "verbeterd sinds 2025-K2" in naz.note
    # withheld: '<10' and nothing that reveals it
    assert pot.value == "<10" and pot.raw is None
    assert not re.search(r"\d", pot.note.replace("10", "")), pot.note
    pot_notes = next(line for line in s.notes.split("\n") if line.startswith("Pottenberg"))
    assert "1.245" not in pot_notes and "interval" not in pot_notes and "sinds" not in pot_notes
    _assert_nothing_withheld_leaks(s.notes + s.text + " ".join(n.note for n in s.numbers))
    # Maastricht beside it, a change inside the margin is said so (never progress)
    assert gm.label == "Maastricht" and "binnen de marge sinds 2025-K2" in gm.note


def test_an_own_slide_with_two_periods_carries_its_trend_without_the_withheld_figure(loaded, public):
    from ui import present

    s, = slides.build(public, ["eigen:bestaanszekerheid"]).slides
    c = s.chart
    assert c is not None and c.kind == "eigen" and c.metric_id == "schuldhulp_aanmeldingen"
    assert c.periods == ("2025-K2", "2025-K3") and c.y_title == "per 1.000"
    points = {(p[0], p[2]): p for p in c.points}
    # Pottenberg's 7 aanmeldingen in 2025-K3 ('<10') are no point of the chart; its 30 of 2025-K2 are
    assert set(points) == {(NAZ, "2025-K2"), (NAZ, "2025-K3"), (POT, "2025-K2"), (GM, "2025-K2"), (GM, "2025-K3")}
    stored = _stored(loaded, "schuldhulp_aanmeldingen", NAZ)
    assert points[(NAZ, "2025-K3")][3:6] == (stored["value"], stored["lower"], stored["upper"])  # stored, as is
    assert not any(abs(p[3] - 7 / 1245 * 1000) < 0.01 for p in c.points)
    assert "Niet getoond (kleine aantallen): Pottenberg (2025-K3)" in c.alt
    _assert_nothing_withheld_leaks(repr(c.points) + c.alt)
    svg = slide_charts.to_svg(slide_charts.own_trend_spec(c, **present.SLIDE_CHART))
    assert "2025-K3" in svg and "95%-interval" in svg and "Pottenberg" in svg
    # one period only (voorschool 2025): numbers, no chart
    g, = slides.build(public, ["eigen:gelijke_kansen"]).slides
    assert g.chart is None


def test_a_secondary_suppression_is_x_on_the_slide(public):
    s, = slides.build(public, ["eigen:gelijke_kansen"]).slides
    naz, = s.numbers  # Pottenberg has no figure; only the focus buurten and Maastricht are shown
    assert naz.value == "x" and naz.raw is None and "interval" not in naz.note
    _assert_nothing_withheld_leaks(s.notes + " ".join(n.note for n in s.numbers))
    assert "x: afgeschermd" in s.notes


def test_an_intern_slide_says_so(intern):
    s, = slides.build(intern, ["eigen:positieve_gezondheid"]).slides
    assert s.question.endswith("· intern") and "intern" in s.source_line
    assert [n.value for n in s.numbers] == ["31,0%", "28,0%"]


def test_the_slideshow_html_has_the_own_slide(public):
    from ui.present import slideshow_html

    deck = slides.build(public, ["eigen:bestaanszekerheid", "eigen:gelijke_kansen"])
    html = slideshow_html(deck)
    assert "Eigen metingen: Bestaanszekerheid" in html and "9,6<span class='unit'>per 1.000</span>" in html
    assert "&lt;10" in html and "Bron: eigen meting — Gemeente Maastricht, schuldhulpverlening" in html
    _assert_nothing_withheld_leaks(html)
    assert INTERN_LABEL not in html


# ------------------------------------------------------------------------------------------ one page

def _pdf_text(pdf: bytes, tmp_path, name: str) -> tuple[str, int]:
    path = tmp_path / f"{name}.pdf"
    path.write_bytes(pdf)
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True,
                          check=True).stdout
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
    return " ".join(text.split()), int(re.search(r"Pages:\s+(\d+)", info).group(1))


def test_the_one_pager_has_own_lines_per_buurt_and_stays_one_page(loaded, public, intern, tmp_path, output_dir):
    doc = onepage.build(public)
    naz, pot = doc.blocks
    assert naz.own[0] == ("Bestaanszekerheid · Aanmeldingen schuldhulpverlening: 9,6 per 1.000 (95%-interval "
                          f"{fmt.number(_stored(loaded, 'schuldhulp_aanmeldingen', NAZ)['lower'], 1)} tot "
                          f"{fmt.number(_stored(loaded, 'schuldhulp_aanmeldingen', NAZ)['upper'], 1)} per 1.000), "
                          "verbeterd sinds 2025-K2. Eigen meting — bron: Gemeente Maastricht, schuldhulpverlening, "
                          "periode 2025-K3, noemer 1.250.")
    assert naz.own[1] == ("Gelijke kansen · Kinderen in de voorschool: x (niet getoond). Eigen meting — bron: GGD "
                          "Zuid Limburg, VVE-monitor, periode 2025.")
    assert pot.own == ("Bestaanszekerheid · Aanmeldingen schuldhulpverlening: <10 (niet getoond). Eigen meting — "
                       "bron: Gemeente Maastricht, schuldhulpverlening, periode 2025-K3.",)
    assert "Eigen metingen: GGD Zuid Limburg, VVE-monitor; Gemeente Maastricht, schuldhulpverlening" in doc.sources
    assert "<10: minder dan 10" in doc.note
    _doc, pdf, pptx = onepage_report.make(public)
    text, pages = _pdf_text(pdf, tmp_path, "een-pagina")
    assert pages == 1
    assert onepage_report.OWN_HEADING in text and "9,6 per 1.000" in text and "noemer 1.250" in text
    assert "Kinderen in de voorschool: x (niet getoond)" in text and "schuldhulpverlening: <10 (niet getoond)" in text
    _assert_nothing_withheld_leaks(text)
    assert INTERN_LABEL not in text
    out = output_dir / "own-documents"
    out.mkdir(exist_ok=True)
    (out / "een-pagina.pdf").write_bytes(pdf)
    subprocess.run(["pdftoppm", "-r", "80", "-png", str(out / "een-pagina.pdf"), str(out / "een-pagina")],
                   check=True)
    # the one slide: the same lines, the text fits and nothing overlaps
    prs = Presentation(io.BytesIO(pptx))
    page, = prs.slides
    texts = slide_text(page)
    for line in (*naz.own, *pot.own):
        assert line in texts.replace("• ", ""), line
    _assert_nothing_withheld_leaks(texts)
    assert INTERN_LABEL not in texts
    problems, boxes = _slide_problems(page)
    _preview(page, boxes, out / "een-dia.png")
    assert problems == [], "\n".join(problems)
    # with the intern indicator (asked for): still one page, and it is there
    _doc, pdf_i, pptx_i = onepage_report.make(intern)
    text_i, pages_i = _pdf_text(pdf_i, tmp_path, "een-pagina-intern")
    assert pages_i == 1 and INTERN_LABEL in text_i
    assert INTERN_LABEL in slide_text(Presentation(io.BytesIO(pptx_i)).slides[0])


# ------------------------------------------------------------------------------------------ full briefing

@pytest.fixture(scope="module")
def produced(loaded, public):
    geoms = repository.geometries(slide_charts.MAP_INDELING, slide_charts.MAP_GEMEENTE, "buurt", url=loaded)
    return rb.export(rb.Inputs(public, OWN_DECK, geoms, "Raad december"))


def test_the_full_briefing_pptx_has_own_slides_and_appendix(produced, output_dir):
    prs = Presentation(io.BytesIO(produced.pptx))
    pages = list(prs.slides)
    texts = [slide_text(p) for p in pages]
    deck = produced.briefing.deck
    assert [s.key for s in deck.slides] == ["titel", "pijler:bestaanszekerheid", "eigen:bestaanszekerheid",
                                            "eigen:gelijke_kansen", "bronnen"]  # intern left out, not skipped
    assert deck.skipped == []
    own_slide = texts[1 + [s.key for s in deck.slides].index("eigen:bestaanszekerheid")]
    for v in ("9,6 per 1.000", "<10", "14,7 per 1.000", "2025-K3", "noemer 1.250",
              "Bron: eigen meting — Gemeente Maastricht, schuldhulpverlening"):
        assert v in own_slide, v
    keys = [s.key for s in deck.slides]
    pictures = [any(sh.shape_type == MSO_SHAPE_TYPE.PICTURE for sh in p.shapes) for p in pages[1:1 + len(keys)]]
    assert dict(zip(keys, pictures))["eigen:bestaanszekerheid"]  # its trend, drawn from the slide's own points
    assert not dict(zip(keys, pictures))["eigen:gelijke_kansen"]
    appendix = [t for t in texts if "Bijlage: eigen metingen" in t]
    assert len(appendix) == 2  # bestaanszekerheid and gelijke kansen
    assert "Bestaanszekerheid: eigen metingen" in appendix[0] and "Gelijke kansen: eigen metingen" in appendix[1]
    assert "noemer 60.000" in appendix[0] and "<10" in appendix[0] and "niet getoond" in appendix[0]
    table = next(sh.table for p in pages if "Gelijke kansen: eigen metingen" in slide_text(p) for sh in p.shapes
                 if sh.has_table)
    row = [c.text for c in table.rows[1].cells]
    assert row == ["Kinderen in de voorschool", "Nazareth", "2025", "x", "", "niet getoond", "—"]
    sources = "\n".join(t for t in texts if "Bronnen, dataversie en licentie" in t)
    assert "Eigen meting" in sources and "2025-K2, 2025-K3" in sources and "geen CBS/RIVM-cijfers" in sources
    everything = "\n".join(texts) + "\n".join(p.notes_slide.notes_text_frame.text for p in pages)
    _assert_nothing_withheld_leaks(everything)
    assert INTERN_LABEL not in everything
    out = output_dir / "own-documents"
    out.mkdir(exist_ok=True)
    problems = []
    for k, page in enumerate(pages, start=1):
        found, boxes = _slide_problems(page, f"dia {k}: ")
        problems += found
        if "eigen meting" in texts[k - 1].lower():
            _preview(page, boxes, out / f"briefing-dia-{k:02d}.png")
    assert problems == [], "\n".join(problems)


def test_the_full_briefing_pdf_has_own_slides_and_appendix(produced, tmp_path, output_dir):
    text, pages = _pdf_text(produced.pdf, tmp_path, "briefing")
    assert 8 <= pages <= 30
    for v in ("Eigen metingen: Bestaanszekerheid", "Aanmeldingen schuldhulpverlening", "9,6 per 1.000",
              "Bestaanszekerheid: eigen metingen", "Gelijke kansen: eigen metingen",
              "Bron: eigen meting — Gemeente Maastricht, schuldhulpverlening", "<10", "geen CBS/RIVM-cijfers"):
        assert v in text, v
    _assert_nothing_withheld_leaks(text)
    assert INTERN_LABEL not in text
    out = output_dir / "own-documents"
    out.mkdir(exist_ok=True)
    (out / "briefing.pdf").write_bytes(produced.pdf)
    subprocess.run(["pdftoppm", "-r", "60", "-png", str(out / "briefing.pdf"), str(out / "briefing")], check=True)


# ------------------------------------------------------------------------------------------ CLI

def _cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "wijkmonitor", *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=300)


def test_the_cli_briefing_has_own_lines_and_intern_only_with_the_flag(loaded, tmp_path):
    if not loaded.startswith("sqlite"):
        pytest.skip("one backend is enough for the command line (the use case runs on both above)")
    texts = {}
    for flag in ((), ("--intern",)):
        out = tmp_path / f"een{'-intern' if flag else ''}.pptx"
        r = _cli("briefing", "--onepage", "--out", str(out), "--url", loaded, "--datum", TODAY.isoformat(), *flag)
        assert r.returncode == 0, r.stderr
        texts[flag] = slide_text(Presentation(io.BytesIO(out.read_bytes())).slides[0])
    assert "Aanmeldingen schuldhulpverlening: 9,6 per 1.000" in texts[()]
    assert INTERN_LABEL not in texts[()] and INTERN_LABEL in texts[("--intern",)]
    _assert_nothing_withheld_leaks(texts[()] + texts[("--intern",)])
    assert own_documents.KEY == "eigen"
