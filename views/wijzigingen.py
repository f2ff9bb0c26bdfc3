"""Wijzigingslog: every change to targets and programme figures (who, when, old and new value)."""
from __future__ import annotations

import datetime as dt

import streamlit as st

from models.wijzigingen import changelog_model, sign_in_model
from ui import auth, state

st.title("Wijzigingslog")
st.markdown("Elke wijziging in doelen en deelnamecijfers: wie, wanneer, wat was het en wat werd het.")
editor = auth.login_box("log")
model = changelog_model(state.changes_frame(), dt.date.today())
if model.table.empty:
    st.info("Nog geen wijzigingen.")
else:
    st.dataframe(model.table, hide_index=True, width="stretch")
st.caption(model.stand)

if editor:  # the sign-in log: editors only
    st.subheader("Aanmeldingen van redacteuren")
    signins = sign_in_model(state.sign_ins_frame(), dt.date.today())
    if not signins.table.empty:
        st.dataframe(signins.table, hide_index=True, width="stretch")
    st.caption(signins.summary)
