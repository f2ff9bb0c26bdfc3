"""The briefing as PDF (fpdf2, DejaVu), from the document model (reports/model.py)."""
from __future__ import annotations

import datetime as dt
import io

from metrics.briefing import FOCUS_AREAS, MAASTRICHT, PILLAR_ORDER
from ui.palette import colour_for
from wording import slides

from .model import LICENCE_TEXT, SUBTITLE, Briefing, Figure, overview_table_rows, source_table_rows, target_table_rows
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


def to_pdf(b: Briefing) -> bytes:
    pdf = new_pdf(f"{b.title} — {SUBTITLE} {b.date_text}", "Briefing Veerkrachtige Wijken", b.deck.date,
                  f"{b.title} · {b.date_text} · database van {slides.built_text(b.deck.version)}")
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
        draw_table(pdf, rows, widths, W, size)
        pdf.ln(3)

    # cover
    pdf.add_page()
    para(SUBTITLE, 12, "B", accent)
    heading(b.title, 22)
    para(f"Stand van zaken op {b.date_text}", 13)
    para(f"Presentatie: {b.deck_name}.", 10.5, colour=muted)
    para("Dataversie: " + slides.version_text(b.deck.version), 10.5, colour=muted)
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
    para(slides.version_text(b.deck.version), 10)
    table(source_table_rows(b), (22, 52, 36, 22, 18, 24), size=8)
    para(LICENCE_TEXT, 9.5)
    return bytes(pdf.output())


