"""Kaart: choropleth of the Maastricht buurten for any metric and year, and a national view of 50090NED."""
from __future__ import annotations

import streamlit as st

from metrics import mapdata
from metrics.briefing import FOCUS_AREAS, MAASTRICHT
from ui import components, maps, state

MAP_HEIGHT = 560
NATIONAL_SHAPE_YEAR = 2014
HEALTH_INDELING_YEAR = 2020  # 50090NED: "Gezondheid per wijk en buurt; 2012/2016/2020 (indeling 2020)"

eng = state.engine()
cat = state.catalog()

st.title("Kaart")
st.markdown(
    "Hoe verschilt een indicator tussen de buurten? Kies een indicator en een jaar. De kleuren delen de buurten "
    "in vijf groepen met ongeveer evenveel buurten; grijs betekent dat er geen cijfer is. "
    "Nazareth en Pottenberg hebben een dikke zwarte rand. Op de kaart van Maastricht brengt een klik op een buurt "
    "u naar de keuze voor het buurtprofiel."
)

tab_mst, tab_nl = st.tabs(["Maastricht", "Nederland"], key="weergave", bind="query-params")

# ---------------------------------------------------------------------- Maastricht
if tab_mst.open is not False:
    with tab_mst:
        geo = state.geometries(2020, MAASTRICHT)
        codes = sorted(geo["area_code"], key=lambda c: eng.name(c).lower())
        metrics = mapdata.map_metrics(eng, cat, codes)
        c1, c2 = st.columns([3, 1])
        m = state.select_metric(metrics=metrics, container=c1)
        year = state.select_year(mapdata.map_years(eng, m, codes), container=c2)
        st.caption(components.metric_caption(m))

        rows, ref = mapdata.area_values(eng, m, year, codes, ref=MAASTRICHT)
        values = [r.value for r in rows]
        cl = mapdata.classing(values)
        deck = maps.buurt_map(geo, rows, cl.classes, cl.n_classes, m.label, year, FOCUS_AREAS, height=MAP_HEIGHT)
        summary = mapdata.summary_sentence(values, m.unit, year, m.label, ref_name=eng.name(MAASTRICHT),
                                           ref_value=ref.value if ref.present else None)

        map_col, legend_col = st.columns([5, 2])
        with map_col:
            event = st.pydeck_chart(deck, on_select="rerun", selection_mode="single-object", key="kaart_maastricht",
                                    height=MAP_HEIGHT, alt=summary)
        entries = mapdata.legend_entries(values, cl, m.unit)
        legend_col.markdown(maps.legend_html(
            entries, maps.class_colours(cl.n_classes), f"{m.label} ({year}), {mapdata.unit_caption(m.unit)}",
            notes=[mapdata.colour_meaning(m.unit), "Dikke zwarte lijn: Nazareth en Pottenberg."]),
            unsafe_allow_html=True)
        st.write(summary)

        # A buurt picked on the map goes into the URL and becomes the choice below: each new pick gets a
        # fresh selectbox (new key), which reads its value from the URL.
        picked = maps.selected_code(event)
        if picked and picked in codes and picked != st.session_state.get("kaart_last_pick"):
            st.session_state["kaart_last_pick"] = picked
            st.session_state["kaart_picks"] = st.session_state.get("kaart_picks", 0) + 1
            st.query_params["buurt"] = picked
        b1, b2 = st.columns([2, 2], vertical_alignment="bottom")
        buurt = state.select("buurt", "Buurt (of klik op de kaart)", codes, format_func=eng.name,
                             default=FOCUS_AREAS[0], container=b1,
                             key_prefix=f"kaart{st.session_state.get('kaart_picks', 0)}_")
        if b2.button(f"Buurtprofiel van {eng.name(buurt)} openen", icon=":material/home_pin:", key="kaart_profiel"):
            st.switch_page("views/buurtprofiel.py", query_params={"buurt": buurt})

        table = mapdata.area_table(rows, eng.name(MAASTRICHT))
        components.table_alternative(table, "Tabel bij de kaart (alle buurten)")
        components.table_alternative(mapdata.legend_table(entries), "Legenda als tabel")
        components.downloads(table, f"kaart_{m.id}_{year}", key="kaart_mst")
        srcs = {s for r in rows for s in r.sources} | set(ref.sources)
        geo_src = mapdata.source_text(state.sources(), geo["source_key"].iloc[0]) if len(geo) else ""
        components.source_line(srcs, f"peiljaar {year} · kaart: {geo_src}")

# ---------------------------------------------------------------------- Nederland
if tab_nl.open is not False:
    with tab_nl:
        nl_metrics = mapdata.national_metrics(cat)
        c1, c2 = st.columns([3, 1])
        m = state.select_metric("nl_indicator", metrics=nl_metrics, container=c1, key_prefix="nl_")
        year = state.select_year(eng.years(m), param="nl_jaar", container=c2, key_prefix="nl_")
        st.caption(components.metric_caption(m))

        vals = state.national_values(m.variable, m.age_group, year)
        shapes = state.national_shapes(NATIONAL_SHAPE_YEAR)
        values = vals["value"].tolist()
        cl = mapdata.classing(values)
        entries = mapdata.legend_entries(values, cl, m.unit)
        table = mapdata.national_table(vals, m.unit, state.gemeente_names(), cl)
        deck = maps.national_map(shapes, table, cl.n_classes, m.label, year, FOCUS_AREAS)
        joined = mapdata.join_stats(table["code"].tolist(), table["value"].notna().tolist(), shapes.keys())
        nl = eng.value(m, "NL01", year)
        summary = mapdata.summary_sentence(values, m.unit, year, m.label,
                                           ref_name=eng.name("NL01"), ref_value=nl.value if nl.present else None)

        map_col, legend_col = st.columns([5, 2])
        with map_col:
            st.pydeck_chart(deck, height=620, alt=summary, key="kaart_nederland")
        legend_col.markdown(maps.legend_html(
            entries, maps.class_colours(cl.n_classes), f"{m.label} ({year}), {mapdata.unit_caption(m.unit)}",
            notes=[mapdata.colour_meaning(m.unit), mapdata.NATIONAL_LEGEND_NOTE],
            extra=[(mapdata.UNMATCHED_LABEL, maps.UNMATCHED_RGB, joined.n_shapes_without_data, "vlakken")]),
            unsafe_allow_html=True)
        st.write(summary)
        st.info(mapdata.join_sentence(joined, HEALTH_INDELING_YEAR, NATIONAL_SHAPE_YEAR), icon=":material/info:")

        components.table_alternative(mapdata.legend_table(entries), "Legenda als tabel")
        components.table_alternative(table[["Buurt", "Gemeente", "Waarde", "Status"]],
                                     "Tabel bij de kaart (alle buurten van Nederland)")
        geo_src = mapdata.source_text(state.sources(), "geo-buurt-2014-nl")
        components.source_line(["50090NED"], f"peiljaar {year} · kaart: {geo_src}, grof")
