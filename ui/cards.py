"""The Overzicht page's briefing card: value, the plain-Dutch sentence (change with the city beside it),
position, source. Words from wording/change.py; numbers from metrics/briefing.py."""
from __future__ import annotations

import html

import streamlit as st

from metrics import fmt
from metrics.briefing import Card
from wording.change import TONE_LABEL, card_sentence


def card(c: Card) -> None:
    """One card, written as a single Markdown block (label, value, sentence, position, source): one element for
    the browser to draw instead of five."""
    m = c.metric
    value = fmt.value(c.latest.value, m.unit) if c.latest is not None else "geen gegevens"
    parts = [f"**{html.escape(m.label)}** &nbsp; <span class='wm-tag'>{TONE_LABEL[c.tone]}</span>",
             f"<div class='wm-value'>{html.escape(value)}</div>", card_sentence(c)]
    bits = [f"Positie: {x.label}" if i == 0 else x.label
            for i, x in enumerate((c.vs_maastricht, c.vs_nederland)) if x.diff is not None]
    if m.direction == "neutral":
        bits.append("geen richting goed of slecht")
    if bits:
        parts.append(f"<div class='wm-meta'>{html.escape(' · '.join(bits))}</div>")
    srcs = c.latest.sources if c.latest else m.sources
    caveats = "; ".join(m.caveats)
    parts.append(f"<div class='wm-source'>Bron: {html.escape(', '.join(srcs))}"
                 + (f" · {html.escape(caveats)}" if caveats else "") + "</div>")
    with st.container(border=True):
        st.markdown("\n\n".join(parts), unsafe_allow_html=True)
