"""The briefing as PDF (fpdf2, DejaVu), from the document model (reports/model.py)."""
from __future__ import annotations

import datetime as dt
import io

from metrics.briefing import FOCUS_AREAS, MAASTRICHT, PILLAR_ORDER
from charts.palette import colour_for
from wording import slides

from .model import (OWN_INTRO, SUBTITLE, Briefing, Figure, licence_text, overview_table_rows, source_table_rows,
                    target_table_rows)
from .pptx import ACCENT, FONT_DIR, INK, MUTED


PADDING = 1.2

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


def new_pdf(title: str, subject: str, date: dt.date, footer: str):
    """An A4 portrait document with DejaVu fonts, Dutch language and metadata, and a footer line."""
    pdf = _pdf_class()(orientation="portrait", unit="mm", format="A4")
    pdf.footer_text = footer
    pdf.add_font("DejaVu", "", str(FONT_DIR / "DejaVuSans.ttf"))
    pdf.add_font("DejaVu", "B", str(FONT_DIR / "DejaVuSans-Bold.ttf"))
    pdf.add_font("DejaVu", "I", str(FONT_DIR / "DejaVuSans-Oblique.ttf"))
    pdf.set_title(title)
    pdf.set_author("Gemeente Maastricht — Wijkmonitor Veerkrachtige Wijken")
    pdf.set_subject(subject)
    pdf.set_lang("nl-NL")
    pdf.set_creation_date(dt.datetime.combine(date, dt.time(12, 0), tzinfo=dt.timezone.utc))
    pdf.set_auto_page_break(True, margin=18)
    pdf.set_margins(18, 16, 18)
    return pdf


def safe_widths(pdf, rows: list[list[str]], weights, total: float, size: float,
                padding: float = PADDING) -> tuple[list[float], float]:
    """Column widths in mm, proportional to `weights` but never narrower than the longest word of the column
    (bold in the header row), so a table never breaks inside a word; the type shrinks (to 6 pt) when even the
    longest words do not fit side by side. Returns (widths, font size)."""
    n = len(weights)
    while True:
        mins = []
        for j in range(n):
            w = 0.0
            for i, row in enumerate(rows):
                pdf.set_font("DejaVu", "B" if i == 0 else "", size)
                for word in str(row[j]).split():
                    w = max(w, pdf.get_string_width(word))
            mins.append(w + 2 * padding + 0.6)
        if sum(mins) <= total or size <= 6:
            break
        size -= 0.5
    fixed: dict[int, float] = {}
    while True:
        free = [j for j in range(n) if j not in fixed]
        rest = total - sum(fixed.values())
        share = {j: rest * weights[j] / sum(weights[k] for k in free) for j in free} if free else {}
        low = [j for j in free if share[j] < mins[j]]
        if not low:
            return [fixed.get(j, share.get(j, 0.0)) for j in range(n)], size
        for j in low:
            fixed[j] = mins[j]


def draw_table(pdf, rows: list[list[str]], weights, total: float, size: float = 9) -> None:
    """A table with a coloured header row, zebra rows and horizontal lines; words are never broken."""
    from fpdf.fonts import FontFace

    widths, size = safe_widths(pdf, rows, weights, total, size)
    pdf.set_font("DejaVu", "", size)
    pdf.set_text_color(*_hex(INK))
    pdf.set_fill_color(255, 255, 255)  # the table's unfilled rows take the current fill colour
    head = FontFace(emphasis="BOLD", color=(255, 255, 255), fill_color=_hex(ACCENT))
    with pdf.table(col_widths=widths, width=total, text_align="LEFT", line_height=size * 0.5,
                   headings_style=head, cell_fill_color="#EEF2F6", cell_fill_mode="ROWS",
                   borders_layout="HORIZONTAL_LINES", padding=PADDING) as t:
        for row in rows:
            r = t.row()
            for v in row:
                r.cell(str(v))


class _Writer:
    """Paragraphs, headings, images, tables and rows of big numbers on an A4 page, with page breaks."""

    def __init__(self, pdf):
        self.pdf = pdf
        self.W = pdf.w - pdf.l_margin - pdf.r_margin
        self.ink, self.muted, self.accent = _hex(INK), _hex(MUTED), _hex(ACCENT)

    def para(self, text, size=10.5, style="", colour=None, h=None, gap=1.5):
        pdf = self.pdf
        pdf.set_font("DejaVu", style, size)
        pdf.set_text_color(*(colour or self.ink))
        pdf.multi_cell(self.W, h or size * 0.5, text, new_x="LMARGIN", new_y="NEXT", align="L")
        pdf.ln(gap)

    def heading(self, text, size=16, colour=None):
        pdf = self.pdf
        pdf.set_font("DejaVu", "B", size)
        pdf.set_text_color(*(colour or self.ink))
        pdf.multi_cell(self.W, size * 0.5, text, new_x="LMARGIN", new_y="NEXT", align="L")
        pdf.ln(2)

    def ensure(self, space_mm):
        if self.pdf.get_y() + space_mm > self.pdf.h - 20:
            self.pdf.add_page()

    def image(self, fig: Figure, max_w, max_h):
        pdf = self.pdf
        w, h = fig.size
        scale = min(max_w / w, max_h / h)
        self.ensure(h * scale + 8)
        pdf.image(io.BytesIO(fig.png), x=pdf.l_margin, y=pdf.get_y(), w=w * scale, h=h * scale, alt_text=fig.alt,
                  title=fig.title)
        pdf.set_y(pdf.get_y() + h * scale + 1.5)
        self.para(fig.source, 8.5, colour=self.muted)

    def table(self, rows, widths, size=9):
        draw_table(self.pdf, rows, widths, self.W, size)
        self.pdf.ln(3)

    def numbers(self, nums):
        """A slide's big numbers side by side, each with a colour stripe (the buurt's colour)."""
        pdf = self.pdf
        gap = 4
        cw = (self.W - gap * (len(nums) - 1)) / len(nums)
        y = pdf.get_y()
        heights = []
        size = 18  # the largest size (down to 13 pt) at which every figure stays on one line
        pdf.set_font("DejaVu", "B", size)
        while size > 13 and any(pdf.get_string_width(n.value) > cw - 3.5 for n in nums if n.kind != "kalender"):
            size -= 1
            pdf.set_font("DejaVu", "B", size)
        for j, num in enumerate(nums):
            x = pdf.l_margin + j * (cw + gap)
            pdf.set_xy(x + 2.5, y)
            pdf.set_font("DejaVu", "B", 9.5)
            pdf.set_text_color(*self.ink)
            pdf.multi_cell(cw - 2.5, 4.4, " · ".join(v for v in (num.area, num.label) if v), new_x="LEFT",
                           new_y="NEXT", align="L")
            pdf.set_x(x + 2.5)
            pdf.set_font("DejaVu", "B", size)
            pdf.multi_cell(cw - 2.5, 8 * size / 18, num.value, new_x="LEFT", new_y="NEXT", align="L")
            pdf.set_x(x + 2.5)
            pdf.set_font("DejaVu", "", 8.5)
            pdf.set_text_color(*self.muted)
            meta = " · ".join(v for v in (num.year, num.source) if v) + (f"\n{num.note}" if num.note else "")
            pdf.multi_cell(cw - 2.5, 4, meta, new_x="LEFT", new_y="NEXT", align="L")
            heights.append(pdf.get_y() - y)
        hmax = max(heights)
        for j, num in enumerate(nums):
            colour = colour_for(num.area_code, 3) if num.area_code in (*FOCUS_AREAS, MAASTRICHT) else ACCENT
            pdf.set_fill_color(*_hex(colour))
            pdf.rect(pdf.l_margin + j * (cw + gap), y, 1.2, hmax, style="F")
        pdf.set_xy(pdf.l_margin, y + hmax + 2)


def _cover(w: _Writer, b: Briefing) -> None:
    w.pdf.add_page()
    w.para(SUBTITLE, 12, "B", w.accent)
    w.heading(b.title, 22)
    w.para(f"Stand van zaken op {b.date_text}", 13)
    w.para(f"Presentatie: {b.deck_name}.", 10.5, colour=w.muted)
    w.para("Dataversie: " + slides.version_text(b.deck.version), 10.5, colour=w.muted)
    w.para("De cijfers in deze briefing zijn dezelfde als in de Wijkmonitor op het moment van maken; bij elk cijfer "
           "staan het jaar en de bron. Een verandering binnen de marge telt niet als vooruitgang.", 10.5)
    if b.map_figure:
        w.image(b.map_figure, w.W * 0.75, 120)
        w.para(b.map_text, 10)


def _deck(w: _Writer, b: Briefing) -> None:
    w.pdf.add_page()
    w.heading("Kerncijfers", 18, w.accent)
    for i, s in enumerate(b.deck.slides):
        fig = b.slide_figures.get(i)
        w.ensure(150 if fig is not None else 70)  # keep a slide's numbers, text and chart on one page
        w.para(s.question, 10, "B", w.accent, gap=0.5)
        w.heading(s.title, 14)
        if s.numbers:
            w.numbers(s.numbers)
        w.para(s.text, 10.5)
        for bl in s.bullets:
            w.para("• " + bl, 9.5, gap=0.3)
        if fig is not None:
            w.image(fig, w.W * 0.8, 85)
        elif s.source_line:
            w.para(s.source_line, 8.5, colour=w.muted)
        w.para("Toelichting: " + s.notes.replace("\n\n", "\n"), 8.5, colour=w.muted, h=4)
        w.pdf.ln(3)


OWN_WIDTHS = (30, 14, 11, 13, 17, 30, 14)


def _own_table(w: _Writer, t, title: str) -> None:
    """A pillar's own measurements under its CBS table, headed as such and with its own source line."""
    w.ensure(30)
    w.para(title, 11, "B", w.accent, gap=0.8)
    w.table(t.rows, OWN_WIDTHS, size=8.5)
    w.para(t.source, 8.5, colour=w.muted)


def _overview_and_targets(w: _Writer, b: Briefing) -> None:
    w.pdf.add_page()
    w.heading("Overzicht per pijler", 18, w.accent)
    w.para("Per indicator de meest recente meting (jaar tussen haakjes als het afwijkt) voor Nazareth en Pottenberg, "
           "met Maastricht en Nederland ter vergelijking; dezelfde cijfers als op de pagina Overzicht.", 10)
    own = {t.pillar: t for t in b.own}
    for p in PILLAR_ORDER[:3]:
        w.ensure(40)
        w.heading(b.pillar_labels[p], 13)
        w.table(overview_table_rows(b, p), (30, 8, 13, 13, 13, 13, 28), size=8.5)
        srcs = sorted({r.sources for r in b.overview if r.pillar == p})
        w.para("Bron: " + "; ".join(srcs) + ", CC BY 4.0", 8.5, colour=w.muted)
        if p in own:
            _own_table(w, own.pop(p), f"{b.pillar_labels[p]}: eigen metingen")
    for t in own.values():  # own measurements of a pillar without a CBS overview (context)
        w.ensure(40)
        _own_table(w, t, f"{t.label}: eigen metingen")
    if b.own:
        w.para(OWN_INTRO + (" " + b.own_note if b.own_note else ""), 8.5, colour=w.muted)
    w.ensure(40)
    w.heading("Doelen", 18, w.accent)
    if b.targets:
        w.table(target_table_rows(b), (24, 14, 14, 16, 14, 14, 16), size=8.5)
        for t in b.targets:
            w.para(f"{t.metric} — {t.area}: {t.explanation}", 9)
    else:
        w.para("Er zijn nog geen doelen vastgesteld. Doelen worden vastgelegd op de pagina Doelen; de status wordt "
               "berekend uit de data, nooit met de hand ingevuld.", 10.5)


def _trends_map_sources(w: _Writer, b: Briefing) -> None:
    w.pdf.add_page()
    w.heading("Trends", 18, w.accent)
    w.para("Kernindicatoren van de drie pijlers: Nazareth, Pottenberg, Maastricht en Nederland. Punten zijn metingen; "
           "waar een meting ontbreekt, loopt de lijn niet door.", 10)
    for f in b.trend_figures:
        w.ensure(95)
        w.para(f.title, 11, "B", gap=0.5)
        w.image(f, w.W, 80)
    if b.map_figure:
        w.pdf.add_page()
        w.heading("Kaart", 18, w.accent)
        w.para(b.map_text, 10.5)
        w.image(b.map_figure, w.W, 160)
    w.ensure(60)
    w.heading("Bronnen, dataversie en licentie", 18, w.accent)
    w.para(slides.version_text(b.deck.version), 10)
    w.table(source_table_rows(b), (22, 52, 36, 22, 18, 24), size=8)
    w.para(licence_text(b), 9.5)


def to_pdf(b: Briefing) -> bytes:
    """Cover with map, the deck's slides, the overview per pillar, targets, trends, map and sources."""
    pdf = new_pdf(f"{b.title} — {SUBTITLE} {b.date_text}", "Briefing Veerkrachtige Wijken", b.deck.date,
                  f"{b.title} · {b.date_text} · database van {slides.built_text(b.deck.version)}")
    w = _Writer(pdf)
    _cover(w, b)
    _deck(w, b)
    _overview_and_targets(w, b)
    _trends_map_sources(w, b)
    return bytes(pdf.output())
