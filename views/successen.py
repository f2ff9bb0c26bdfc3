"""Successen en tegenvallers: what moved beyond the margin since the first measurement, both sides equal."""
from __future__ import annotations

import streamlit as st

from models.successen import successen_model
from ui import components, state

model = successen_model(state.engine(), state.catalog())

st.title("Successen en tegenvallers")
st.markdown("Alle indicatoren die sinds de eerste meting méér veranderden dan de marge, voor elk van de twee "
            "buurten. Verbeteringen en verslechteringen staan naast elkaar, even groot, telkens met de verandering "
            "van Maastricht in dezelfde jaren ernaast. Is het verschil tussen de verandering van de buurt en die van "
            "de stad kleiner dan de gecombineerde marge, dan staat er *niet aantoonbaar anders dan Maastricht*. "
            "Elke regel noemt de periode en of die vóór of na de start van het programma ligt, en of het cijfer "
            "een modelschatting is. Veranderingen binnen de marge staan apart: daar kunnen we (nog) niets over "
            "zeggen.")

# One buurt at a time (the tab is in the URL): a projector shows one list, a link opens the same buurt.
for tab, area in zip(components.on_request_tabs([a.name for a in model.areas], key="focusbuurt"), model.areas):
    if tab.open is False:
        continue
    with tab:
        c1, c2 = st.columns(2)
        with c1:
            st.subheader(f"Verbeterd ({len(area.successes)})")
            st.markdown("\n".join(f"- {x}" for x in area.successes) or "Geen verbetering groter dan de marge.")
        with c2:
            st.subheader(f"Verslechterd ({len(area.setbacks)})")
            st.markdown("\n".join(f"- {x}" for x in area.setbacks) or "Geen verslechtering groter dan de marge.")
        rest = components.on_request(f"Binnen de marge ({len(area.within_margin)}) en beschrijvend "
                                     f"({len(area.descriptive)})", key=f"rest_{area.name}")
        if rest.open:
            with rest:
                st.markdown("\n".join(f"- {x}" for x in (*area.within_margin, *area.descriptive)))
        components.source_line(area.sources, "vergelijking van de eerste en de laatste meting per indicator")
