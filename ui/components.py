"""Small Streamlit components shared by pages: source line, cards, text alternatives, downloads."""
from __future__ import annotations

import faulthandler
import importlib
import logging
import re
import signal
from typing import Callable, Iterable

import altair as alt
import pandas as pd
import streamlit as st

from loaders import settings
from loaders.auth import PermissionDenied
from loaders.cbs import RefreshError
from loaders.db import database_error
from loaders.errors import LoadError
from loaders.programme import ConflictError
from metrics import export
from metrics.catalog import Metric

LICENCE_LINE = "Bron: CBS, RIVM — licentie CC BY 4.0"

# For the operator of a replica that seems stuck: `systemctl kill -s USR1 wijkmonitor@8501` writes the stack of
# every thread to the journal (docs/deploy.md), without stopping the process. Registered once per process (this
# module is imported by app.py before any page runs).
if hasattr(signal, "SIGUSR1"):
    faulthandler.register(signal.SIGUSR1, all_threads=True, chain=False)
TTL = int(settings.get("WIJKMONITOR_CACHE_TTL_S"))

# Chart text (WCAG 1.4.3; axe does not check text inside the charts' SVG): Streamlit's chart theme draws axis
# labels in #808495, 3.7:1 on white. This Altair theme, enabled for every chart of the app, sets them to
# #4a4d50 (8.5:1) and titles/legends to the text colour. Axis lines and ticks #6b6f73 (5.1:1, WCAG 1.4.11).
CHART_TEXT = "#4a4d50"


@alt.theme.register("wijkmonitor", enable=True)
def _chart_theme() -> alt.theme.ThemeConfig:
    return alt.theme.ThemeConfig({"config": {
        "axis": {"labelColor": CHART_TEXT, "titleColor": "#1A1A1A", "domainColor": "#6b6f73", "tickColor": "#6b6f73"},
        "legend": {"labelColor": "#1A1A1A", "titleColor": "#1A1A1A"},
        "title": {"color": "#1A1A1A", "subtitleColor": CHART_TEXT},
        "header": {"labelColor": "#1A1A1A", "titleColor": "#1A1A1A"},
    }})

CSS = """
<style>
  html, body, [class*="css"] { font-size: 17px; }
  .wm-card { border: 1px solid #c9d3dd; border-radius: 8px; padding: 0.8rem 1rem; margin-bottom: 0.6rem; background: #fff; }
  .wm-card h4 { margin: 0 0 0.3rem 0; font-size: 1.05rem; }
  .wm-value { font-size: 1.9rem; font-weight: 700; color: #1A1A1A; }
  .wm-meta { color: #4a4a4a; font-size: 0.9rem; }
  /* A target card's figures (basis, laatste meting, doel): one row that wraps, never overlapping columns. */
  .wm-figures { display: flex; flex-wrap: wrap; gap: 0.4rem 2.5rem; margin-bottom: 0.6rem; }
  .wm-figure { flex: 0 1 auto; min-width: 8rem; max-width: 100%; }
  .wm-figure .wm-value { overflow-wrap: anywhere; line-height: 1.2; }
  .wm-tag { display: inline-block; border: 1px solid #01689B; color: #01689B; border-radius: 4px; padding: 0 6px;
            font-size: 0.8rem; margin-right: 4px; }
  .wm-source { color: #4a4a4a; font-size: 0.85rem; margin-top: 0.2rem; margin-bottom: 0.5rem; }
  a:focus, button:focus, [tabindex]:focus { outline: 3px solid #01689B !important; outline-offset: 2px; }
  /* Captions: Streamlit fades them (#717273, 4.44:1 on the sidebar #F3F6F9; opacity 0.6 inside tabs, 3.0:1).
     This grey at full opacity is 7.8:1 on the sidebar and 8.5:1 on white. */
  [data-testid="stCaptionContainer"] { opacity: 1 !important; }
  [data-testid="stCaptionContainer"], [data-testid="stCaptionContainer"] p { color: #4a4d50; }
  /* Metric values wrap instead of being cut off with an ellipsis ("1 december 2…") and stay >= 32 px. */
  [data-testid="stMetricValue"] { font-size: 2.1rem; line-height: 1.2; }
  [data-testid="stMetricValue"] > div { white-space: normal !important; overflow: visible !important;
                                        text-overflow: clip !important; overflow-wrap: break-word; }
  /* Reflow at 320 px (WCAG 1.4.10): the tab bar wraps instead of scrolling sideways; a wide text table scrolls
     inside its own box (keyboard access: PAGE_SCRIPT) instead of making the whole page scroll sideways. */
  [data-testid="stMain"] [role="tablist"] { flex-wrap: wrap; row-gap: 0.2rem; }
  [data-testid="stMarkdownContainer"] table { display: block; max-width: 100%; overflow-x: auto; }
  /* Less empty space above the title (a 720-pixel projector shows more content); on narrow screens (320 px
     reflow, 200% zoom) a smaller title so long Dutch words are not broken mid-word. */
  [data-testid="stMainBlockContainer"] { padding-top: 3.5rem; }
  @media (max-width: 640px) {
    [data-testid="stMainBlockContainer"] { padding-top: 3rem; padding-left: 1rem; padding-right: 1rem; }
    [data-testid="stMain"] h1 { font-size: 1.9rem; }
  }
  /* Own sidebar navigation (see sidebar_navigation). */
  .wm-nav-h { font-size: 0.8rem; font-weight: 700; text-transform: uppercase; letter-spacing: 0.04em;
              color: #3d4146; margin: 0.9rem 0 0.1rem 0; padding: 0; }
</style>
"""

# The document language (WCAG 3.1.1): Streamlit serves <html lang="en">. This script runs in the page itself
# (st.html with JavaScript), sets lang="nl" and keeps it there if anything resets it. It also gives scrollable
# regions without keyboard access (a wide st.table or text table scrolls sideways inside its own box) a tab stop
# and a name, so keyboard users can scroll them (axe rule scrollable-region-focusable).
PAGE_SCRIPT = """
<script>
(function () {
  const doc = window.document;
  const html = doc.documentElement;
  if (html.lang !== 'nl') html.lang = 'nl';
  if (window.__wmA11y) return;
  let queued = false;
  function later() {
    if (!queued) { queued = true; requestAnimationFrame(function () { queued = false; scrollables(); }); }
  }
  // A table can start or stop scrolling without any change to the DOM (a font arrives, a column widens after the
  // first layout): watch each candidate's size too, not only mutations and window resizes.
  const sized = new ResizeObserver(later);
  const watched = new WeakSet();
  function scrollables() {
    doc.querySelectorAll("[data-testid='stTable'] > div, [data-testid='stMarkdownContainer'] table").forEach(function (el) {
      if (!watched.has(el)) {
        watched.add(el);
        sized.observe(el);
        if (el.firstElementChild) sized.observe(el.firstElementChild);
      }
      const scrolls = el.scrollWidth > el.clientWidth + 1 || el.scrollHeight > el.clientHeight + 1;
      const isTable = el.tagName === 'TABLE';  // keeps its table role: only a tab stop
      if (scrolls && !el.hasAttribute('tabindex')) {
        el.setAttribute('tabindex', '0');
        if (!isTable) {
          el.setAttribute('role', 'region');
          el.setAttribute('aria-label', 'Tabel, scrollbaar met de pijltjestoetsen');
        }
      } else if (!scrolls && el.getAttribute('tabindex') === '0') {
        el.removeAttribute('tabindex');
        if (!isTable) { el.removeAttribute('role'); el.removeAttribute('aria-label'); }
      }
    });
  }
  window.__wmA11y = new MutationObserver(function () {
    if (html.lang !== 'nl') html.lang = 'nl';
    later();
  });
  window.__wmA11y.observe(html, {attributes: true, attributeFilter: ['lang'], childList: true, subtree: true});
  window.addEventListener('resize', scrollables);
  scrollables();
})();
</script>
"""


LOG = logging.getLogger("wijkmonitor")
# Errors whose message is Dutch, names what went wrong and holds no secrets: shown as they are.
KNOWN_ERRORS = (LoadError, RefreshError, PermissionDenied, ConflictError)
UNKNOWN_ERROR = ("Er ging iets mis dat de Wijkmonitor niet kent. De fout is vastgelegd in het logboek van de "
                 "server; probeer het opnieuw of meld het bij de beheerder (met het tijdstip).")


def error_message(exc: BaseException) -> str:
    """The text a page shows for ``exc``: the Dutch message of a known error (bad input, CBS refresh, permission)
    or of a database failure (loaders.db: unreachable, not built, timeout, locked), else a generic Dutch message
    — never the raw exception text, which can hold SQL, paths or parts of a URL. Unknown errors are logged with
    their traceback."""
    if isinstance(exc, KNOWN_ERRORS):
        return str(exc)
    err = database_error(exc)
    if err is not None:
        return str(err)
    LOG.error("unexpected error shown as a generic message", exc_info=exc)
    return UNKNOWN_ERROR


def inject_css() -> None:
    st.markdown(CSS, unsafe_allow_html=True)


def page_language() -> None:
    """lang="nl" on the document and keyboard access to scrollable tables (see PAGE_SCRIPT)."""
    st.html(PAGE_SCRIPT, unsafe_allow_javascript=True)


def sidebar_navigation(sections: dict) -> None:
    """The sidebar navigation: one heading per section and a st.page_link per page (valid markup, unlike the
    sectioned st.navigation sidebar). The current page is marked by Streamlit's page-link styling."""
    with st.sidebar:
        for section, pages in sections.items():
            st.html(f"<h2 class='wm-nav-h'>{section}</h2>")
            for p in pages:
                st.page_link(p, label=p.title, icon=p.icon, width="stretch")


def source_line(tables: Iterable[str], extra: str = "") -> None:
    tabs = sorted({t for t in tables if t})
    txt = f"Bron: CBS/RIVM, tabel{'len' if len(tabs) > 1 else ''} {', '.join(tabs)}" if tabs else "Bron: CBS/RIVM"
    if extra:
        txt += f" · {extra}"
    st.caption(txt + " · licentie CC BY 4.0")


def metric_caption(m: Metric) -> str:
    cav = "; ".join(m.caveats)
    return f"{m.explanation}" + (f" Let op: {cav}." if cav else "")


def _key(text: str) -> str:
    return "x_" + re.sub(r"[^a-z0-9]+", "_", re.sub(r"\(\d{4}\)", "", text.lower())).strip("_")


def on_request(label: str, key: str | None = None, expanded: bool = False):
    """An expander whose content is computed and sent only while it is open (a rerun opens it): a closed one
    costs the page nothing. Use as ``exp = on_request(...)`` and ``if exp.open: with exp: ...``. The key is
    derived from the label (a year in brackets left out, so the choice survives a change of year)."""
    return st.expander(label, expanded=expanded, key=key or _key(label), on_change="rerun")


def on_request_tabs(labels: list[str], key: str):
    """Tabs of which only the selected one is computed and sent (a rerun on every switch); the selected tab is
    kept in the URL (``?key=label``), so a deep link or a projector bookmark opens the same tab."""
    return st.tabs(labels, key=key, bind="query-params")


def table_alternative(df: pd.DataFrame, label: str = "Tabel bij de grafiek", expanded: bool = False,
                      key: str | None = None) -> None:
    """The text alternative of a chart or map (WCAG): the same numbers as a table, drawn when it is opened."""
    exp = on_request(label, key, expanded)
    if exp.open:
        with exp:
            st.dataframe(df, hide_index=True, width="stretch")


def download(container, label: str, data: bytes, **kwargs) -> None:
    """A download button that does not rerun the page when clicked: a rerun rebuilds the page's files and can
    cancel the download still in flight (seen for the full export). Every download in the app goes through here."""
    container.download_button(label, data, on_click="ignore", **kwargs)


def downloads(df: pd.DataFrame, name: str, key: str, what: str = "") -> None:
    """CSV (Dutch notation) and Excel downloads of a table; ``what`` names it in the button when a page has more
    than one table to download (e.g. "voorstellen")."""
    suffix = f" ({what})" if what else ""
    c1, c2 = st.columns(2)
    download(c1, f"Download CSV{suffix}", export.to_csv_bytes(df), file_name=f"{name}.csv", mime="text/csv",
             key=f"{key}_csv")
    download(c2, f"Download Excel{suffix}", export.to_excel_bytes(df), file_name=f"{name}.xlsx",
             mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", key=f"{key}_xlsx")


@st.cache_data(ttl=TTL, max_entries=2000, show_spinner=False)
def _spec(builder: str, args: tuple, kwargs: dict, localise: bool) -> dict:
    """The Vega-Lite spec of a pure chart builder's chart, built once per distinct input (per process).

    Building an Altair chart and serialising it costs 0.1–1 s per chart on this machine; the inputs (tidy frames
    from the page models) are small, so hashing them is cheap and a warm page load only sends the cached spec."""
    module, name = builder.rsplit(".", 1)
    chart_ = getattr(importlib.import_module(module), name)(*args, **kwargs)
    if localise:
        from charts.charts import dutch

        chart_ = dutch(chart_)
    return chart_.to_dict(validate=False)


def chart(builder: Callable, *args, container=None, alt: str | None = None, localise: bool = True,
          key: str | None = None, on_select: str = "ignore", **kwargs):
    """Show the chart ``builder(*args, **kwargs)`` (a pure builder from charts.charts / charts.compare_charts / charts.maps)
    filling its column; with ``localise`` the Dutch number format is applied (charts.charts.dutch). With
    ``on_select="rerun"`` (and a ``key``) a click on the chart reruns the page; the selection is returned."""
    spec = _spec(f"{builder.__module__}.{builder.__qualname__}", tuple(args), dict(kwargs), localise)
    return (container or st).vega_lite_chart(spec=spec, width="stretch", alt=alt, key=key, on_select=on_select)


def chart_grid(builder: Callable, calls: list[tuple[tuple, dict]], columns: int = 3, legend_text: str = "") -> None:
    """Small multiples as a responsive grid: ``builder(*args, **kwargs)`` per call, every chart filling its column;
    one shared legend sentence."""
    if legend_text:
        st.caption(legend_text)
    for i in range(0, len(calls), columns):
        cols = st.columns(columns)
        for col, (args, kwargs) in zip(cols, calls[i:i + columns]):
            chart(builder, *args, container=col, **kwargs)


def job_status(model) -> None:
    """A job as models.refresh_job describes it: the headline in a status box, who and when, a progress bar while
    it runs."""
    if model.tone == "none":
        st.caption(model.headline)
        return
    box = {"info": st.info, "success": st.success, "error": st.error, "warning": st.warning}[model.tone]
    icon = {"info": ":material/sync:", "success": ":material/check_circle:", "error": ":material/error:",
            "warning": ":material/warning:"}[model.tone]
    box(f"**{model.headline}** {model.detail}", icon=icon)
    if model.fraction is not None:
        st.progress(model.fraction, text=model.progress_text)
