"""Placeholder until the page lands."""
import streamlit as st

st.title("Buurtprofiel")
st.info("Deze pagina wordt gebouwd.")
