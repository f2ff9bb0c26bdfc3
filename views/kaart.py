"""Kaart: choropleth of the Maastricht buurten for any metric and year, and a national view of 50090NED."""
from __future__ import annotations

import streamlit as st

from loaders.config import FOCUS_AREAS, MAASTRICHT
from metrics import mapdata
from charts import maps
from models import own as own_model
from models.kaart import maastricht_model, maastricht_options
from ui import auth, components, state

MAP_HEIGHT = 560
NATIONAL_MAP_HEIGHT = 620

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
        codes, metrics = maastricht_options(eng, cat, geo)
        c1, c2 = st.columns([3, 1])
        m = state.select_metric(metrics=metrics, container=c1)
        year = state.select_year(mapdata.map_years(eng, m, codes), container=c2)
        st.caption(components.metric_caption(m))
        geo_src = mapdata.source_text(state.sources(), geo["source_key"].iloc[0]) if len(geo) else ""
        model = maastricht_model(eng, m, year, codes, geo_src)
        map_col, legend_col = st.columns([5, 2])
        event = components.chart(maps.buurt_chart, geo, model.rows, model.classing.classes,
                                 model.classing.n_classes, m.label, year, FOCUS_AREAS, height=MAP_HEIGHT,
                                 container=map_col, alt=model.summary, localise=False, key="kaart_maastricht",
                                 on_select="rerun")
        legend_col.markdown(maps.legend_html(model.entries, maps.class_colours(model.classing.n_classes),
                                             model.legend_title, notes=list(model.legend_notes)),
                            unsafe_allow_html=True)
        st.write(model.summary)

        # A buurt picked on the map goes into the URL and becomes the choice below: each new pick gets a
        # fresh selectbox (new key), which reads its value from the URL.
        picked = maps.selected_buurt(event)
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

        components.table_alternative(model.table, "Tabel bij de kaart (alle buurten)")
        components.table_alternative(model.legend_table, "Legenda als tabel")
        components.downloads(model.table, f"kaart_{m.id}_{year}", key="kaart_mst")
        components.source_line(model.sources, model.source_extra)

        # The programme's own measurements that were given for Maastricht buurten (drawn on request).
        own_inds, own_figs = state.own_measurements(include_intern=auth.current_editor() is not None)
        on_map = own_model.mappable(own_inds, own_figs, codes)
        if on_map:
            own_part = components.on_request(f"Eigen metingen op de kaart ({len(on_map)})", key="kaart_eigen")
            if own_part.open:
                with own_part:
                    o1, o2 = st.columns([3, 1])
                    oid = state.select("eigen", "Eigen meting", [i.id for i in on_map], container=o1,
                                       format_func=lambda i: next(x.label for x in on_map if x.id == i))
                    ind = next(i for i in on_map if i.id == oid)
                    periods = own_model.map_periods(ind, own_figs, codes)
                    periode = state.select("periode", "Periode", periods, default=periods[-1], container=o2)
                    om = own_model.own_map(ind, own_figs, periode, codes, eng.name, MAASTRICHT)
                    ocl = om.classing
                    m1, m2 = st.columns([5, 2])
                    components.chart(maps.buurt_chart, geo, om.rows, ocl.classes, ocl.n_classes, ind.label, periode,
                                     FOCUS_AREAS, height=MAP_HEIGHT, container=m1, alt=om.summary, localise=False,
                                     key="kaart_eigen_chart")
                    m2.markdown(maps.legend_html(list(om.entries), maps.class_colours(ocl.n_classes), om.legend_title,
                                                 notes=["Eigen meting van het programma, geen CBS-cijfer. Grijs: "
                                                        "niet aangeleverd of niet getoond (kleine aantallen).",
                                                        "Dikke zwarte lijn: Nazareth en Pottenberg."]),
                                unsafe_allow_html=True)
                    st.write(om.summary)
                    components.table_alternative(om.table, "Tabel bij de kaart eigen meting", key="kaart_eigen_tabel")

# ---------------------------------------------------------------------- Nederland
if tab_nl.open is not False:
    with tab_nl:
        nl_metrics = mapdata.national_metrics(cat)
        c1, c2 = st.columns([3, 1])
        m = state.select_metric("nl_indicator", metrics=nl_metrics, container=c1, key_prefix="nl_")
        year = state.select_year(eng.years(m), param="nl_jaar", container=c2, key_prefix="nl_")
        st.caption(components.metric_caption(m))

        nl_map = state.national_map()
        model = state.national_map_model(m, year, mapdata.source_text(state.sources(), "geo-buurt-2014-nl"))
        map_col, legend_col = st.columns([5, 2])
        if nl_map is None:
            map_col.warning("Deze database bevat geen landelijke buurtkaart; de tabel hieronder toont alle cijfers.")
        else:
            components.chart(maps.national_chart, nl_map.geometry, model.map_table, model.classing.n_classes,
                             m.label, year, nl_map.focus, height=NATIONAL_MAP_HEIGHT, container=map_col,
                             alt=model.summary, localise=False, key="kaart_nederland")
        legend_col.markdown(maps.legend_html(
            model.entries, maps.class_colours(model.classing.n_classes), model.legend_title,
            notes=list(model.legend_notes),
            extra=[(mapdata.UNMATCHED_LABEL, maps.UNMATCHED_RGB, model.unmatched, "vlakken")]),
            unsafe_allow_html=True)
        st.write(model.summary)
        st.info(model.join_text, icon=":material/info:")

        components.table_alternative(model.legend_table, "Legenda als tabel", key="nl_legenda")
        components.table_alternative(model.table[["Buurt", "Gemeente", "Waarde", "Status"]],
                                     "Tabel bij de kaart (alle buurten van Nederland)")
        components.source_line(model.sources, model.source_extra)
