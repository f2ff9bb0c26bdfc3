"""Placeholder until the page lands."""
import streamlit as st

st.title("Vergelijken")
st.info("Deze pagina wordt gebouwd.")
