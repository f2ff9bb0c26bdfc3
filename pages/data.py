"""Placeholder until the page lands."""
import streamlit as st

st.title("Data")
st.info("Deze pagina wordt gebouwd.")
