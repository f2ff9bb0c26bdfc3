"""Participatieregister: how many residents take part — the programme's own figures."""
from __future__ import annotations

import streamlit as st

from loaders.auth import PermissionDenied
from loaders.errors import LoadError
from metrics.participation import COUNTS, SECONDARY_NOTE
from models.participation import CONTACTS_NOTE, LABELS, participation_model
from ui import auth, components, state
from wijkmonitor import programme

eng = state.engine()

st.title("Wie doen er mee?")
st.markdown("Het participatieregister telt dialoogsessies, contacten met bewoners, meemakers en activiteiten per buurt "
            "en per maand, zoals het programmateam ze invoert. Aantallen onder de 10 tonen we als **<10**, op het "
            "scherm en in downloads, zodat niemand herkenbaar wordt.")

editor = auth.login_box("participatie")
if msg := st.session_state.pop("participatie_msg", None):
    st.success(msg)
model = participation_model(eng, state.participation_frame())
buurten = list(model.buurten)

if model.empty:
    st.info("Er zijn nog geen deelnamecijfers ingevoerd.")
else:
    st.subheader("Totaal per buurt")
    st.table(model.totals.set_index("Buurt"))
    st.caption(CONTACTS_NOTE + " Inwoners volgens CBS (laatste peiljaar). Per maand telt de rij 'totaal' als die er "
               "is, anders de som van de leeftijdsgroepen.")
    st.subheader("Per maand")
    st.dataframe(model.monthly, hide_index=True, width="stretch")
    if model.by_age is not None:
        st.subheader("Naar leeftijdsgroep")
        st.dataframe(model.by_age, hide_index=True, width="stretch")
    if model.secondary:
        st.caption(SECONDARY_NOTE)
    components.downloads(model.download, "participatieregister", key="part_dl")
st.caption(model.source)

if editor:
    st.divider()
    st.header("Cijfers toevoegen")
    tab_up, tab_form = st.tabs(["Bestand uploaden", "Formulier"])
    with tab_up:
        st.markdown("CSV of Excel met de kolommen `buurt_code, maand, leeftijdsgroep, dialoogsessies, "
                    "bewoners_bereikt, meemakers, activiteiten` (maand als JJJJ-MM; leeftijdsgroep totaal, 0-17, "
                    "18-64 of 65+). Een bestand met één fout wordt in zijn geheel geweigerd.")
        up = st.file_uploader("Bestand", type=["csv", "xlsx"], key="part_upload")
        if up is not None and st.button("Uploaden", key="part_do_upload"):
            try:
                n = programme.upload_participation(state.programme_url(), editor, eng, up.getvalue(), up.name)
                st.session_state["participatie_msg"] = f"{n} rijen opgeslagen uit {up.name}."
                st.rerun()
            except (LoadError, PermissionDenied) as exc:
                st.error(f"Niets opgeslagen. {exc}")
    with tab_form:
        with st.form("part_form"):
            c1, c2, c3 = st.columns(3)
            b = c1.selectbox("Buurt", buurten, format_func=eng.name, key="pf_buurt")
            maand = c2.text_input("Maand (JJJJ-MM)", key="pf_maand")
            lg = c3.selectbox("Leeftijdsgroep", list(programme.AGE_GROUPS), key="pf_lg")
            vals = {c: st.number_input(LABELS[c], min_value=0, step=1, key=f"pf_{c}") for c in COUNTS}
            ok = st.form_submit_button("Opslaan")
        if ok:
            try:
                programme.add_participation(state.programme_url(), editor, eng,
                                            {"buurt_code": b, "maand": maand, "leeftijdsgroep": lg, **vals})
                st.session_state["participatie_msg"] = "Opgeslagen."
                st.rerun()
            except (LoadError, PermissionDenied) as exc:
                st.error(f"Niets opgeslagen. {exc}")
