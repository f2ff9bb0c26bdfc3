"""The briefing as an editable PowerPoint (python-pptx), from the document model (reports/model.py)."""
from __future__ import annotations

import functools
import io
from pathlib import Path

from metrics.briefing import FOCUS_AREAS, MAASTRICHT, PILLAR_ORDER
from charts.palette import colour_for
from wording import slides

from .model import (LICENCE_TEXT, OWN_INTRO, SUBTITLE, Briefing, Figure, licence_text, overview_table_rows,
                    source_table_rows, target_table_rows)

FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")


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


def _one_line(nums, w, value_size) -> bool:
    """Every figure ("14,7 per 1.000") on one line of its tile at this size (release words may wrap)."""
    return all(len(wrap_lines(n.value, value_size, True, w - 0.2 - 2 * PAD_X)) == 1 for n in nums
               if n.kind != "kalender")


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
            if y0 + need <= y1 and _one_line(s.numbers, col, value_size):
                break
        y = y0
        for n in s.numbers:
            y = _tile(sl, n, LEFT, y, col, value_size) + 0.15
        _picture(sl, fig, LEFT + col + 0.3, y0, WIDTH - col - 0.3, y1 - y0)
    elif s.numbers:
        k = len(s.numbers)
        w = (WIDTH - 0.3 * (k - 1)) / k
        for value_size in (44, 36, 30):
            if max(_tile_height(n, w, value_size) for n in s.numbers) <= y1 - y0 and _one_line(s.numbers, w, value_size):
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


def to_pptx(b: Briefing) -> bytes:
    d = _Deck(b)
    d.prs.core_properties.title = f"{b.title} — {SUBTITLE}"
    d.prs.core_properties.language = "nl-NL"
    d.prs.core_properties.subject = f"Briefing {b.date_text}"
    # cover
    sl = d.new(LICENCE_TEXT, slides.version_text(b.deck.version))
    y = _text(sl, LEFT, 0.45, WIDTH, SUBTITLE, 20, True, ACCENT)
    y = _text(sl, LEFT, y, WIDTH, b.title, 34, True) + 0.25
    col = 7.0 if b.map_figure else WIDTH
    y = _text(sl, LEFT, y, col, f"Stand van zaken op {b.date_text}", 22) + 0.15
    y = _text(sl, LEFT, y, col, f"Presentatie: {b.deck_name}.", 15, colour=MUTED) + 0.05
    y = _text(sl, LEFT, y, col, f"Dataversie: {slides.version_text(b.deck.version)}", 15, colour=MUTED) + 0.15
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
    # appendix: the own measurements per pillar (after the three CBS overviews)
    for t in b.own:
        _table_slides(d, "Bijlage: eigen metingen", f"{t.label}: eigen metingen", t.rows,
                      [2.7, 1.35, 1.05, 1.45, 1.85, 2.35, 1.38], t.source, size=12,
                      notes=OWN_INTRO + (" " + b.own_note if b.own_note else ""),
                      after=OWN_INTRO + (" " + b.own_note if b.own_note else ""))
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
                  [2.0, 3.9, 2.5, 1.2, 1.0, 1.53], licence_text(b), size=10, notes=slides.version_text(b.deck.version))
    return d.finish()


