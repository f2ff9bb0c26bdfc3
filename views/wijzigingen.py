"""Wijzigingslog: every change to targets and programme figures (who, when, old and new value)."""
from __future__ import annotations

import datetime as dt

import pandas as pd
import streamlit as st

from metrics import fmt
from ui import auth, state

st.title("Wijzigingslog")
st.markdown("Elke wijziging in doelen en deelnamecijfers: wie, wanneer, wat was het en wat werd het.")
auth.login_box("log")
log = state.changes_frame()
if log.empty:
    st.info("Nog geen wijzigingen.")
else:
    st.dataframe(pd.DataFrame({
        "Wanneer": [fmt.datetime(pd.Timestamp(t).to_pydatetime()) for t in log["at"]],
        "Wie": log["user_name"], "Tabel": log["table_name"], "Record": log["record_id"], "Actie": log["action"],
        "Oud": log["old_value"].fillna(""), "Nieuw": log["new_value"].fillna(""),
    }), hide_index=True, width="stretch")
st.caption(f"Stand van {fmt.date(dt.date.today())}.")
