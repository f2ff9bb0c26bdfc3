"""Successen en tegenvallers: what moved beyond the margin since the first measurement, both sides equal."""
from __future__ import annotations

import streamlit as st

from models.successen import successen_model
from ui import auth, components, state
from ui.own_lines import own_list

model = successen_model(state.engine(), state.catalog(),
                        state.own_measurements(include_intern=auth.current_editor() is not None))

st.title("Successen en tegenvallers")
st.markdown("Alle indicatoren die sinds de eerste meting méér veranderden dan de marge, voor elk van de twee "
            "buurten. Verbeteringen en verslechteringen staan naast elkaar, even groot, telkens met de verandering "
            "van Maastricht in dezelfde jaren ernaast. Is het verschil tussen de verandering van de buurt en die van "
            "de stad kleiner dan de gecombineerde marge, dan staat er *niet aantoonbaar anders dan Maastricht*. "
            "Elke regel noemt de periode en of die vóór of na de start van het programma ligt, en of het cijfer "
            "een modelschatting is. Veranderingen binnen de marge staan apart: daar kunnen we (nog) niets over "
            "zeggen.")
if model.own_text:
    st.markdown(model.own_text)

# One buurt at a time (the tab is in the URL): a projector shows one list, a link opens the same buurt.
for tab, area in zip(components.on_request_tabs([a.name for a in model.areas], key="focusbuurt"), model.areas):
    if tab.open is False:
        continue
    with tab:
        c1, c2 = st.columns(2)
        with c1:
            st.subheader(f"Verbeterd ({area.n_successes})")
            if area.successes or not area.own_successes:
                st.markdown("\n".join(f"- {x}" for x in area.successes) or "Geen verbetering groter dan de marge.")
            own_list(area.own_successes)
        with c2:
            st.subheader(f"Verslechterd ({area.n_setbacks})")
            if area.setbacks or not area.own_setbacks:
                st.markdown("\n".join(f"- {x}" for x in area.setbacks) or "Geen verslechtering groter dan de marge.")
            own_list(area.own_setbacks)
        rest = components.on_request(area.rest_label, key=f"rest_{area.name}")
        if rest.open:
            with rest:
                st.markdown("\n".join(f"- {x}" for x in (*area.within_margin, *area.descriptive)))
                own_list((*area.own_within, *area.own_descriptive, *area.own_other))
        components.source_line(area.sources, "vergelijking van de eerste en de laatste meting per indicator")
        if area.own_note:
            st.caption(area.own_note)
