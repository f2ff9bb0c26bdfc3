"""The one-page briefing: exactly one A4 portrait PDF page, or one PowerPoint slide, from wording/onepage.py.

The type shrinks step by step until everything fits on one page (the test checks the page count with pdfinfo);
tables never break inside a word (reports/pdf.py:safe_widths).
"""
from __future__ import annotations

import io

from metrics.slides import Context
from wording import onepage

from .pdf import _hex, draw_table, new_pdf
from .pptx import ACCENT, INK, MUTED, SLIDE_H, SLIDE_W, _text

SCALES = (1.0, 0.94, 0.88, 0.82, 0.76, 0.7, 0.64)
TABLE_HEAD = ["Pijler", "Indicator", "Cijfer", "Maastricht", "Nederland", "Verandering sinds de eerste meting",
              "Positie t.o.v. Maastricht / Nederland"]
TABLE_WEIGHTS = (11, 27, 12, 11, 11, 44, 26)
OWN_HEADING = "Eigen metingen van het programma (geen CBS/RIVM)"


def table_rows(block: onepage.Block) -> list[list[str]]:
    return [TABLE_HEAD, *[[h.pillar, h.label, f"{h.value} ({h.year})" if h.year else h.value, h.maastricht,
                           h.nederland, h.change, h.position or "—"] for h in block.headlines]]


def file_stem(today) -> str:
    return f"briefing-een-pagina-{today.isoformat()}"


# ---------------------------------------------------------------------------------------------- PDF

def _pdf(doc: onepage.OnePage, today, k: float):
    pdf = new_pdf(f"{doc.title} — {doc.subtitle} {doc.date_text}", "Briefing Veerkrachtige Wijken (één pagina)",
                  today, f"Wijkmonitor Veerkrachtige Wijken · {doc.date_text} · {doc.version_text}")
    pdf.set_margins(14, 12, 14)
    pdf.set_auto_page_break(True, margin=16)
    pdf.add_page()
    W = pdf.w - 28
    ink, muted, accent = _hex(INK), _hex(MUTED), _hex(ACCENT)

    def para(text, size, style="", colour=ink, gap=1.0, indent=0.0):
        pdf.set_font("DejaVu", style, size * k)
        pdf.set_text_color(*colour)
        pdf.set_x(pdf.l_margin + indent)
        pdf.multi_cell(W - indent, size * k * 0.48, text, new_x="LMARGIN", new_y="NEXT", align="L")
        pdf.ln(gap * k)

    def bullets(title, items, size=8.5):
        para(title, size + 0.5, "B", gap=0.4)
        for it in items:
            para("• " + it, size, gap=0.3, indent=2)
        pdf.ln(0.8 * k)

    def own_box(items, size=8):
        """The own measurements, set apart from the CBS/RIVM table by a stripe in the accent colour."""
        y0 = pdf.get_y()
        para(OWN_HEADING, size + 0.5, "B", gap=0.3, indent=3)
        for it in items:
            para("• " + it, size, gap=0.2, indent=4.5)
        pdf.set_fill_color(*accent)
        pdf.rect(pdf.l_margin, y0, 1.0, pdf.get_y() - y0, style="F")
        pdf.ln(1.2 * k)

    para(doc.subtitle, 10, "B", accent, gap=0.5)
    para(doc.title, 17, "B", gap=0.8)
    para(f"Stand van zaken op {doc.date_text} · {doc.version_text}", 9.5, colour=muted, gap=2.5)
    for b in doc.blocks:
        para(f"{b.name} — {b.inhabitants}", 12.5, "B", accent, gap=1.0)
        draw_table(pdf, table_rows(b), TABLE_WEIGHTS, W, 8 * k)
        pdf.ln(1.5 * k)
        if b.own:
            own_box(b.own)
        bullets("Wat goed gaat", b.strengths or ("Geen indicator met een duidelijke kracht of vooruitgang.",))
        bullets("Aandachtspunten", b.attention or ("Geen indicator met een duidelijke achterstand of achteruitgang.",))
        pdf.ln(1.0 * k)
    bullets("Doelen", doc.targets)
    bullets("Volgende cijfers", doc.next_data)
    para(doc.note, 7.5, colour=muted, gap=0.6)
    para(doc.sources, 7.5, colour=muted, gap=0)
    return pdf


def to_pdf(doc: onepage.OnePage, today) -> bytes:
    """Exactly one A4 page: the largest type at which everything fits."""
    for k in SCALES:
        pdf = _pdf(doc, today, k)
        if pdf.pages_count == 1:
            return bytes(pdf.output())
    raise ValueError("De briefing past niet op één pagina, ook niet met de kleinste letter.")


# ---------------------------------------------------------------------------------------------- PPTX

LEFT, WIDTH, GAP = 0.45, 12.43, 0.35


def _headline_text(h: onepage.Headline) -> str:
    year = f" ({h.year})" if h.year else ""
    pos = h.position.split(" / ") if h.position else ["", ""]
    refs = ", ".join(f"{name} {v}" + (f" ({p})" if p and p != "—" else "")
                     for name, v, p in (("Maastricht", h.maastricht, pos[0]), ("Nederland", h.nederland, pos[-1])))
    return f"{h.pillar} · {h.label}: {h.value}{year}\n{h.change[:1].upper()}{h.change[1:]}. {refs}."


def _column_parts(b: onepage.Block) -> list[tuple[str, float, bool, str]]:
    parts = [(f"{b.name} — {b.inhabitants}", 17, True, ACCENT)]
    parts += [(_headline_text(h), 11.5, False, INK) for h in b.headlines]
    if b.own:
        parts.append((OWN_HEADING, 12, True, ACCENT))
        parts += [("• " + s, 10.5, False, INK) for s in b.own]
    parts.append(("Wat goed gaat", 12, True, INK))
    parts += [("• " + s, 11, False, INK) for s in (b.strengths or ("geen duidelijke kracht of vooruitgang",))]
    parts.append(("Aandachtspunten", 12, True, INK))
    parts += [("• " + s, 11, False, INK) for s in (b.attention or ("geen duidelijke achterstand",))]
    return parts


def _slide(doc: onepage.OnePage, k: float):
    from pptx import Presentation
    from pptx.util import Inches

    prs = Presentation()
    prs.slide_width, prs.slide_height = Inches(SLIDE_W), Inches(SLIDE_H)
    prs.core_properties.title = f"{doc.title} — {doc.subtitle}"
    prs.core_properties.language = "nl-NL"
    sl = prs.slides.add_slide(prs.slide_layouts[6])
    y = _text(sl, LEFT, 0.25, WIDTH, f"{doc.subtitle} · stand van zaken op {doc.date_text}", 14 * k, True, ACCENT)
    y = _text(sl, LEFT, y, WIDTH, doc.title, 24 * k, True) + 0.1
    col = (WIDTH - GAP) / 2
    bottom = y
    for i, b in enumerate(doc.blocks[:2]):
        yy = y
        for text, size, bold, colour in _column_parts(b):
            yy = _text(sl, LEFT + i * (col + GAP), yy, col, text, size * k, bold, colour) + 0.04
        bottom = max(bottom, yy)
    y = bottom + 0.1
    y2 = y
    y = _text(sl, LEFT, y, col, "Doelen", 12 * k, True)
    for t in doc.targets:
        y = _text(sl, LEFT, y, col, "• " + t, 10.5 * k)
    y2 = _text(sl, LEFT + col + GAP, y2, col, "Volgende cijfers", 12 * k, True)
    for t in doc.next_data:
        y2 = _text(sl, LEFT + col + GAP, y2, col, "• " + t, 10.5 * k)
    y = max(y, y2) + 0.08
    y = _text(sl, LEFT, y, WIDTH, f"{doc.note} {doc.sources} {doc.version_text[:1].upper()}{doc.version_text[1:]}.",
              9 * k, colour=MUTED)
    sl.notes_slide.notes_text_frame.text = doc.note
    return prs, y


def to_pptx(doc: onepage.OnePage) -> bytes:
    """One slide: the largest type at which everything fits above the bottom edge."""
    for k in SCALES:
        prs, bottom = _slide(doc, k)
        if bottom <= SLIDE_H - 0.2:
            buf = io.BytesIO()
            prs.save(buf)
            return buf.getvalue()
    raise ValueError("De briefing past niet op één dia, ook niet met de kleinste letter.")


def make(ctx: Context) -> tuple[onepage.OnePage, bytes, bytes]:
    """The model, the PDF and the PPTX from one computation."""
    doc = onepage.build(ctx)
    return doc, to_pdf(doc, ctx.today), to_pptx(doc)
