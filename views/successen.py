"""Successen en tegenvallers: what moved beyond the margin since the first measurement, both sides equal."""
from __future__ import annotations

import streamlit as st

from metrics.briefing import FOCUS_AREAS
from metrics.progress import movements
from ui import components, state
from wording.change import movement_text

eng = state.engine()
cat = state.catalog()

st.title("Successen en tegenvallers")
st.markdown("Alle indicatoren die sinds de eerste meting méér veranderden dan de marge, voor elk van de twee "
            "buurten. Verbeteringen en verslechteringen staan naast elkaar, even groot, telkens met de verandering "
            "van Maastricht in dezelfde jaren ernaast. Veranderde de buurt evenveel als de stad (verschil binnen de "
            "marge), dan staat dat er eerst: de buurt *beweegt mee met Maastricht*. Veranderingen binnen de marge "
            "staan apart: daar kunnen we (nog) niets over zeggen.")

for area in FOCUS_AREAS:
    st.header(eng.name(area))
    mv = movements(eng, area)
    name = eng.name(area)
    c1, c2 = st.columns(2)
    with c1:
        st.subheader(f"Verbeterd ({len(mv['successen'])})")
        for x in mv["successen"]:
            st.markdown(f"- {movement_text(x, name)} — *{cat.pillars[x.metric.pillar]['label']}*")
        if not mv["successen"]:
            st.write("Geen verbetering groter dan de marge.")
    with c2:
        st.subheader(f"Verslechterd ({len(mv['tegenvallers'])})")
        for x in mv["tegenvallers"]:
            st.markdown(f"- {movement_text(x, name)} — *{cat.pillars[x.metric.pillar]['label']}*")
        if not mv["tegenvallers"]:
            st.write("Geen verslechtering groter dan de marge.")
    with st.expander(f"Binnen de marge ({len(mv['binnen_marge'])}) en beschrijvend ({len(mv['beschrijvend'])})"):
        for x in mv["binnen_marge"]:
            st.markdown(f"- {movement_text(x, name)}: binnen de marge")
        for x in mv["beschrijvend"]:
            st.markdown(f"- {movement_text(x, name)}: {x.change.label} (geen richting goed/slecht)")
    srcs = {s for k in mv.values() for x in k for s in x.latest.sources}
    components.source_line(srcs, "vergelijking van de eerste en de laatste meting per indicator")
