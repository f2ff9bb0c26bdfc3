"""Wijzigingslog: every change to targets and programme figures (who, when, old and new value)."""
from __future__ import annotations

import datetime as dt

import streamlit as st

from models.wijzigingen import changelog_model
from ui import auth, state

st.title("Wijzigingslog")
st.markdown("Elke wijziging in doelen en deelnamecijfers: wie, wanneer, wat was het en wat werd het.")
auth.login_box("log")
model = changelog_model(state.changes_frame(), dt.date.today())
if model.table.empty:
    st.info("Nog geen wijzigingen.")
else:
    st.dataframe(model.table, hide_index=True, width="stretch")
st.caption(model.stand)
