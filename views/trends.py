"""Trends: every metric over all measurement years, focus buurten against comparison areas."""
from __future__ import annotations

import streamlit as st

from models import own as own_model
from models.trends import DEFAULT_COMPARE, comparison_options, default_pillar, trend_areas, trends_model
from charts import charts
from ui import auth, components, state

eng = state.engine()
cat = state.catalog()

st.title("Trends")
st.markdown("Hoe ontwikkelen de indicatoren zich over alle meetjaren? Punten zijn metingen; waar een meting "
            "ontbreekt, loopt de lijn niet door.")

c1, c2 = st.columns([1, 2])
pillar = state.select("pijler", "Pijler", list(cat.pillars), format_func=lambda p: cat.pillars[p]["label"],
                      container=c1, default=default_pillar(cat, st.query_params.get("indicator")))
metric = state.select_metric(metrics=cat.by_pillar(pillar, available_only=True), container=c2)
compare = state.multiselect("vergelijk", "Vergelijken met", comparison_options(eng), format_func=eng.name,
                            default=list(DEFAULT_COMPARE))
model = trends_model(eng, cat, pillar, metric, compare,
                     breaks={a: state.series_breaks(a) for a in trend_areas(compare)})

st.subheader(metric.label)
st.caption(components.metric_caption(metric))
if model.summary:
    components.chart(charts.trend_chart, model.frame, metric.label, metric.unit, baseline_year=model.baseline,
                     height=380, alt=model.summary)
    st.write(model.summary)
else:
    st.info(model.empty_text)
components.table_alternative(model.table, "Tabel bij de grafiek (zelfde cijfers)")
components.source_line(model.sources, f"basisjaar {model.baseline}" if model.baseline else "")

# The programme's own measurements of this pillar (eigen metingen): per period, quarters where they have them.
own_inds, own_figs = state.own_measurements(include_intern=auth.current_editor() is not None)
mine = [i for i in own_inds if i.pijler == pillar]
st.subheader("Eigen metingen")
if not own_inds:
    st.caption("Nog geen eigen metingen van het programma. Redacteuren voegen ze toe op Data en methode → "
               "Eigen metingen.")
elif not mine:
    st.caption(f"Geen eigen metingen voor {cat.pillars[pillar]['label'].lower()}.")
else:
    ind = state.select("eigen", "Eigen meting", [i.id for i in mine],
                       format_func=lambda i: next(x.label for x in mine if x.id == i))
    chosen = next(i for i in mine if i.id == ind)
    tr = own_model.trend(chosen, own_figs, trend_areas(compare), eng.name)
    st.caption(f"{chosen.definitie} Eigen meting ({own_model.SOORT_WORD[chosen.soort]}, "
               f"{own_model.FREQUENCY_WORD[chosen.frequentie]}); bron: {chosen.bron}.")
    if tr.frame["value"].notna().any():
        components.chart(charts.own_trend_chart, tr.frame, tr.periods, chosen.label, chosen.unit_text, height=340,
                         alt=tr.summary)
    if tr.summary:
        st.write(tr.summary)
    else:
        st.info(f"Voor {chosen.label.lower()} zijn er geen metingen voor deze gebieden.")
    components.table_alternative(tr.table, "Tabel bij de grafiek eigen metingen (zelfde cijfers)")
    if (tr.frame["label"].isin([own_model.SUPPRESSED, own_model.SECONDARY])).any():
        st.caption(own_model.SUPPRESSION_NOTE)

st.divider()
# The small multiples of the whole pillar are drawn on request: the first screen is the chosen indicator.
small = components.on_request(f"Alle indicatoren van {cat.pillars[pillar]['label'].lower()} in kleine grafieken "
                              f"({len(model.small)})", key="klein")
if small.open:
    with small:
        st.caption("Kleine grafieken per indicator: Nazareth, Pottenberg en Maastricht.")
        if model.small:
            components.chart_grid(charts.trend_chart, [((c.frame, c.label, c.unit), {"height": 260, "legend": False})
                                                       for c in model.small],
                                  legend_text="Kleuren en vormen: Nazareth (blauw, doorgetrokken), Pottenberg (oranje) "
                                              "en Maastricht (zwart, gestreept).")
            st.markdown("**Tabellen bij de kleine grafieken**")
            for c in model.small:
                st.markdown(f"*{c.label}*")
                st.table(c.table)
if model.missing_text:
    st.info(model.missing_text)
