"""Buurtprofiel: one page per buurt with all metrics, their trend and the position against Maastricht."""
from __future__ import annotations

import streamlit as st

import pandas as pd

from metrics import fmt
from metrics.index import pillar_index
from metrics.series import trend_frame
from ui import charts, components, state
from wording.profile import profile_frame

eng = state.engine()
cat = state.catalog()

buurten = sorted((c for c, lv in eng.level.items() if lv == "buurt" and c[:6] in ("BU0935", "BU0917")),
                 key=lambda c: (c[:6] != "BU0935", eng.name(c)))
gm_name = {"BU0935": "Maastricht", "BU0917": "Heerlen"}
st.title("Buurtprofiel")
buurt = state.select("buurt", "Buurt", buurten, format_func=lambda c: f"{eng.name(c)} ({gm_name[c[:6]]}, {c})",
                     default="BU09350403")
gemeente = "GM" + buurt[2:6]
st.header(eng.name(buurt), anchor="profiel")
wijk = "WK" + buurt[2:8]
st.markdown(f"Buurt {buurt} in wijk {eng.name(wijk)}, gemeente {eng.name(gemeente)}. Alle indicatoren met het "
            f"meest recente cijfer, de verandering sinds de eerste meting en de positie ten opzichte van "
            f"{eng.name(gemeente)} en Nederland.")

inw = eng.latest("inwoners", buurt)
hh = eng.latest("huishoudens", buurt)
c1, c2, c3 = st.columns(3)
c1.metric("Inwoners", fmt.value(inw.value if inw else None, "aantal"), help=f"CBS, peiljaar {inw.year if inw else '-'}")
c2.metric("Huishoudens", fmt.value(hh.value if hh else None, "aantal"), help=f"CBS, peiljaar {hh.year if hh else '-'}")
c3.metric("Focusbuurt programma", "ja" if buurt in ("BU09350403", "BU09350203") else "nee")

for pillar, info in cat.pillars.items():
    metrics = cat.by_pillar(pillar, available_only=True)
    st.subheader(info["label"])
    prof = profile_frame(eng, buurt, metrics, ref=gemeente)
    prof = prof.rename(columns={"Gemeente": eng.name(gemeente)})
    show = prof.drop(columns=["metric_id", "pillar", "dimension", "Bron"])
    st.dataframe(show, hide_index=True, width="stretch", height=38 * (len(show) + 1) + 4,
                 column_config={"Indicator": st.column_config.TextColumn(width="large"),
                                "Sinds eerste meting": st.column_config.TextColumn(width="large"),
                                "Positie": st.column_config.TextColumn(width="medium")})
    frames = []
    for m in metrics:
        f = trend_frame(eng, m, [buurt, gemeente])
        if f["value"].notna().sum() >= 2 and len(eng.years(m)) >= 2:
            frames.append((m.label, m.unit, f))
    if frames:
        with st.expander(f"Trends {info['label'].lower()} ({len(frames)} grafieken)"):
            components.chart_grid([charts.trend_chart(f, t, u, height=260, legend=False) for t, u, f in frames],
                                 legend_text=f"Doorgetrokken lijn: {eng.name(buurt)}; gestreepte lijn: {eng.name(gemeente)}.")
            st.caption("De tabel hierboven bevat dezelfde cijfers.")
    missing = [m for m in cat.by_pillar(pillar) if not m.available]
    if missing:
        st.caption("Nog geen data: " + ", ".join(m.label.lower() for m in missing) + ".")
    if pillar != "context":
        idx = pillar_index(eng, buurt, pillar)
        with st.expander("Samenvattende index (optioneel, 100 = Maastricht bij de eerste meting)"):
            if idx.value is None:
                st.write(f"Geen index: {idx.note}.")
            else:
                st.write(f"Index {info['label'].lower()}: **{fmt.number(idx.value, 0)}** — het ongewogen gemiddelde "
                         f"van {len(idx.scores)} indicatorscores. {idx.note}")
                st.dataframe(pd.DataFrame(
                    [{"Weging": "alle indicatoren even zwaar", "Index": fmt.number(idx.value, 0)}] +
                    [{"Weging": k, "Index": fmt.number(v, 0)} for k, v in idx.alternatives.items()]),
                    hide_index=True, width="stretch")
    if pillar == "positieve_gezondheid":
        dims = []
        for d, dinfo in cat.dimensions.items():
            ms = [m.label for m in metrics if m.dimension == d]
            dims.append({"Dimensie": dinfo["label"], "Indicatoren": ", ".join(ms) if ms else "geen indicator",
                         "Kwaliteit benadering": dinfo["proxy_quality"], "Toelichting": dinfo["note"]})
        st.markdown("**De zes dimensies van Positieve Gezondheid en hoe goed de cijfers ze dekken**")
        st.dataframe(pd.DataFrame(dims), hide_index=True, width="stretch")
    components.source_line({s for v in prof["Bron"] for s in v.split(", ")})
