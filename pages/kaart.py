"""Placeholder until the page lands."""
import streamlit as st

st.title("Kaart")
st.info("Deze pagina wordt gebouwd.")
