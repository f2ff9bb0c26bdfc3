"""The wethouder's briefing as PPTX (editable, python-pptx) and PDF (fpdf2, DejaVu), made on request.

Contents: a cover with the date and the data version, the slides of the chosen deck (the same
:class:`metrics.slides.Slide` objects as the presentation, so the numbers are the same), the overview per
pillar (the Overzicht page's cards), the target cards, key trend charts, a static map of the Maastricht
buurten, and the source list with periods, load dates and licence.

Charts are the dashboard's Altair builders (ui/charts.py) with larger type, rendered server-side with
vl-convert (no browser). The map is an Altair geoshape chart of the 44 buurten (indeling 2020).
"""
from __future__ import annotations

import concurrent.futures as cf
import copy
import datetime as dt
import functools
import io
import json
import math
import time
from dataclasses import dataclass, field
from pathlib import Path

import altair as alt
import pandas as pd
import vl_convert as vlc

from metrics import fmt, slides
from metrics.briefing import FOCUS_AREAS, MAASTRICHT, NEDERLAND, PILLAR_ORDER, headline_metrics
from metrics.compute import Engine
from metrics.series import trend_frame
from ui import charts
from ui.palette import colour_for

FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")
CHART_FONT = "DejaVu Sans"
TITLE = "Veerkrachtige Wijken: Nazareth en Pottenberg"
SUBTITLE = "Briefing voor de wethouder"
LICENCE_TEXT = ("Bron: CBS, RIVM — de cijfers zijn gepubliceerd onder licentie CC BY 4.0 (naamsvermelding "
                "'Bron: CBS/RIVM'). Kaartgrenzen: CBS/Kadaster Wijk- en buurtkaart.")
OTHER_BUURTEN = "Andere buurten"
OTHER_FILL = "#C4C4C4"
TREND_AREAS = (*FOCUS_AREAS, MAASTRICHT, NEDERLAND)
MAP_INDELING = 2020
MAP_GEMEENTE = "GM0935"
TONE_WORDS = {"kracht": "gaat goed", "aandacht": "aandachtspunt", "neutraal": "ter informatie"}


# ---------------------------------------------------------------------------------------------- charts

def enlarge(spec: dict, font: int) -> dict:
    """A copy of a Vega-Lite spec with every font at `font` px and marks scaled along (for slides and print)."""
    factor = font / charts.FONT_SIZE

    def walk(node):
        if isinstance(node, dict):
            out = {}
            for k, v in node.items():
                if k in ("labelFontSize", "titleFontSize", "fontSize") and isinstance(v, (int, float)):
                    out[k] = font
                elif k == "labelLimit":
                    out[k] = 0
                elif k == "size" and isinstance(v, (int, float)) and node.get("type") in ("point", "circle"):
                    out[k] = round(v * factor * factor * 0.6)
                elif k == "strokeWidth" and isinstance(v, (int, float)):
                    out[k] = round(v * min(factor, 2.2), 1)
                elif k == "dx" and isinstance(v, (int, float)):
                    out[k] = round(v * factor)
                elif k == "dy" and isinstance(v, (int, float)):
                    out[k] = round(v * factor)
                else:
                    out[k] = walk(v)
            return out
        if isinstance(node, list):
            return [walk(x) for x in node]
        return node

    out = walk(copy.deepcopy(spec))
    cfg = out.setdefault("config", {})
    cfg["font"] = CHART_FONT
    cfg.setdefault("legend", {}).update({"symbolSize": round(90 * factor * factor * 0.5), "symbolStrokeWidth": 3,
                                         "labelFontSize": font, "titleFontSize": font, "columnPadding": font,
                                         "labelLimit": 0})
    cfg.setdefault("axis", {}).update({"labelFontSize": font, "titleFontSize": font, "labelColor": "#1A1A1A",
                                       "titleColor": "#1A1A1A", "tickSize": 8, "labelPadding": 6})
    cfg.setdefault("axisY", {}).update({"tickCount": 6})
    cfg.setdefault("view", {}).update({"stroke": None})
    return out


def trend_spec(engine: Engine, ref: slides.ChartRef, width: int, height: int, font: int,
               title: str = "") -> dict | None:
    """The dashboard's trend chart for a slide's ChartRef (with the target path, as on the Doelen page)."""
    m = engine.catalog.get(ref.metric_id)
    df = trend_frame(engine, m, list(ref.areas))
    if df.empty or not df["value"].notna().any():
        return None
    path = None
    if ref.trajectory:
        path = pd.DataFrame([{"year": y, "value": v} for y, v in ref.trajectory])
        years = sorted(set(df["year"]).union(path["year"]))
        df = df.set_index(["area_code", "year"]).reindex(
            pd.MultiIndex.from_product([df["area_code"].unique(), years], names=["area_code", "year"])).reset_index()
        df["area_name"] = df["area_code"].map(engine.name)
        df["label"] = df["label"].fillna("geen meting")
        df[["source", "note"]] = df[["source", "note"]].fillna("")
    chart = charts.trend_chart(df, title, m.unit, baseline_year=ref.baseline_year, height=height, width=width,
                               trajectory=path)
    spec = enlarge(chart.to_dict(), font)
    if not title:
        spec.pop("title", None)
    return spec


def _direction(dx: float, dy: float, extent: float) -> str:
    if math.hypot(dx, dy) < 0.15 * extent:
        return "in het midden"
    winds = ["het oosten", "het noordoosten", "het noorden", "het noordwesten", "het westen", "het zuidwesten",
             "het zuiden", "het zuidoosten"]
    ang = math.degrees(math.atan2(dy, dx)) % 360
    return "in " + winds[int(((ang + 22.5) % 360) // 45)]


def map_description(geoms: pd.DataFrame, focus=FOCUS_AREAS) -> str:
    """Text alternative of the map: how many buurten, and where the focus buurten lie (from the label points)."""
    if geoms is None or geoms.empty:
        return "Geen kaartgegevens beschikbaar."
    lon0, lat0 = geoms["label_lon"].mean(), geoms["label_lat"].mean()
    k = math.cos(math.radians(lat0))
    extent = max((geoms["label_lon"].max() - geoms["label_lon"].min()) * k,
                 geoms["label_lat"].max() - geoms["label_lat"].min()) / 2
    g = geoms.set_index("area_code")
    bits = []
    for code in focus:
        if code in g.index:
            r = g.loc[code]
            where = _direction((r["label_lon"] - lon0) * k, r["label_lat"] - lat0, extent)
            bits.append(f"{r['name']} ligt {where} van de stad")
    return (f"Kaart van de {len(geoms)} buurten van Maastricht (indeling {MAP_INDELING}); "
            + ("; ".join(bits) + "." if bits else "de focusbuurten staan niet op de kaart."))


def _ring_area(ring) -> float:
    return sum(x0 * y1 - x1 * y0 for (x0, y0, *_), (x1, y1, *_) in zip(ring, ring[1:])) / 2


def rewind(geometry: dict) -> dict:
    """Rings in d3-geo's winding (exterior clockwise, holes counter-clockwise).

    GeoJSON (RFC 7946) winds exteriors counter-clockwise; d3 reads such a ring as 'everything except this
    polygon' and would fill the whole map. Orientation is taken from the planar signed area in lon/lat.
    """
    def fix(poly):
        out = []
        for i, ring in enumerate(poly):
            a = _ring_area(ring)
            want_cw = i == 0
            out.append(list(reversed(ring)) if (a > 0) == want_cw else ring)
        return out

    g = dict(geometry)
    if g.get("type") == "Polygon":
        g["coordinates"] = fix(g["coordinates"])
    elif g.get("type") == "MultiPolygon":
        g["coordinates"] = [fix(p) for p in g["coordinates"]]
    return g


def map_spec(geoms: pd.DataFrame, width: int, height: int, font: int, focus=FOCUS_AREAS) -> dict | None:
    """A static locator map: every buurt in grey, the focus buurten in their colours, outlined and named."""
    if geoms is None or geoms.empty:
        return None
    names = dict(zip(geoms["area_code"], geoms["name"]))
    focus = [c for c in focus if c in names]
    domain = [names[c] for c in focus] + [OTHER_BUURTEN]
    colours = [colour_for(c, i) for i, c in enumerate(focus)] + [OTHER_FILL]
    feats = []
    for code, gj, name in zip(geoms["area_code"], geoms["geojson"], geoms["name"]):
        feats.append({"type": "Feature", "geometry": rewind(json.loads(gj)),
                      "properties": {"code": code, "name": name or code,
                                     "groep": name if code in focus else OTHER_BUURTEN}})
    # Focus buurten last, so their outline is drawn on top.
    feats.sort(key=lambda f: f["properties"]["code"] in focus)
    shapes = alt.Chart(alt.Data(values=feats)).mark_geoshape(stroke="#FFFFFF", strokeWidth=1.2).encode(
        color=alt.Color("properties.groep:N", scale=alt.Scale(domain=domain, range=colours),
                        legend=alt.Legend(title=None, orient="bottom", direction="horizontal")),
        tooltip=[alt.Tooltip("properties.name:N", title="Buurt")])
    outline = alt.Chart(alt.Data(values=[f for f in feats if f["properties"]["code"] in focus])).mark_geoshape(
        fill=None, stroke="#000000", strokeWidth=3)
    labels = pd.DataFrame([{"lon": float(r.label_lon), "lat": float(r.label_lat), "name": r.name}
                           for r in geoms.itertuples() if r.area_code in focus])
    halo = alt.Chart(labels).mark_text(fontSize=font, fontWeight="bold", dy=-font, stroke="#FFFFFF",
                                       strokeWidth=max(4, font // 4), strokeJoin="round").encode(
        longitude="lon:Q", latitude="lat:Q", text="name:N")
    text = alt.Chart(labels).mark_text(fontSize=font, fontWeight="bold", dy=-font, color="#000000").encode(
        longitude="lon:Q", latitude="lat:Q", text="name:N")
    chart = alt.layer(shapes, outline, halo, text).project(type="mercator").properties(width=width, height=height)
    spec = chart.to_dict()
    cfg = spec.setdefault("config", {})
    cfg["font"] = CHART_FONT
    cfg["legend"] = {"labelFontSize": font, "symbolSize": font * font, "symbolType": "square", "labelLimit": 0,
                     "columnPadding": font}
    cfg["view"] = {"stroke": None}
    return spec


def to_svg(spec: dict) -> str:
    return vlc.vegalite_to_svg(spec, format_locale=charts.DUTCH_FORMAT)


def to_png(spec: dict, scale: float = 2.0) -> bytes:
    return vlc.vegalite_to_png(spec, scale=scale, format_locale=charts.DUTCH_FORMAT)


def _png_size(png: bytes) -> tuple[int, int]:
    return int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")


# ---------------------------------------------------------------------------------------------- assembling

@dataclass
class Figure:
    key: str
    title: str
    png: bytes
    alt: str
    source: str

    @property
    def size(self) -> tuple[int, int]:
        return _png_size(self.png)


@dataclass
class Briefing:
    title: str
    deck_name: str
    deck: slides.Deck
    overview: list[slides.OverviewRow]
    targets: list[slides.TargetCard]
    slide_figures: dict[int, Figure]          # slide index -> chart
    trend_figures: list[Figure]
    map_figure: Figure | None
    map_text: str
    pillar_labels: dict[str, str]
    area_names: dict[str, str]
    seconds: dict[str, float] = field(default_factory=dict)

    @property
    def date_text(self) -> str:
        return fmt.date(self.deck.date)


@dataclass
class Inputs:
    ctx: slides.Context
    keys: tuple[str, ...] = slides.DEFAULT_DECK
    geometries: pd.DataFrame | None = None
    deck_name: str = "Standaard: de vragen van de raad"


SLIDE_CHART = {"width": 700, "height": 380, "font": 26}     # PPTX/PDF: next to or under the numbers
TREND_CHART = {"width": 720, "height": 300, "font": 24}
MAP_CHART = {"width": 760, "height": 640, "font": 26}


def _render_all(jobs: list[tuple[str, dict]]) -> dict[str, bytes]:
    """Render PNGs; vl-convert releases the GIL, so two threads use both cores."""
    with cf.ThreadPoolExecutor(max_workers=2) as ex:
        futs = {k: ex.submit(to_png, spec) for k, spec in jobs}
        return {k: f.result() for k, f in futs.items()}


def assemble(inp: Inputs) -> Briefing:
    t0 = time.perf_counter()
    ctx = inp.ctx
    eng = ctx.engine
    deck = slides.build(ctx, inp.keys)
    ov = slides.overview(ctx)
    cards = slides.target_cards(ctx)
    t1 = time.perf_counter()
    jobs: list[tuple[str, dict]] = []
    meta: dict[str, tuple[str, str, str]] = {}
    for i, s in enumerate(deck.slides):
        if s.chart is None:
            continue
        if s.chart.kind == "trend":
            spec = trend_spec(eng, s.chart, **SLIDE_CHART)
        else:
            spec = map_spec(inp.geometries, **{**MAP_CHART, "width": 620, "height": 520})
        if spec is not None:
            jobs.append((f"slide:{i}", spec))
            meta[f"slide:{i}"] = (s.title, s.chart.alt, s.source_line)
    trend_keys = []
    for p in PILLAR_ORDER[:3]:
        for m in headline_metrics(eng, p):
            ref = slides.ChartRef("trend", m.id, TREND_AREAS, (eng.years(m) or [None])[0])
            spec = trend_spec(eng, ref, **TREND_CHART)
            if spec is not None:
                k = f"trend:{m.id}"
                trend_keys.append(k)
                jobs.append((k, spec))
                srcs = {s for a in TREND_AREAS for r in eng.series(m, a) if r.present for s in r.sources}
                meta[k] = (f"{m.label} ({m.unit})", slides._trend_alt(ctx, m, TREND_AREAS),
                           "Bron: " + slides.source_label(ctx, srcs or m.sources) + ", CC BY 4.0")
    mspec = map_spec(inp.geometries, **MAP_CHART)
    map_text = map_description(inp.geometries)
    if mspec is not None:
        jobs.append(("map", mspec))
        meta["map"] = ("De buurten van Maastricht", map_text, "Kaart: CBS/Kadaster Wijk- en buurtkaart 2020, CC BY 4.0")
    pngs = _render_all(jobs)
    t2 = time.perf_counter()
    figs = {k: Figure(k, meta[k][0], png, meta[k][1], meta[k][2]) for k, png in pngs.items()}
    return Briefing(
        title=TITLE, deck_name=inp.deck_name, deck=deck, overview=ov, targets=cards,
        slide_figures={int(k.split(":")[1]): f for k, f in figs.items() if k.startswith("slide:")},
        trend_figures=[figs[k] for k in trend_keys], map_figure=figs.get("map"), map_text=map_text,
        pillar_labels={p: eng.catalog.pillars[p]["label"] for p in eng.catalog.pillars},
        area_names={a: eng.name(a) for a in TREND_AREAS},
        seconds={"cijfers": t1 - t0, "grafieken": t2 - t1})


# ---------------------------------------------------------------------------------------------- PPTX
# Layout in inches on a 13.333 x 7.5 in (16:9) slide. Every text box is sized to its text, measured with the
# metrics of the slide font (Arial; Liberation Sans has identical metrics), so nothing overflows or overlaps.

INK, MUTED, ACCENT, RULE = "#111111", "#3D3D3D", "#01689B", "#C9D3DD"
PPTX_FONT = "Arial"  # on every Windows and Mac; LibreOffice uses the metric-compatible Liberation Sans
METRIC_FONTS = {False: ["/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf",
                        str(FONT_DIR / "DejaVuSans.ttf")],
                True: ["/usr/share/fonts/truetype/liberation/LiberationSans-Bold.ttf",
                       str(FONT_DIR / "DejaVuSans-Bold.ttf")]}
SLIDE_W, SLIDE_H = 13.333, 7.5
LEFT, WIDTH = 0.6, 12.13
LINE = 1.2          # line height as a multiple of the font size (PowerPoint's single spacing)
PAD_X, PAD_Y = 0.05, 0.03
CELL_X, CELL_Y = 0.1, 0.05


@functools.lru_cache(maxsize=64)
def _metric_font(size_pt: float, bold: bool):
    from PIL import ImageFont

    path = next(p for p in METRIC_FONTS[bold] if Path(p).exists())  # DejaVu is wider: a safe fallback
    return ImageFont.truetype(path, max(1, round(size_pt * 10)))


def wrap_lines(text: str, size: float, bold: bool, width_in: float) -> list[str]:
    """Greedy word wrap as PowerPoint does it, with the font's real advance widths."""
    f = _metric_font(size, bold)
    limit = width_in * 72
    lines: list[str] = []
    for para in text.split("\n"):
        cur = ""
        for word in para.split(" "):
            cand = f"{cur} {word}".strip()
            if f.getlength(cand) / 10 <= limit or not cur:
                cur = cand
            else:
                lines.append(cur)
                cur = word
        lines.append(cur)
    return lines


def text_height(text: str, size: float, bold: bool, width_in: float, pad_x=PAD_X, pad_y=PAD_Y) -> float:
    return len(wrap_lines(text, size, bold, width_in - 2 * pad_x)) * size * LINE / 72 + 2 * pad_y


def _rgb(h: str):
    from pptx.dml.color import RGBColor

    return RGBColor.from_string(h.lstrip("#"))


def _align(which: str):
    from pptx.enum.text import PP_ALIGN

    return {"right": PP_ALIGN.RIGHT, "left": PP_ALIGN.LEFT, "center": PP_ALIGN.CENTER}[which]


def _text(slide, x, y, w, text: str, size: float, bold=False, colour=INK, align=None) -> float:
    """A text box sized to its text; returns its bottom."""
    from pptx.enum.text import MSO_AUTO_SIZE
    from pptx.util import Inches, Pt

    h = text_height(text, size, bold, w)
    box = slide.shapes.add_textbox(Inches(x), Inches(y), Inches(w), Inches(h))
    tf = box.text_frame
    tf.word_wrap = True
    tf.auto_size = MSO_AUTO_SIZE.NONE
    tf.margin_left = tf.margin_right = Inches(PAD_X)
    tf.margin_top = tf.margin_bottom = Inches(PAD_Y)
    for i, line in enumerate(text.split("\n")):
        p = tf.paragraphs[0] if i == 0 else tf.add_paragraph()
        p.text = line
        p.line_spacing = 1.0
        if align is not None:
            p.alignment = _align(align)
        for r in p.runs:
            r.font.size = Pt(size)
            r.font.bold = bold
            r.font.color.rgb = _rgb(colour)
            r.font.name = PPTX_FONT
    return y + h


def _picture(slide, fig: Figure, x, y, max_w, max_h) -> float:
    from pptx.util import Inches

    w, h = fig.size
    scale = min(max_w / w, max_h / h)
    pic = slide.shapes.add_picture(io.BytesIO(fig.png), Inches(x), Inches(y), Inches(w * scale), Inches(h * scale))
    pic._element.nvPicPr.cNvPr.set("descr", fig.alt)  # alt text for screen readers
    pic._element.nvPicPr.cNvPr.set("title", fig.title)
    return y + h * scale


def _stripe(slide, colour: str, x, y, h):
    from pptx.enum.shapes import MSO_SHAPE
    from pptx.util import Inches

    bar = slide.shapes.add_shape(MSO_SHAPE.RECTANGLE, Inches(x), Inches(y), Inches(0.08), Inches(h))
    bar.fill.solid()
    bar.fill.fore_color.rgb = _rgb(colour)
    bar.line.fill.background()


def _number_colour(n: slides.BigNumber) -> str:
    return colour_for(n.area_code, 3) if n.area_code in (*FOCUS_AREAS, MAASTRICHT) else ACCENT


def _tile_parts(n: slides.BigNumber) -> list[tuple[str, float, bool, str]]:
    head = " · ".join(b for b in (n.area, n.label) if b)
    meta = " · ".join(b for b in (n.year, n.source) if b) + (f"\n{n.note}" if n.note else "")
    return [(head, 15, True, INK), (n.value, 0, True, INK), (meta, 12, False, MUTED)]


def _tile_height(n, w, value_size) -> float:
    return sum(text_height(t, s or value_size, b, w - 0.2) for t, s, b, _ in _tile_parts(n))


def _tile(slide, n: slides.BigNumber, x, y, w, value_size) -> float:
    top = y
    for text, size, bold, colour in _tile_parts(n):
        y = _text(slide, x + 0.2, y, w - 0.2, text, size or value_size, bold, colour)
    _stripe(slide, _number_colour(n), x, top, y - top)
    return y


class _Deck:
    """Adds slides and writes every footer (source line + 'n / total') once the total is known."""

    def __init__(self, b: Briefing):
        from pptx import Presentation
        from pptx.util import Inches

        self.b = b
        self.prs = Presentation()
        self.prs.slide_width, self.prs.slide_height = Inches(SLIDE_W), Inches(SLIDE_H)
        self.footers: list[tuple[object, str]] = []

    def new(self, source: str, notes: str = ""):
        sl = self.prs.slides.add_slide(self.prs.slide_layouts[6])
        self.footers.append((sl, source))
        if notes:
            sl.notes_slide.notes_text_frame.text = notes
        return sl

    def footer_top(self, source: str) -> float:
        return SLIDE_H - 0.25 - max(text_height(source, 12, False, 9.4), text_height("x", 12, False, 2.5))

    def finish(self) -> bytes:
        total = len(self.footers)
        for n, (sl, source) in enumerate(self.footers, start=1):
            y = self.footer_top(source)
            _text(sl, LEFT, y, 9.4, source, 12, colour=MUTED)
            _text(sl, LEFT + 9.63, y, 2.5, f"{self.b.date_text} · {n} / {total}", 12, colour=MUTED, align="right")
        buf = io.BytesIO()
        self.prs.save(buf)
        return buf.getvalue()


def _heading(slide, question: str, title: str) -> float:
    y = _text(slide, LEFT, 0.3, WIDTH, question, 18, True, ACCENT)
    return _text(slide, LEFT, y, WIDTH, title, 30, True)


def _deck_slide(d: _Deck, s: slides.Slide, fig: Figure | None):
    sl = d.new(s.source_line, s.notes)
    y0 = _heading(sl, s.question, s.title) + 0.15
    text_size = 18 if (fig is not None or s.numbers) else 22
    bottom = d.footer_top(s.source_line) - 0.1
    text_y = bottom - text_height(s.text, text_size, False, WIDTH)
    y1 = text_y - 0.12
    if fig is not None:
        col = 4.4
        for value_size in (40, 34, 28, 24):
            need = sum(_tile_height(n, col, value_size) for n in s.numbers) + 0.15 * max(len(s.numbers) - 1, 0)
            if y0 + need <= y1:
                break
        y = y0
        for n in s.numbers:
            y = _tile(sl, n, LEFT, y, col, value_size) + 0.15
        _picture(sl, fig, LEFT + col + 0.3, y0, WIDTH - col - 0.3, y1 - y0)
    elif s.numbers:
        k = len(s.numbers)
        w = (WIDTH - 0.3 * (k - 1)) / k
        for value_size in (44, 36, 30):
            if max(_tile_height(n, w, value_size) for n in s.numbers) <= y1 - y0:
                break
        for i, n in enumerate(s.numbers):
            _tile(sl, n, LEFT + i * (w + 0.3), y0, w, value_size)
        text_y = min(y0 + max(_tile_height(n, w, value_size) for n in s.numbers) + 0.4, text_y)
    elif s.bullets:
        for size in (16, 14, 12):
            if text_height("\n".join("• " + x for x in s.bullets), size, False, WIDTH) <= y1 - y0:
                break
        _text(sl, LEFT, y0, WIDTH, "\n".join("• " + x for x in s.bullets), size)
    else:
        text_y = y0 + 0.2
    _text(sl, LEFT, text_y, WIDTH, s.text, text_size)


def _table_rows_height(rows, col_w, size) -> list[float]:
    return [max(0.32, max(text_height(str(v), size, i == 0, cw, CELL_X, CELL_Y) for v, cw in zip(r, col_w)))
            for i, r in enumerate(rows)]


def _table(slide, rows: list[list[str]], y, col_w: list[float], size=12) -> float:
    """A native (editable) table with measured row heights; returns its bottom."""
    from pptx.util import Inches, Pt

    heights = _table_rows_height(rows, col_w, size)
    shape = slide.shapes.add_table(len(rows), len(rows[0]), Inches(LEFT), Inches(y), Inches(sum(col_w)),
                                   Inches(sum(heights)))
    tbl = shape.table
    for j, cw in enumerate(col_w):
        tbl.columns[j].width = Inches(cw)
    for i, row in enumerate(rows):
        tbl.rows[i].height = Inches(heights[i])
        for j, val in enumerate(row):
            cell = tbl.cell(i, j)
            cell.margin_left = cell.margin_right = Inches(CELL_X)
            cell.margin_top = cell.margin_bottom = Inches(CELL_Y)
            cell.text = str(val)
            for p in cell.text_frame.paragraphs:
                p.line_spacing = 1.0
                for r in p.runs:
                    r.font.size = Pt(size)
                    r.font.bold = i == 0
                    r.font.name = PPTX_FONT
                    r.font.color.rgb = _rgb("#FFFFFF" if i == 0 else INK)
            cell.fill.solid()
            cell.fill.fore_color.rgb = _rgb(ACCENT if i == 0 else ("#EEF2F6" if i % 2 else "#FFFFFF"))
    return y + sum(heights)


def _table_slides(d: _Deck, question: str, title: str, rows, col_w, source: str, size=12, notes="",
                  after: str = ""):
    """One or more slides with a table; rows that do not fit go to a continuation slide (header repeated)."""
    head, body = rows[0], rows[1:]
    part = 0
    while True:
        sl = d.new(source, notes)
        top = _heading(sl, question, title + (" (vervolg)" if part else "")) + 0.2
        limit = d.footer_top(source) - 0.15 - (text_height(after, 13, False, WIDTH) + 0.1 if after else 0)
        heights = _table_rows_height([head, *body], col_w, size)
        n, used = 0, heights[0]
        while n < len(body) and top + used + heights[n + 1] <= limit:
            used += heights[n + 1]
            n += 1
        n = max(n, 1) if body else 0
        y = _table(sl, [head, *body[:n]], top, col_w, size)
        body = body[n:]
        if not body:
            if after:
                _text(sl, LEFT, y + 0.1, WIDTH, after, 13, colour=MUTED)
            return
        part += 1


def overview_table_rows(b: Briefing, pillar: str) -> list[list[str]]:
    head = ["Indicator", "Jaar", *[b.area_names[a] for a in TREND_AREAS], "Duiding"]
    rows = [head]
    for r in b.overview:
        if r.pillar == pillar:
            rows.append([r.label, r.year, *[v for _, v in r.values], r.tone])
    return rows


def target_table_rows(b: Briefing) -> list[list[str]]:
    rows = [["Indicator", "Gebied", "Basis", "Laatste meting", "Doel", "Status", "Eigenaar"]]
    for t in b.targets:
        rows.append([t.metric, t.area, t.baseline, t.latest, t.target, t.status, t.owner])
    return rows


def source_table_rows(b: Briefing) -> list[list[str]]:
    rows = [["Tabel", "Titel", "Uitgever", "Periode", "Licentie", "Geladen"]]
    for r in b.deck.version.tables:
        rows.append([r.table_id, r.title, r.publisher, r.period, r.licence, r.loaded])
    rows.append(["Register", slides.REGISTER_SOURCE, "Gemeente Maastricht", "per maand", "eigen registratie", "—"])
    return rows


def to_pptx(b: Briefing) -> bytes:
    d = _Deck(b)
    d.prs.core_properties.title = f"{b.title} — {SUBTITLE}"
    d.prs.core_properties.language = "nl-NL"
    d.prs.core_properties.subject = f"Briefing {b.date_text}"
    # cover
    sl = d.new(LICENCE_TEXT, b.deck.version.text)
    y = _text(sl, LEFT, 0.45, WIDTH, SUBTITLE, 20, True, ACCENT)
    y = _text(sl, LEFT, y, WIDTH, b.title, 34, True) + 0.25
    col = 7.0 if b.map_figure else WIDTH
    y = _text(sl, LEFT, y, col, f"Stand van zaken op {b.date_text}", 22) + 0.15
    y = _text(sl, LEFT, y, col, f"Presentatie: {b.deck_name}.", 15, colour=MUTED) + 0.05
    y = _text(sl, LEFT, y, col, f"Dataversie: {b.deck.version.text}", 15, colour=MUTED) + 0.15
    _text(sl, LEFT, y, col, "Alle cijfers staan ook in de Wijkmonitor, met bron, jaar en definitie op de pagina "
          "Data en methode.", 15, colour=MUTED)
    if b.map_figure:
        _picture(sl, b.map_figure, LEFT + col + 0.3, 1.9, WIDTH - col - 0.3, d.footer_top(LICENCE_TEXT) - 2.0)
    for i, s in enumerate(b.deck.slides):
        _deck_slide(d, s, b.slide_figures.get(i))
    # appendix: overview per pillar (native, editable tables)
    for p in PILLAR_ORDER[:3]:
        srcs = sorted({r.sources for r in b.overview if r.pillar == p})
        _table_slides(d, "Bijlage: overzicht", f"{b.pillar_labels[p]}: Nazareth en Pottenberg",
                      overview_table_rows(b, p), [3.2, 0.75, 1.35, 1.35, 1.35, 1.35, 2.78],
                      "Bron: " + "; ".join(srcs) + ", CC BY 4.0", size=13,
                      after="Meest recente meting per indicator; jaar tussen haakjes als het afwijkt. Duiding per "
                            "buurt: een verandering binnen de marge telt niet als vooruitgang.")
    source = "Doelen: programma Veerkrachtige Wijken; metingen: CBS/RIVM, CC BY 4.0"
    if b.targets:
        _table_slides(d, "Bijlage: doelen", "Doelen en hun status", target_table_rows(b),
                      [2.6, 1.5, 1.5, 1.9, 1.5, 1.6, 1.53], source, size=12,
                      notes="\n".join(f"{t.metric} — {t.area}: {t.explanation}" for t in b.targets))
    else:
        sl = d.new(source)
        y = _heading(sl, "Bijlage: doelen", "Doelen en hun status") + 0.3
        _text(sl, LEFT, y, WIDTH, "Er zijn nog geen doelen vastgesteld. Doelen worden vastgelegd op de pagina "
              "Doelen; de status wordt berekend uit de data.", 22)
    # trend charts, two per slide
    for i in range(0, len(b.trend_figures), 2):
        pair = b.trend_figures[i:i + 2]
        source = " · ".join(sorted({f.source for f in pair}))
        sl = d.new(source, "\n".join(f.alt for f in pair))
        names = [f.title.split(" (")[0] for f in pair]
        names[1:] = [x[:1].lower() + x[1:] for x in names[1:]]
        top = _heading(sl, "Bijlage: trends", " en ".join(names)) + 0.15
        w = (WIDTH - 0.3) / 2
        for j, f in enumerate(pair):
            x = LEFT + j * (w + 0.3)
            y = _text(sl, x, top, w, f.title, 16, True) + 0.05
            _picture(sl, f, x, y, w, d.footer_top(source) - 0.15 - y)
    if b.map_figure:
        sl = d.new(b.map_figure.source, b.map_text)
        top = _heading(sl, "Bijlage: kaart", "De buurten van Maastricht") + 0.15
        _picture(sl, b.map_figure, LEFT, top, 7.2, d.footer_top(b.map_figure.source) - 0.15 - top)
        _text(sl, LEFT + 7.5, top + 0.1, WIDTH - 7.5, b.map_text, 18)
    _table_slides(d, "Bijlage: bronnen", "Bronnen, dataversie en licentie", source_table_rows(b),
                  [2.0, 3.9, 2.5, 1.2, 1.0, 1.53], LICENCE_TEXT, size=10, notes=b.deck.version.text)
    return d.finish()


# ---------------------------------------------------------------------------------------------- PDF

def _pdf_class():
    from fpdf import FPDF

    class BriefingPDF(FPDF):
        footer_text = ""

        def footer(self):
            self.set_y(-13)
            self.set_font("DejaVu", "", 8)
            self.set_text_color(61, 61, 61)
            self.cell(0, 5, f"{self.footer_text} · pagina {self.page_no()} van {{nb}}", align="C")

    return BriefingPDF


def _hex(h: str) -> tuple[int, int, int]:
    h = h.lstrip("#")
    return int(h[0:2], 16), int(h[2:4], 16), int(h[4:6], 16)


def to_pdf(b: Briefing) -> bytes:
    from fpdf.fonts import FontFace

    pdf = _pdf_class()(orientation="portrait", unit="mm", format="A4")
    pdf.footer_text = f"{b.title} · {b.date_text} · database van {b.deck.version.built_text}"
    pdf.add_font("DejaVu", "", str(FONT_DIR / "DejaVuSans.ttf"))
    pdf.add_font("DejaVu", "B", str(FONT_DIR / "DejaVuSans-Bold.ttf"))
    pdf.add_font("DejaVu", "I", str(FONT_DIR / "DejaVuSans-Oblique.ttf"))
    pdf.set_title(f"{b.title} — {SUBTITLE} {b.date_text}")
    pdf.set_author("Gemeente Maastricht — Wijkmonitor Veerkrachtige Wijken")
    pdf.set_subject("Briefing Veerkrachtige Wijken")
    pdf.set_lang("nl-NL")
    pdf.set_creation_date(dt.datetime.combine(b.deck.date, dt.time(12, 0), tzinfo=dt.timezone.utc))
    pdf.set_auto_page_break(True, margin=18)
    pdf.set_margins(18, 16, 18)
    W = pdf.w - 36
    ink, muted, accent = _hex(INK), _hex(MUTED), _hex(ACCENT)

    def para(text, size=10.5, style="", colour=ink, h=None, gap=1.5):
        pdf.set_font("DejaVu", style, size)
        pdf.set_text_color(*colour)
        pdf.multi_cell(W, h or size * 0.5, text, new_x="LMARGIN", new_y="NEXT", align="L")
        pdf.ln(gap)

    def heading(text, size=16, colour=ink):
        pdf.set_font("DejaVu", "B", size)
        pdf.set_text_color(*colour)
        pdf.multi_cell(W, size * 0.5, text, new_x="LMARGIN", new_y="NEXT", align="L")
        pdf.ln(2)

    def ensure(space_mm):
        if pdf.get_y() + space_mm > pdf.h - 20:
            pdf.add_page()

    def image(fig: Figure, max_w, max_h):
        w, h = fig.size
        scale = min(max_w / w, max_h / h)
        ensure(h * scale + 8)
        x = pdf.l_margin
        pdf.image(io.BytesIO(fig.png), x=x, y=pdf.get_y(), w=w * scale, h=h * scale, alt_text=fig.alt,
                  title=fig.title)
        pdf.set_y(pdf.get_y() + h * scale + 1.5)
        para(fig.source, 8.5, colour=muted)

    def table(rows, widths, size=9):
        pdf.set_font("DejaVu", "", size)
        pdf.set_text_color(*ink)
        pdf.set_fill_color(255, 255, 255)  # the table's unfilled rows take the current fill colour
        head = FontFace(emphasis="BOLD", color=(255, 255, 255), fill_color=accent)
        with pdf.table(col_widths=widths, width=W, text_align="LEFT", line_height=size * 0.5,
                       headings_style=head, cell_fill_color="#EEF2F6", cell_fill_mode="ROWS",
                       borders_layout="HORIZONTAL_LINES", padding=1.2) as t:
            for row in rows:
                r = t.row()
                for v in row:
                    r.cell(str(v))
        pdf.ln(3)

    # cover
    pdf.add_page()
    para(SUBTITLE, 12, "B", accent)
    heading(b.title, 22)
    para(f"Stand van zaken op {b.date_text}", 13)
    para(f"Presentatie: {b.deck_name}.", 10.5, colour=muted)
    para("Dataversie: " + b.deck.version.text, 10.5, colour=muted)
    para("De cijfers in deze briefing zijn dezelfde als in de Wijkmonitor op het moment van maken; bij elk cijfer "
         "staan het jaar en de bron. Een verandering binnen de marge telt niet als vooruitgang.", 10.5)
    if b.map_figure:
        image(b.map_figure, W * 0.75, 120)
        para(b.map_text, 10)
    # deck slides
    pdf.add_page()
    heading("Kerncijfers", 18, accent)
    for i, s in enumerate(b.deck.slides):
        fig = b.slide_figures.get(i)
        ensure(150 if fig is not None else 70)  # keep a slide's numbers, text and chart on one page
        para(s.question, 10, "B", accent, gap=0.5)
        heading(s.title, 14)
        if s.numbers:
            ncol = len(s.numbers)
            gap = 4
            cw = (W - gap * (ncol - 1)) / ncol
            y = pdf.get_y()
            heights = []
            for j, num in enumerate(s.numbers):
                x = pdf.l_margin + j * (cw + gap)
                pdf.set_xy(x + 2.5, y)
                pdf.set_font("DejaVu", "B", 9.5)
                pdf.set_text_color(*ink)
                pdf.multi_cell(cw - 2.5, 4.4, " · ".join(v for v in (num.area, num.label) if v), new_x="LEFT",
                               new_y="NEXT", align="L")
                pdf.set_x(x + 2.5)
                pdf.set_font("DejaVu", "B", 18)
                pdf.multi_cell(cw - 2.5, 8, num.value, new_x="LEFT", new_y="NEXT", align="L")
                pdf.set_x(x + 2.5)
                pdf.set_font("DejaVu", "", 8.5)
                pdf.set_text_color(*muted)
                meta = " · ".join(v for v in (num.year, num.source) if v) + (f"\n{num.note}" if num.note else "")
                pdf.multi_cell(cw - 2.5, 4, meta, new_x="LEFT", new_y="NEXT", align="L")
                heights.append(pdf.get_y() - y)
            hmax = max(heights)
            for j, num in enumerate(s.numbers):
                x = pdf.l_margin + j * (cw + gap)
                colour = colour_for(num.area_code, 3) if num.area_code in (*FOCUS_AREAS, MAASTRICHT) else ACCENT
                pdf.set_fill_color(*_hex(colour))
                pdf.rect(x, y, 1.2, hmax, style="F")
            pdf.set_xy(pdf.l_margin, y + hmax + 2)
        para(s.text, 10.5)
        for bl in s.bullets:
            para("• " + bl, 9.5, gap=0.3)
        if fig is not None:
            image(fig, W * 0.8, 85)
        elif s.source_line:
            para(s.source_line, 8.5, colour=muted)
        para("Toelichting: " + s.notes.replace("\n\n", "\n"), 8.5, colour=muted, h=4)
        pdf.ln(3)
    # overview
    pdf.add_page()
    heading("Overzicht per pijler", 18, accent)
    para("Per indicator de meest recente meting (jaar tussen haakjes als het afwijkt) voor Nazareth en Pottenberg, "
         "met Maastricht en Nederland ter vergelijking; dezelfde cijfers als op de pagina Overzicht.", 10)
    for p in PILLAR_ORDER[:3]:
        ensure(40)
        heading(b.pillar_labels[p], 13)
        table(overview_table_rows(b, p), (30, 8, 13, 13, 13, 13, 28), size=8.5)
        srcs = sorted({r.sources for r in b.overview if r.pillar == p})
        para("Bron: " + "; ".join(srcs) + ", CC BY 4.0", 8.5, colour=muted)
    # targets
    ensure(40)
    heading("Doelen", 18, accent)
    if b.targets:
        table(target_table_rows(b), (24, 14, 14, 16, 14, 14, 16), size=8.5)
        for t in b.targets:
            para(f"{t.metric} — {t.area}: {t.explanation}", 9)
    else:
        para("Er zijn nog geen doelen vastgesteld. Doelen worden vastgelegd op de pagina Doelen; de status wordt "
             "berekend uit de data, nooit met de hand ingevuld.", 10.5)
    # trends
    pdf.add_page()
    heading("Trends", 18, accent)
    para("Kernindicatoren van de drie pijlers: Nazareth, Pottenberg, Maastricht en Nederland. Punten zijn metingen; "
         "waar een meting ontbreekt, loopt de lijn niet door.", 10)
    for f in b.trend_figures:
        ensure(95)
        para(f.title, 11, "B", gap=0.5)
        image(f, W, 80)
    # map and sources
    if b.map_figure:
        pdf.add_page()
        heading("Kaart", 18, accent)
        para(b.map_text, 10.5)
        image(b.map_figure, W, 160)
    ensure(60)
    heading("Bronnen, dataversie en licentie", 18, accent)
    para(b.deck.version.text, 10)
    table(source_table_rows(b), (22, 52, 36, 22, 18, 24), size=8)
    para(LICENCE_TEXT, 9.5)
    return bytes(pdf.output())


# ---------------------------------------------------------------------------------------------- one click

@dataclass
class Export:
    pptx: bytes
    pdf: bytes
    briefing: Briefing
    seconds: dict[str, float]


def export(inp: Inputs) -> Export:
    """Both files in one go (the page's single button); timings per step for the benchmark."""
    t0 = time.perf_counter()
    b = assemble(inp)
    t1 = time.perf_counter()
    pptx = to_pptx(b)
    t2 = time.perf_counter()
    pdf = to_pdf(b)
    t3 = time.perf_counter()
    secs = {**b.seconds, "pptx": t2 - t1, "pdf": t3 - t2, "totaal": t3 - t0}
    return Export(pptx, pdf, b, secs)


def file_stem(today: dt.date) -> str:
    return f"briefing-veerkrachtige-wijken-{today.isoformat()}"
