"""Small Streamlit components shared by pages: source line, cards, text alternatives, downloads."""
from __future__ import annotations

from typing import Iterable

import pandas as pd
import streamlit as st

from metrics import export
from metrics.catalog import Metric

LICENCE_LINE = "Bron: CBS, RIVM — licentie CC BY 4.0"
TONE_LABEL = {"kracht": "Wat goed gaat", "aandacht": "Aandachtspunt", "neutraal": "Ter informatie"}
TONE_ICON = {"kracht": ":material/thumb_up:", "aandacht": ":material/visibility:", "neutraal": ":material/info:"}

CSS = """
<style>
  html, body, [class*="css"] { font-size: 17px; }
  .wm-card { border: 1px solid #c9d3dd; border-radius: 8px; padding: 0.8rem 1rem; margin-bottom: 0.6rem; background: #fff; }
  .wm-card h4 { margin: 0 0 0.3rem 0; font-size: 1.05rem; }
  .wm-value { font-size: 1.9rem; font-weight: 700; color: #1A1A1A; }
  .wm-meta { color: #4a4a4a; font-size: 0.9rem; }
  .wm-tag { display: inline-block; border: 1px solid #01689B; color: #01689B; border-radius: 4px; padding: 0 6px;
            font-size: 0.8rem; margin-right: 4px; }
  .wm-source { color: #4a4a4a; font-size: 0.85rem; margin-top: 0.2rem; margin-bottom: 0.5rem; }
  a:focus, button:focus, [tabindex]:focus { outline: 3px solid #01689B !important; outline-offset: 2px; }
</style>
"""


def inject_css() -> None:
    st.markdown(CSS, unsafe_allow_html=True)


def source_line(tables: Iterable[str], extra: str = "") -> None:
    tabs = sorted({t for t in tables if t})
    txt = f"Bron: CBS/RIVM, tabel{'len' if len(tabs) > 1 else ''} {', '.join(tabs)}" if tabs else "Bron: CBS/RIVM"
    if extra:
        txt += f" · {extra}"
    st.caption(txt + " · licentie CC BY 4.0")


def metric_caption(m: Metric) -> str:
    cav = "; ".join(m.caveats)
    return f"{m.explanation}" + (f" Let op: {cav}." if cav else "")


def table_alternative(df: pd.DataFrame, label: str = "Tabel bij de grafiek", expanded: bool = False) -> None:
    """The text alternative of a chart or map (WCAG): the same numbers as a table."""
    with st.expander(label, expanded=expanded):
        st.dataframe(df, hide_index=True, width="stretch")


def downloads(df: pd.DataFrame, name: str, key: str) -> None:
    c1, c2 = st.columns(2)
    c1.download_button("Download CSV", export.to_csv_bytes(df), file_name=f"{name}.csv", mime="text/csv",
                       key=f"{key}_csv")
    c2.download_button("Download Excel", export.to_excel_bytes(df), file_name=f"{name}.xlsx",
                       mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", key=f"{key}_xlsx")


def chart(ch, container=None, **kwargs) -> None:
    """Show an Altair chart with Dutch number formats, filling its column."""
    from ui.charts import dutch

    (container or st).altair_chart(dutch(ch), width="stretch", **kwargs)


def chart_grid(charts: list, columns: int = 3, legend_text: str = "") -> None:
    """Small multiples as a responsive grid: every chart fills its column; one shared legend sentence."""
    if legend_text:
        st.caption(legend_text)
    for i in range(0, len(charts), columns):
        cols = st.columns(columns)
        for col, ch in zip(cols, charts[i:i + columns]):
            chart(ch, container=col)
