"""Trends: every metric over all measurement years, focus buurten against comparison areas."""
from __future__ import annotations

import streamlit as st

from metrics import fmt
from metrics.briefing import FOCUS_AREAS
from metrics.series import table_for_people, trend_frame
from ui import charts, components, state

eng = state.engine()
cat = state.catalog()

st.title("Trends")
st.markdown("Hoe ontwikkelen de indicatoren zich over alle meetjaren? Punten zijn metingen; waar een meting "
            "ontbreekt, loopt de lijn niet door.")

pillars = list(cat.pillars)
c1, c2 = st.columns([1, 2])
# A shared link may name only the indicator: its pillar is then the default pillar.
wanted = st.query_params.get("indicator")
default_pillar = next((m.pillar for m in cat.available() if m.id == wanted), pillars[0])
pillar = state.select("pijler", "Pijler", pillars, format_func=lambda p: cat.pillars[p]["label"], container=c1,
                      default=default_pillar)
metric = state.select_metric(metrics=cat.by_pillar(pillar, available_only=True), container=c2)

comparison_options = ["GM0935", "NL01", "MAASTRICHT_REST", "GM0917", "HEERLEN_NOORD", "FOCUS"]
comparison_options += sorted((c for c, lv in eng.level.items() if lv == "buurt" and c.startswith("BU0935")
                              and c not in FOCUS_AREAS), key=eng.name)
compare = state.multiselect("vergelijk", "Vergelijken met", comparison_options, format_func=eng.name,
                            default=["GM0935", "NL01"])
areas = [*FOCUS_AREAS, *compare]

df = trend_frame(eng, metric, areas, breaks={a: state.series_breaks(a) for a in areas})
years = eng.years(metric)
baseline = years[0] if years else None
st.subheader(metric.label)
st.caption(components.metric_caption(metric))
if df["value"].notna().any():
    components.chart(charts.trend_chart(df, metric.label, metric.unit, baseline_year=baseline, height=380))
    present = df[df["value"].notna()]
    missing = df[df["value"].isna()]
    summary = (f"{metric.label}: {len(present)} metingen voor {present['area_name'].nunique()} gebieden in de jaren "
               f"{', '.join(str(y) for y in years)}.")
    if not missing.empty:
        summary += " Geen gegevens voor: " + "; ".join(
            f"{n} ({y})" for n, y in zip(missing["area_name"], missing["year"])) + "."
    if df["break_before"].any():
        summary += (" Let op: bij een stippellijn veranderde de grens of code van een buurt; de lijn loopt daar niet "
                    "door (zie Data en methode).")
    st.write(summary)
else:
    st.info(f"Voor {metric.label.lower()} zijn er geen gegevens voor deze gebieden.")
components.table_alternative(table_for_people(df, metric), "Tabel bij de grafiek (zelfde cijfers)")
components.source_line(set(s for v in df["source"] for s in v.split(", ") if s),
                       f"basisjaar {baseline}" if baseline else "")

st.divider()
st.subheader(f"Alle indicatoren van {cat.pillars[pillar]['label'].lower()}")
st.caption("Kleine grafieken per indicator: Nazareth, Pottenberg en Maastricht.")
frames = []
for m in cat.by_pillar(pillar, available_only=True):
    f = trend_frame(eng, m, [*FOCUS_AREAS, "GM0935"])
    if f["value"].notna().any():
        frames.append((m.label, m.unit, f))
if frames:
    components.chart_grid([charts.trend_chart(f, title, unit, height=260, legend=False) for title, unit, f in frames],
                           legend_text="Kleuren en vormen: Nazareth (blauw, doorgetrokken), Pottenberg (oranje) en Maastricht (zwart, gestreept).")
    with st.expander("Tabel bij de kleine grafieken"):
        for title, _unit, f in frames:
            st.markdown(f"**{title}**")
            st.dataframe(table_for_people(f, cat.get(next(m.id for m in cat.metrics if m.label == title))),
                         hide_index=True, width="stretch")
missing = [m for m in cat.by_pillar(pillar) if not m.available]
if missing:
    st.info("Nog geen data: " + ", ".join(m.label.lower() for m in missing) + ".")
