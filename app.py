"""Wijkmonitor Veerkrachtige Wijken — router and frame only (pages live in views/)."""
from __future__ import annotations

import streamlit as st

# "auto": the sidebar starts collapsed on narrow screens (<= 768 px, e.g. 320 px reflow or a phone) and open on
# wider ones; the Presentatie page collapses it (below) so a 1280x720 projector shows the slides at full width.
st.set_page_config(page_title="Wijkmonitor Veerkrachtige Wijken", page_icon="assets/favicon.png",
                   layout="wide", initial_sidebar_state="auto")

from ui.components import LICENCE_LINE, inject_css, page_language, sidebar_navigation  # noqa: E402

PAGES = {
    "Wijkmonitor": [
        st.Page("views/overzicht.py", title="Overzicht", icon=":material/dashboard:", default=True),
        st.Page("views/kaart.py", title="Kaart", icon=":material/map:", url_path="kaart"),
        st.Page("views/trends.py", title="Trends", icon=":material/show_chart:", url_path="trends"),
        st.Page("views/vergelijken.py", title="Vergelijken", icon=":material/compare_arrows:", url_path="vergelijken"),
        st.Page("views/buurtprofiel.py", title="Buurtprofiel", icon=":material/home_pin:", url_path="buurtprofiel"),
    ],
    "Voortgang": [
        st.Page("views/doelen.py", title="Doelen", icon=":material/flag:", url_path="doelen"),
        st.Page("views/successen.py", title="Successen en tegenvallers", icon=":material/balance:", url_path="successen"),
        st.Page("views/participatie.py", title="Wie doen er mee?", icon=":material/groups:", url_path="participatie"),
    ],
    "Verantwoording": [
        st.Page("views/data.py", title="Data en methode", icon=":material/dataset:", url_path="data"),
        st.Page("views/wijzigingen.py", title="Wijzigingslog", icon=":material/history:", url_path="wijzigingen"),
    ],
    "Presentatie": [
        st.Page("views/presentatie.py", title="Presentatie en briefing", icon=":material/slideshow:",
                url_path="presentatie"),
    ],
}

inject_css()
page_language()
# Streamlit's own sectioned sidebar navigation renders invalid list markup (<ul> with <div> children, <li>
# outside a list: axe rules `list`/`listitem`). The router stays st.navigation (same URL paths, same deep-link
# behaviour), hidden; the visible navigation is built from st.page_link under one heading per section.
nav = st.navigation(PAGES, position="hidden")
if nav.url_path == "presentatie":
    st.set_page_config(initial_sidebar_state="collapsed")
sidebar_navigation(PAGES)
st.sidebar.caption("Wijkmonitor Veerkrachtige Wijken · gemeente Maastricht")
nav.run()
st.divider()
st.caption(LICENCE_LINE + " · Alle cijfers zijn terug te voeren op de bron, het jaar en de definitie op de pagina "
           "Data en methode.")
