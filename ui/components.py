"""Small Streamlit components shared by pages: source line, cards, text alternatives, downloads."""
from __future__ import annotations

import importlib
from typing import Callable, Iterable

import pandas as pd
import streamlit as st

from loaders import settings
from metrics import export
from metrics.catalog import Metric

LICENCE_LINE = "Bron: CBS, RIVM — licentie CC BY 4.0"
TTL = int(settings.get("WIJKMONITOR_CACHE_TTL_S"))
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


@st.cache_data(ttl=TTL, max_entries=2000, show_spinner=False)
def _spec(builder: str, args: tuple, kwargs: dict, localise: bool) -> dict:
    """The Vega-Lite spec of a pure chart builder's chart, built once per distinct input (per process).

    Building an Altair chart and serialising it costs 0.1–1 s per chart on this machine; the inputs (tidy frames
    from the page models) are small, so hashing them is cheap and a warm page load only sends the cached spec."""
    module, name = builder.rsplit(".", 1)
    chart_ = getattr(importlib.import_module(module), name)(*args, **kwargs)
    if localise:
        from ui.charts import dutch

        chart_ = dutch(chart_)
    return chart_.to_dict(validate=False)


def chart(builder: Callable, *args, container=None, alt: str | None = None, localise: bool = True, **kwargs) -> None:
    """Show the chart ``builder(*args, **kwargs)`` (a pure builder from ui.charts / ui.compare_charts) filling its
    column; with ``localise`` the Dutch number format is applied (ui.charts.dutch)."""
    spec = _spec(f"{builder.__module__}.{builder.__qualname__}", tuple(args), dict(kwargs), localise)
    (container or st).vega_lite_chart(spec=spec, width="stretch", alt=alt)


def chart_grid(builder: Callable, calls: list[tuple[tuple, dict]], columns: int = 3, legend_text: str = "") -> None:
    """Small multiples as a responsive grid: ``builder(*args, **kwargs)`` per call, every chart filling its column;
    one shared legend sentence."""
    if legend_text:
        st.caption(legend_text)
    for i in range(0, len(calls), columns):
        cols = st.columns(columns)
        for col, (args, kwargs) in zip(cols, calls[i:i + columns]):
            chart(builder, *args, container=col, **kwargs)
