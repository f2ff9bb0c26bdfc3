"""Overzicht: the wethouder's one-page briefing for Nazareth and Pottenberg."""
from __future__ import annotations

import datetime as dt

import streamlit as st

from models.overzicht import overzicht_model
from ui import auth, cards, components, state

model = overzicht_model(state.engine(), state.catalog(), state.build_info(), state.targets_frame(),
                        state.participation_frame(), dt.date.today(), state.decided_proposal_keys(),
                        state.own_measurements(include_intern=auth.current_editor() is not None))

st.title("Veerkrachtige Wijken: Nazareth en Pottenberg")
st.markdown(
    "Hoe staan de twee buurten ervoor op de drie pijlers van het programma? Per indicator het meest recente "
    "cijfer, de verandering sinds de eerste meting en de vergelijking met Maastricht en Nederland. "
    "**Eerst wat goed gaat, daarna de aandachtspunten.** Een verandering binnen de marge telt niet als vooruitgang."
)

for col, h in zip(st.columns(len(model.headlines)), model.headlines):
    col.metric(h.label, h.value, help=h.help)
st.caption(model.data_period)

# One pillar at a time (the tab is in the URL): only the open pillar's cards are drawn.
tabs = components.on_request_tabs([b.label for b in model.pillars], key="pijler")
for tab, block in zip(tabs, model.pillars):
    if tab.open is False:
        continue
    with tab:
        st.caption(block.description)
        if block.no_outcome:
            st.info(block.no_outcome)
        for line in block.freshness:
            st.caption(line)
        shown = [(name, cs) for name, cs in block.cards if cs]  # a pillar without an outcome figure: no columns
        for col, (area_name, area_cards) in zip(st.columns(len(shown)) if shown else (), shown):
            with col:
                st.subheader(area_name)
                for c in area_cards:
                    cards.card(c)
        own_cards = model.own.get(block.pillar, ())
        if own_cards:
            st.markdown("**Eigen metingen van het programma** — registers, partners en bewonerspeilingen: "
                        "recenter dan de CBS-cijfers, met hun 95%-interval.")
            for col, area_name in zip(st.columns(len(model.own_areas)), model.own_areas):
                col.markdown(f"*{area_name}*")
            for row in own_cards:  # one indicator per row, the buurten side by side
                for col, c, area_name in zip(st.columns(len(model.own_areas)), row, model.own_areas):
                    with col:
                        if c is None:
                            st.caption(f"Geen eigen meting voor {area_name}.")
                        else:
                            cards.own_card(c)
            if model.own_note:
                st.caption(model.own_note)
        if block.missing:
            st.info(block.missing)

st.divider()
st.subheader("Doelen en deelname")
c1, c2 = st.columns(2)
c1.markdown(model.targets_text)
c2.markdown(model.participation_text)
if model.proposals_table is not None:
    st.table(model.proposals_table.set_index("Buurt"))
    st.caption(model.proposals_caption)

components.source_line(model.sources, "modelschattingen RIVM (50090NED) hebben een marge; zie Data en methode")
