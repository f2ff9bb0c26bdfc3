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


def proposal_block(title: str, caption: str, badge: str, items, editor: bool, on_decide, key_prefix: str = "") -> None:
    """One bordered block of target proposals (a CBS metric or an own indicator, one area): the heading with its
    caption, one column per proposal (rule, text, target, milestones, measurability) and, for an editor, the
    buttons that adopt or reject it: ``on_decide("adopt" | "reject", item.key)``. One Markdown element per
    heading and per proposal (not one per line): light for the browser."""
    with st.container(border=True):
        st.markdown(f"**{title}** &nbsp; :orange-badge[{badge}]\n\n"
                    f"<div class='wm-meta'>{html.escape(caption)}</div>", unsafe_allow_html=True)
        for col, item in zip(st.columns(len(items)), items):
            with col:
                icon = ":material/visibility:" if item.measurable else ":material/visibility_off:"
                st.markdown("\n\n".join([f"**Voorstel: {item.rule_label}**",
                                          f"<div class='wm-meta'>{html.escape(item.rule_text)}</div>",
                                          f"Voorstel: **{item.target}**",
                                          *([item.milestones] if item.milestones else []),
                                          f"{icon} {item.measurable_text}"]), unsafe_allow_html=True)
                if editor:
                    b1, b2 = st.columns(2)
                    if b1.button("Voorstel overnemen", key=f"{key_prefix}adopt_{item.key}", type="primary",
                                 icon=":material/check:"):
                        on_decide("adopt", item.key)
                    if b2.button("Voorstel afwijzen", key=f"{key_prefix}reject_{item.key}", icon=":material/close:"):
                        on_decide("reject", item.key)


def figures_row(figures) -> None:
    """A target card's figures, ``[(label, value), ...]``, in one wrapping row: at 1280 px a long value or label
    goes to the next line instead of running into the next column (CSS .wm-figures in ui/components.py)."""
    st.markdown("<div class='wm-figures'>" + "".join(
        f"<div class='wm-figure'><div class='wm-meta'>{html.escape(label)}</div>"
        f"<div class='wm-value'>{html.escape(value)}</div></div>" for label, value in figures)
        + "</div>", unsafe_allow_html=True)
