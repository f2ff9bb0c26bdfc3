"""Placeholder until the page lands."""
import streamlit as st

st.title("Trends")
st.info("Deze pagina wordt gebouwd.")
