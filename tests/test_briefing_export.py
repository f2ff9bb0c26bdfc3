"""The one-click briefing (reports/: document model, PPTX and PDF writers) and the one-page briefing
(reports/onepage.py): the produced PPTX and PDF are opened and read back.

- python-pptx reads every slide: questions, titles, every big number, the notes, the overview tables, the
  sources; the numbers equal the metrics export for the same selection (metrics.export.rows);
- a layout check measures every text box with the metrics of the slide font (Arial = Liberation Sans): the
  text fits its box, and no text box, table or picture overlaps another or leaves the slide;
- the PDF is read with pdftotext (numbers, date, sources, licence) and converted to PNG pages with pdftoppm
  (test-output/briefing/pdf-*.png), which must not be blank;
- preview PNGs of the PPTX slides are drawn from the measured layout (test-output/briefing/pptx-*.png).
"""
from __future__ import annotations

import datetime as dt
import io
import re
import subprocess
from pathlib import Path

import pandas as pd
import pytest
from PIL import Image, ImageDraw, ImageFont
from pptx import Presentation
from pptx.util import Emu

from loaders import repository
from metrics import export, fmt
from metrics import slides as numbers
from metrics.briefing import FOCUS_AREAS
from metrics.catalog import load
from metrics.compute import Engine
from metrics.targets import Target
from reports import briefing as rb
from reports import model
from charts import slide_charts
from wording import slides

TODAY = dt.date(2026, 11, 22)
NAZ, POT = FOCUS_AREAS
DECK = ("titel", *slides.DEFAULT_DECK, "bronnen")
# The PPTX uses Arial; Liberation Sans has the same metrics, so text is measured as PowerPoint sets it.
FONT = "/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf"
FONT_BOLD = "/usr/share/fonts/truetype/liberation/LiberationSans-Bold.ttf"
EMU_PER_PT = 12700
SLIDE_W, SLIDE_H = 13.333 * 72, 7.5 * 72  # points


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def db(request) -> str:
    """The subset database on each backend (PostgreSQL skipped unless WIJKMONITOR_TEST_PG_URL is set)."""
    return request.getfixturevalue("subset_sqlite" if request.param == "sqlite" else "subset_pg")


@pytest.fixture(scope="module")
def engine(db) -> Engine:
    return Engine(repository.load_inputs(db), load())


@pytest.fixture(scope="module")
def ctx(engine, db) -> numbers.Context:
    targets = [Target(id=3, metric_id="eenzaam", area_code=NAZ, baseline_year=2012, baseline_value=49.8,
                      target_value=45.0, target_year=2030, owner="Team welzijn", rationale="Minder eenzaamheid")]
    part = pd.DataFrame([
        {"buurt_code": NAZ, "maand": "2025-09", "leeftijdsgroep": "totaal", "dialoogsessies": 2,
         "bewoners_bereikt": 45, "meemakers": 6, "activiteiten": 3},
        {"buurt_code": POT, "maand": "2025-10", "leeftijdsgroep": "totaal", "dialoogsessies": 1,
         "bewoners_bereikt": 8, "meemakers": 7, "activiteiten": 1}])
    return numbers.Context(engine, TODAY, targets, part, repository.build_info(db), repository.sources(db))


@pytest.fixture(scope="module")
def produced(ctx, db, output_dir):
    geoms = repository.geometries(slide_charts.MAP_INDELING, slide_charts.MAP_GEMEENTE, url=db)
    result = rb.export(rb.Inputs(ctx, DECK, geoms, "Raad november"))
    out = output_dir / "briefing"
    out.mkdir(exist_ok=True)
    for old in out.glob("*.png"):
        old.unlink()
    (out / "briefing.pptx").write_bytes(result.pptx)
    (out / "briefing.pdf").write_bytes(result.pdf)
    return result, out


def _texts(shape) -> list[str]:
    if shape.has_text_frame:
        return [shape.text_frame.text]
    if shape.has_table:
        return [c.text for r in shape.table.rows for c in r.cells]
    return []


def slide_text(sl) -> str:
    return "\n".join(t for sh in sl.shapes for t in _texts(sh))


# ------------------------------------------------------------------------------------------ PPTX contents

def test_pptx_slides_read_back(produced, ctx):
    result, out = produced
    prs = Presentation(io.BytesIO(result.pptx))
    pages = list(prs.slides)
    deck = result.briefing.deck
    assert deck.skipped == []
    # cover, deck, overview (3 pillars), targets, trends (8 charts, 2 a slide), map, sources (may continue)
    assert len(pages) >= 1 + len(deck.slides) + 3 + 1 + 4 + 1 + 1
    cover = slide_text(pages[0])
    assert fmt.date(TODAY) in cover and slides.version_text(deck.version) in cover and "Raad november" in cover
    for s, page in zip(deck.slides, pages[1:]):
        text = slide_text(page)
        assert s.question in text and s.title in text and s.text in text
        for n in s.numbers:
            assert n.value in text, (s.key, n.value)
            assert n.year in text and n.source in text
        assert page.notes_slide.notes_text_frame.text == s.notes
        if s.source_line:
            assert s.source_line in text
        pics = [sh for sh in page.shapes if sh.shape_type == 13]
        assert len(pics) == (1 if s.chart is not None else 0), s.key
        for p in pics:
            assert p._element.nvPicPr.cNvPr.get("descr")  # alt text
    keys = [s.key for s in deck.slides]
    assert keys == ["titel", "doel:3", *slides.DEFAULT_DECK[1:], "bronnen"]


def test_pptx_numbers_equal_metrics_export(produced, engine):
    result, _ = produced
    prs = Presentation(io.BytesIO(result.pptx))
    pages = list(prs.slides)
    deck = result.briefing.deck
    measured = [(i, n) for i, s in enumerate(deck.slides) for n in s.numbers
                if n.kind == "meting" and n.raw is not None]
    areas = sorted({n.area_code for _, n in measured} | set(model.TREND_AREAS))
    metrics = [engine.catalog.get(m) for m in sorted({n.metric_id for _, n in measured}
                                                      | {r.metric_id for r in result.briefing.overview})]
    table = export.rows(engine, areas, metrics).set_index(["area_code", "metric_id", "year"])
    for i, n in measured:
        row = table.loc[(n.area_code, n.metric_id, int(n.year))]
        expected = fmt.value(row["value"], row["unit"])
        assert expected == n.value and expected in slide_text(pages[1 + i])
    # overview tables: every cell is the export's value for that area and year
    overview_pages = pages[1 + len(deck.slides): 1 + len(deck.slides) + 3]
    for r in result.briefing.overview:
        page = overview_pages[slides.PILLAR_ORDER.index(r.pillar)]
        tbl = next(sh.table for sh in page.shapes if sh.has_table)
        cells = {tbl.cell(i, 0).text: [tbl.cell(i, j).text for j in range(len(tbl.columns))]
                 for i in range(1, len(tbl.rows))}
        row = cells[r.label]
        for (area, shown), cell in zip(r.values, row[2:6]):
            assert cell == shown
            year = int(re.search(r"\((\d{4})\)", shown).group(1)) if "(" in shown else int(r.year)
            if shown != fmt.MISSING_TEXT:
                assert shown.split(" (")[0] == fmt.value(table.loc[(area, r.metric_id, year)]["value"], r.unit)


def test_pptx_targets_participation_and_sources(produced):
    result, _ = produced
    prs = Presentation(io.BytesIO(result.pptx))
    pages = list(prs.slides)
    all_text = "\n".join(slide_text(p) for p in pages)
    target = next(s for s in result.briefing.deck.slides if s.key == "doel:3")
    assert [n.value for n in target.numbers][0] == "49,8%" and target.numbers[2].value == "45,0%"
    card = result.briefing.targets[0]
    assert card.status in target.text and card.baseline in all_text and card.target in all_text
    part = next(s for s in result.briefing.deck.slides if s.key == "participatie")
    assert [n.value for n in part.numbers] == ["45", "<10", "13"]
    last = "\n".join(slide_text(p) for p in pages if "Bronnen, dataversie en licentie" in slide_text(p))
    for r in result.briefing.deck.version.tables:
        assert r.table_id in last
    assert "CC BY 4.0" in last and slides.REGISTER_SOURCE in last


# ------------------------------------------------------------------------------------------ PPTX layout

def _font(size_pt: float, bold: bool) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(FONT_BOLD if bold else FONT, max(1, round(size_pt * 10)))


def wrap(text: str, size: float, bold: bool, width_pt: float) -> list[str]:
    """Greedy word wrap with DejaVu metrics (PowerPoint wraps at spaces too)."""
    f = _font(size, bold)
    lines = []
    for para in text.split("\n"):
        cur = ""
        for word in para.split(" "):
            cand = f"{cur} {word}".strip()
            if f.getlength(cand) / 10 <= width_pt or not cur:
                cur = cand
            else:
                lines.append(cur)
                cur = word
        lines.append(cur)
    return lines


def _runs_font(tf) -> tuple[float, bool]:
    for p in tf.paragraphs:
        for r in p.runs:
            if r.font.size:
                return r.font.size.pt, bool(r.font.bold)
    return 18.0, False


def text_height(tf, width_pt: float) -> tuple[float, float]:
    """(needed height, widest line) in points for a text frame."""
    size, bold = _runs_font(tf)
    lines = wrap(tf.text, size, bold, width_pt)
    f = _font(size, bold)
    widest = max((f.getlength(x) / 10 for x in lines), default=0)
    return len(lines) * size * 1.2, widest


def layout(page) -> list[tuple[str, float, float, float, float, str]]:
    """(kind, left, top, width, height, text) in points, with tables at their measured height."""
    boxes = []
    for sh in page.shapes:
        x, y, w, h = (Emu(v).pt for v in (sh.left, sh.top, sh.width, sh.height))
        if sh.has_table:
            tbl = sh.table
            total = 0.0
            for r in tbl.rows:
                row_h = Emu(r.height).pt
                for j, c in enumerate(r.cells):
                    cw = Emu(tbl.columns[j].width).pt - 14.4  # default cell insets 0.1 in each side
                    need, _ = text_height(c.text_frame, cw)
                    row_h = max(row_h, need + 7.2)
                total += row_h
            boxes.append(("table", x, y, w, total, ""))
        elif sh.has_text_frame and sh.text_frame.text.strip():
            boxes.append(("text", x, y, w, h, sh.text_frame.text))
        elif sh.shape_type == 13:
            boxes.append(("picture", x, y, w, h, ""))
    return boxes


def _overlap(a, b) -> bool:
    ax, ay, aw, ah = a[1:5]
    bx, by, bw, bh = b[1:5]
    return ax < bx + bw - 0.5 and bx < ax + aw - 0.5 and ay < by + bh - 0.5 and by < ay + ah - 0.5


def _slide_problems(page, where: str = "") -> tuple[list[str], list[tuple]]:
    """(problems, boxes) of one slide: text that does not fit its box, boxes outside the slide, overlapping boxes.
    ``where`` starts every problem (e.g. 'dia 3: ')."""
    problems = []
    for sh in page.shapes:
        if sh.has_text_frame and sh.text_frame.text.strip():
            w, h = Emu(sh.width).pt - 7.2, Emu(sh.height).pt
            need, widest = text_height(sh.text_frame, w)
            if need > h + 2 or widest > w + 1:
                problems.append(f"{where}tekst past niet ({need:.0f} > {h:.0f} pt): {sh.text_frame.text[:60]!r}")
    boxes = layout(page)
    for b in boxes:
        if b[1] < 0 or b[2] < 0 or b[1] + b[3] > SLIDE_W + 1 or b[2] + b[4] > SLIDE_H + 1:
            problems.append(f"{where}{b[0]} buiten de dia: {b[5][:40]!r}")
    for i, a in enumerate(boxes):
        for b in boxes[i + 1:]:
            if _overlap(a, b):
                problems.append(f"{where}{a[0]} {a[5][:30]!r} overlapt {b[0]} {b[5][:30]!r}")
    return problems, boxes


def test_pptx_text_fits_and_nothing_overlaps(produced):
    result, out = produced
    prs = Presentation(io.BytesIO(result.pptx))
    problems = []
    for k, page in enumerate(prs.slides, start=1):
        found, boxes = _slide_problems(page, f"dia {k}: ")
        problems += found
        _preview(page, boxes, out / f"pptx-{k:02d}.png")
    assert problems == [], "\n".join(problems)


def test_onepage_pptx_text_fits_and_nothing_overlaps(ctx, output_dir):
    """The one-page briefing as one slide: every text box fits, nothing overlaps or leaves the slide."""
    from reports import onepage

    prs = Presentation(io.BytesIO(onepage.to_pptx(onepage.onepage.build(ctx))))
    assert len(prs.slides) == 1
    page = prs.slides[0]
    problems, boxes = _slide_problems(page)
    out = output_dir / "onepage"
    out.mkdir(exist_ok=True)
    _preview(page, boxes, out / "pptx-een-dia.png")
    assert problems == [], "\n".join(problems)


def _preview(page, boxes, path: Path, scale: float = 1.4) -> None:
    """A rough drawing of the slide from the measured layout, to look at (no PowerPoint needed)."""
    img = Image.new("RGB", (round(SLIDE_W * scale), round(SLIDE_H * scale)), "white")
    d = ImageDraw.Draw(img)
    for sh in page.shapes:
        x, y, w, h = (Emu(v).pt * scale for v in (sh.left, sh.top, sh.width, sh.height))
        if sh.shape_type == 13:
            pic = Image.open(io.BytesIO(sh.image.blob)).convert("RGB").resize((max(1, round(w)), max(1, round(h))))
            img.paste(pic, (round(x), round(y)))
        elif sh.has_table:
            d.rectangle([x, y, x + w, y + h], outline="#01689B")
            ty = y
            for r in sh.table.rows:
                tx = x
                for j, c in enumerate(r.cells):
                    cw = Emu(sh.table.columns[j].width).pt * scale
                    size, bold = _runs_font(c.text_frame)
                    lines = wrap(c.text, size, bold, cw / scale - 14.4)
                    f = ImageFont.truetype(FONT_BOLD if bold else FONT, max(1, round(size * scale)))
                    d.multiline_text((tx + 5, ty + 4), "\n".join(lines), font=f, fill="#111111")
                    tx += cw
                ty += max(Emu(r.height).pt * scale, len(lines) * size * 1.2 * scale + 8)
        elif sh.has_text_frame and sh.text_frame.text.strip():
            size, bold = _runs_font(sh.text_frame)
            f = ImageFont.truetype(FONT_BOLD if bold else FONT, max(1, round(size * scale)))
            lines = wrap(sh.text_frame.text, size, bold, w / scale - 7.2)
            d.multiline_text((x + 3, y + 2), "\n".join(lines), font=f, fill="#111111",
                             spacing=round(size * 0.2 * scale))
            d.rectangle([x, y, x + w, y + h], outline="#DDDDDD")
        elif sh.shape_type == 1:  # the colour stripe of a number
            d.rectangle([x, y, x + w, y + h], fill=sh.fill.fore_color.rgb and f"#{sh.fill.fore_color.rgb}")
    img.save(path)


# ------------------------------------------------------------------------------------------ PDF

def test_pdf_text_pages_and_fonts(produced):
    result, out = produced
    pdf = out / "briefing.pdf"
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True,
                          check=True).stdout
    flat = " ".join(text.split())
    b = result.briefing
    assert fmt.date(TODAY) in flat and "CC BY 4.0" in flat
    for s in b.deck.slides:
        assert " ".join(s.title.split()) in flat, s.title
        for n in s.numbers:
            assert n.value in flat, (s.key, n.value)
    for r in b.overview:
        for _, shown in r.values:
            if shown != fmt.MISSING_TEXT:  # a table cell may wrap a value and its unit over several lines
                value = shown.split(" (")[0]
                assert value in flat if len(value.split()) <= 2 else value.split()[0] in flat, value
    for r in b.deck.version.tables:
        assert r.table_id in flat
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    n_pages = int(re.search(r"Pages:\s+(\d+)", info).group(1))
    assert 8 <= n_pages <= 30
    assert "Page size:       595.28 x 841.89 pts (A4)" in info
    fonts = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True).stdout
    assert "DejaVuSans" in fonts and all(" yes " in line for line in fonts.splitlines()[2:] if line.strip())
    subprocess.run(["pdftoppm", "-r", "60", "-png", str(pdf), str(out / "pdf")], check=True)
    pngs = sorted(out.glob("pdf-*.png"))
    assert len(pngs) == n_pages
    for p in pngs:
        im = Image.open(p).convert("L")
        dark = sum(1 for v in im.getdata() if v < 128)
        assert dark > 500, f"{p.name} is (bijna) leeg"


def test_pdf_images_have_alt_text(produced):
    result, _ = produced
    raw = result.pdf
    # fpdf2 writes the alt text of every image into the structure tree (/Alt) of the tagged PDF
    n_images = len(result.briefing.slide_figures) + len(result.briefing.trend_figures) + 2  # map twice
    assert raw.count(b"/Alt") >= n_images


# ------------------------------------------------------------------------------------------ charts and map

def test_map_is_not_inverted_and_shows_both_buurten(produced):
    result, _ = produced
    fig = result.briefing.map_figure
    im = Image.open(io.BytesIO(fig.png)).convert("RGB")
    px = list(im.getdata())
    counts = {c: sum(1 for p in px if p == c) for c in ((0, 114, 178), (213, 94, 0), (196, 196, 196))}
    assert counts[(0, 114, 178)] > 200 and counts[(213, 94, 0)] > 100  # Nazareth, Pottenberg
    assert 0.05 < counts[(196, 196, 196)] / len(px) < 0.6  # the other buurten, not the whole world
    assert "Nazareth ligt in" in result.briefing.map_text and "44 buurten" in result.briefing.map_text


def test_rewind_gives_d3_winding():
    ccw = {"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [1, 1], [0, 1], [0, 0]],
                                              [[0.2, 0.2], [0.2, 0.4], [0.4, 0.4], [0.2, 0.2]]]}
    out = slide_charts.rewind(ccw)
    assert slide_charts._ring_area(out["coordinates"][0]) < 0 < slide_charts._ring_area(out["coordinates"][1])
    assert slide_charts.rewind(out) == out


def test_enlarged_chart_fonts(engine):
    ref = slides.ChartRef("trend", "moeite_met_rondkomen", (NAZ, POT, "GM0935"), 2012)
    spec = slide_charts.trend_spec(engine, ref, width=700, height=300, font=26)
    sizes = []

    def walk(x):
        if isinstance(x, dict):
            for k, v in x.items():
                if k in ("labelFontSize", "titleFontSize", "fontSize"):
                    sizes.append(v)
                walk(v)
        elif isinstance(x, list):
            for v in x:
                walk(v)

    walk(spec)
    assert sizes and min(sizes) == 26
    assert ">2012<" in slide_charts.to_svg(spec)
    # rendered with the Dutch number locale
    tiny = {"data": {"values": [{"v": 1234.5}]}, "mark": "text", "encoding": {"text": {"field": "v", "format": ",.1f"}}}
    assert "1.234,5" in slide_charts.to_svg(tiny)
    assert slide_charts.trend_spec(engine, slides.ChartRef("trend", "mediaan_vermogen", (NAZ,)), 700, 300, 26) is None
