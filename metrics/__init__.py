"""Metrics: the catalog, the computation engine, margins, Dutch formatting and the export.

Pure Python/pandas; no Streamlit imports. Inputs come from :mod:`loaders.repository`.
"""
