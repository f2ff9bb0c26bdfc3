"""Buurtprofiel: one page per buurt with all metrics, their trend and the position against its gemeente."""
from __future__ import annotations

import streamlit as st

from models.buurtprofiel import DEFAULT_BUURT, buurt_label, buurt_options, profile_model
from charts import charts
from ui import auth, components, state

eng = state.engine()
cat = state.catalog()

st.title("Buurtprofiel")
buurt = state.select("buurt", "Buurt", buurt_options(eng), format_func=lambda c: buurt_label(eng, c),
                     default=DEFAULT_BUURT)
model = profile_model(eng, cat, buurt, state.own_measurements(include_intern=auth.current_editor() is not None))
st.header(model.name, anchor="profiel")
st.markdown(model.intro)
for col, (label, value, help_) in zip(st.columns(len(model.headlines)), model.headlines):
    col.metric(label, value, help=help_ or None)

if model.own is not None:
    st.subheader(model.own.label, anchor="eigen-metingen")
    st.markdown(model.own.intro)
    st.table(model.own.table.set_index("Indicator"))
    if model.own.note:
        st.caption(model.own.note)

for sec in model.sections:
    st.subheader(sec.label)
    # A plain HTML table: every row visible, read by screen readers as a table, light for the browser.
    st.table(sec.table.set_index("Indicator"))
    if sec.charts:
        # The charts are drawn only when the expander is opened (a rerun): a closed expander costs nothing.
        exp = st.expander(f"Trends {sec.label.lower()} ({len(sec.charts)} grafieken)", key=f"trends_{sec.label}",
                          on_change="rerun")
        if exp.open:
            with exp:
                components.chart_grid(charts.trend_chart, [((f, t, u), {"height": 260, "legend": False})
                                                           for t, u, f in sec.charts], legend_text=sec.charts_legend)
                st.caption("De tabel hierboven bevat dezelfde cijfers.")
    if sec.missing_text:
        st.caption(sec.missing_text)
    if sec.index_text is not None:
        idx = components.on_request("Samenvattende index (optioneel, 100 = Maastricht bij de eerste meting)",
                                    key=f"index_{sec.label}")
        if idx.open:
            with idx:
                st.write(sec.index_text)
                if sec.index_table is not None:
                    st.table(sec.index_table.set_index(sec.index_table.columns[0]))
    if sec.dimensions is not None:
        st.markdown("**De zes dimensies van Positieve Gezondheid en hoe goed de cijfers ze dekken**")
        st.table(sec.dimensions.set_index(sec.dimensions.columns[0]))
    components.source_line(sec.sources)
