"""The Overzicht page's briefing card: title, value with year, one comparison sentence (change with the city
beside it, position), source. Words from wording/cards.py; numbers from metrics/briefing.py."""
from __future__ import annotations

import html

import streamlit as st

from metrics.briefing import Card
from models.own import OwnCard
from wording.cards import card_text
from wording.change import TONE_LABEL


def card(c: Card) -> None:
    """One card, written as a single Markdown block (title, value with year, one comparison sentence, source):
    one element for the browser to draw instead of five. Each unit is said once (wording.cards)."""
    m = c.metric
    t = card_text(c)
    parts = [f"**{html.escape(t.title)}** &nbsp; <span class='wm-tag'>{TONE_LABEL[c.tone]}</span>",
             f"<div class='wm-value'>{html.escape(t.value)}"
             + (f" <span class='wm-meta'>({html.escape(t.year)})</span>" if t.year else "") + "</div>",
             html.escape(t.sentence)]
    if m.direction == "neutral":
        parts.append("<div class='wm-meta'>geen richting goed of slecht</div>")
    parts.append(f"<div class='wm-source'>{html.escape(t.source)}</div>")
    with st.container(border=True):
        st.markdown("\n\n".join(parts), unsafe_allow_html=True)


def own_card(c: OwnCard) -> None:
    """An own measurement's card: title, value with period and its 95% interval, the change against the first
    period (same rule as the CBS cards), and its provenance as *eigen meting* (bron, periode, n)."""
    tag = "eigen meting" + (" · intern" if c.indicator.zichtbaarheid == "intern" else "")
    parts = [f"**{html.escape(c.indicator.label)}** &nbsp; <span class='wm-tag'>{tag}</span>",
             f"<div class='wm-value'>{html.escape(c.value)} <span class='wm-meta'>({html.escape(c.periode)})</span></div>"]
    if c.withheld:
        parts.append("niet getoond: te weinig waarnemingen om het cijfer te tonen zonder dat het herleidbaar is")
    else:
        if c.interval:
            parts.append(html.escape(c.interval))
        if c.change:
            parts.append(html.escape(c.change))
    if c.indicator.richting == "neutraal":
        parts.append("<div class='wm-meta'>geen richting goed of slecht</div>")
    parts.append(f"<div class='wm-source'>{html.escape(c.provenance)}</div>")
    with st.container(border=True):
        st.markdown("\n\n".join(parts), unsafe_allow_html=True)
