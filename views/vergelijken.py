"""Vergelijken: a focus buurt against the other Maastricht buurten, Heerlen(-Noord) and similar buurten nationally.

Thin page: values and comparisons from metrics (engine, metrics.similar), charts from ui.compare_charts.
"""
from __future__ import annotations

import streamlit as st

from metrics import fmt, margins, similar
from metrics.briefing import FOCUS_AREAS, MAASTRICHT, NEDERLAND
from ui import compare_charts, components, state

eng = state.engine()
cat = state.catalog()

st.title("Vergelijken")
st.markdown(
    "Hoe verhoudt een focusbuurt zich tot **de andere buurten van Maastricht**, tot **Heerlen en Heerlen-Noord** "
    "en tot **buurten elders in Nederland met een vergelijkbaar profiel**? Deze pagina laat zien waar de buurt staat "
    "en hoe vergelijkbare buurten zich ontwikkelden. Het is geen ranglijst: er wordt geen buurt 'beste' of "
    "'slechtste' genoemd. Een verschil binnen de marge telt als vergelijkbaar."
)

c1, c2 = st.columns([1, 2])
focus = state.select("buurt", "Focusbuurt", list(FOCUS_AREAS), format_func=eng.name, container=c1)
fname = eng.name(focus)
# Counts (inwoners, huishoudens) are not comparable between a buurt and a gemeente: shares, means and rates only.
metrics = [m for m in cat.available() if m.kind != "count" and eng.latest(m, focus) is not None]
m = state.select_metric(metrics=metrics, container=c2)
st.caption(components.metric_caption(m) + " Alleen indicatoren met een cijfer voor de buurt; aantallen (zoals "
           "inwoners) staan niet in deze lijst omdat een buurt en een stad daarin niet te vergelijken zijn.")


# ---------------------------------------------------------------------- (a) the other Maastricht buurten
st.header(f"{fname} tussen de buurten van Maastricht")
st.markdown("Elke stip is één buurt van Maastricht. Zo ziet u de spreiding binnen de stad en waar "
            f"{fname} daarin ligt; de lijnen tonen Maastricht als geheel en Nederland.")
ya, _ = st.columns([1, 3])
years_a = similar.years_with_value(eng, m, focus)
year = state.select_year(years_a, param="jaar", label="Jaar", container=ya)
dist = similar.distribution(eng, m, MAASTRICHT, year, highlight=FOCUS_AREAS)
ref_m, ref_nl, f_val = eng.value(m, MAASTRICHT, year), eng.value(m, NEDERLAND, year), eng.value(m, focus, year)
sp = similar.spread(dist)
if sp.n_with_value:
    st.altair_chart(compare_charts.distribution_chart(
        dist, m.label, m.unit, focus,
        rules=[("Maastricht", MAASTRICHT, ref_m.value if ref_m.present else None),
               ("Nederland", NEDERLAND, ref_nl.value if ref_nl.present else None)]),
        width="stretch", alt=f"Stippengrafiek: {m.label.lower()} in {year} voor elke buurt van Maastricht, met "
                             f"{fname} gemarkeerd en lijnen voor Maastricht en Nederland. De tabel eronder geeft "
                             "dezelfde cijfers.")
st.write(similar.spread_sentence(sp, m, eng.name(MAASTRICHT), year, fname, f_val, ref_m,
                                 eng.compare(m, f_val, ref_m) if f_val.present and ref_m.present else None))
components.table_alternative(similar.distribution_table(dist, m), f"Tabel: alle buurten van Maastricht op alfabet ({year})")
srcs_a = set(", ".join(dist["bron"]).split(", ")) | set(ref_m.sources) | set(ref_nl.sources)
components.source_line(srcs_a, f"peiljaar {year}" + (f" · {'; '.join(m.caveats)}" if m.caveats else ""))

# ---------------------------------------------------------------------- (b) Heerlen and Heerlen-Noord
st.header(f"{fname} naast Heerlen en Heerlen-Noord")
st.markdown(f"{fname} door de jaren heen naast Heerlen, Heerlen-Noord, Maastricht en Nederland. "
            "Heerlen-Noord is geen officieel CBS-gebied: het cijfer is afgeleid uit de buurten (gewogen naar "
            "inwoners), zie de toelichting in de tabel.")
ref = similar.reference_frame(eng, m, focus)
if ref["waarde"].notna().any():
    st.altair_chart(compare_charts.reference_chart(ref, m.label, m.unit, focus), width="stretch",
                    alt=f"Lijngrafiek: {m.label.lower()} per jaar voor {fname}, Maastricht, Nederland, Heerlen en "
                        "Heerlen-Noord. De tabel eronder geeft dezelfde cijfers en de vergelijking.")
cmp = similar.reference_comparisons(eng, m, focus)
st.table(similar.reference_table(ref, cmp, m, fname).set_index("Jaar"))
notes = ref[(ref["toelichting"] != "") & ref["waarde"].notna()].drop_duplicates("area_code")
for _, r in notes.iterrows():
    st.caption(f"{r['gebied']}: {r['toelichting']}.")
st.caption("Vergelijkbaar betekent: het verschil is kleiner dan de marge van de indicator (zie Data en methode). "
           "De marge hangt af van het aantal inwoners van het kleinste gebied.")
components.table_alternative(similar.reference_long_table(ref, m), "Tabel bij de grafiek (alle gebieden en jaren)")
components.source_line({s for s in ", ".join(ref["bron"]).split(", ")},
                       "jaren " + ", ".join(str(y) for y in eng.years(m))
                       + (f" · {'; '.join(m.caveats)}" if m.caveats else ""))

# ---------------------------------------------------------------------- (c) similar buurten in the Netherlands
st.header(f"Buurten elders in Nederland die op {fname} lijken")
pvs = similar.profile_variables(cat)
labels_txt = ", ".join(p.label.lower() for p in pvs)
st.markdown(
    f"Welke buurten buiten Maastricht hadden in het profieljaar hetzelfde profiel als {fname}, en hoe ontwikkelden "
    "zij zich daarna? Dit is een lijst van **vergelijkbare** buurten, geen rangorde van goed of slecht. "
    "Zo kan de gemeente zien wat er in vergelijkbare buurten elders gebeurde."
)
with st.expander("Hoe worden vergelijkbare buurten gekozen?"):
    st.markdown(
        f"- **Profiel**: {labels_txt} (volwassenen, RIVM-modelschattingen uit tabel {similar.PROFILE_SOURCE}). "
        "Dit zijn de buurtkenmerken die voor álle buurten van Nederland in de meegeleverde data staan; "
        "inwonertal, leeftijdsopbouw en stedelijkheid zijn alleen voor Maastricht en Heerlen geladen.\n"
        "- **Profieljaar**: het profiel wordt gemeten in een vroeg jaar (2012 of 2016). Wat daarna gebeurde is "
        "de uitkomst, niet een kenmerk waarop gezocht wordt.\n"
        "- **Standaardiseren**: elk kenmerk wordt omgerekend naar standaardafwijkingen van het landelijke "
        "buurtgemiddelde, zodat elk kenmerk even zwaar telt.\n"
        "- **Afstand**: de wortel uit de som van de gekwadrateerde verschillen (euclidische afstand). Bij elke buurt "
        "staat welk kenmerk het meest bijdraagt aan de afstand: dat is de uitleg 'waarom vergelijkbaar'.\n"
        "- **Uitgesloten**: buurten van Maastricht zelf (die staan hierboven) en buurten waarvan een kenmerk "
        "ontbreekt of geheim is. Er wordt niets bijgeschat."
    )

k1, k2 = st.columns([1, 2])
pyear = int(state.select("profieljaar", "Profieljaar", [str(y) for y in similar.BASELINE_YEARS],
                         default=str(similar.DEFAULT_BASELINE), container=k1))
if similar.nationally_available(m):
    mc = m
else:
    national = [x for x in cat.available() if similar.nationally_available(x)]
    k2.info(f"{m.label} is niet voor alle buurten van Nederland beschikbaar. Kies een indicator uit de "
            "RIVM-gezondheidsmonitor voor de ontwikkeling van de vergelijkbare buurten.")
    mc = state.select_metric("indicator_landelijk", "Indicator voor de ontwikkeling", metrics=national,
                             default="moeite_met_rondkomen", container=k2, key_prefix="c_")

codes = tuple(p.code for p in pvs)
profile = state.guarded(lambda: state.buurt_profile(codes, similar.profile_age_group(cat), pyear))
try:
    res = similar.match(profile, focus, codes, n=similar.DEFAULT_N, year=pyear)
except similar.ProfileUnavailable as exc:
    res = None
    st.warning(f"Geen vergelijking mogelijk: {exc}.")

if res is not None:
    gm_names = state.gemeente_names()
    st.markdown(f"**De {len(res.matches)} buurten met het meest gelijke profiel in {pyear}** "
                f"(uit {fmt.number(res.n_candidates, 0)} buurten met een volledig profiel buiten "
                f"{', '.join(gm_names.get(g, g) for g in res.excluded_gemeenten)}; "
                f"{fmt.number(res.n_missing, 0)} buurten vielen af omdat een kenmerk ontbreekt of geheim is). "
                "Hoe kleiner de afstand, hoe meer het profiel lijkt.")
    mt = similar.match_table(res, pvs, fname, gm_names)
    st.table(mt.drop(columns=["Buurtcode", "Waarom vergelijkbaar"]).set_index("Buurt"))
    st.markdown("**Waarom vergelijkbaar?** Per buurt de kenmerken die vrijwel gelijk zijn (minder dan een kwart "
                "standaardafwijking verschil) en het kenmerk dat het meest bijdraagt aan de afstand.")
    st.markdown("\n".join(f"- **{r['Buurt']}** ({r['Gemeente']}): {r['Waarom vergelijkbaar']}"
                           for _, r in mt.iloc[1:].iterrows()))
    components.downloads(mt, f"vergelijkbare_buurten_{focus}_{pyear}", key="dl_similar")

    expl = similar.explanation(res, pvs, gm_names)
    st.subheader("Waarom vergelijkbaar: de kenmerken naast elkaar")
    st.markdown(f"Per kenmerk: {fname} (ruit), de vergelijkbare buurten (grijze stippen) en ter vergelijking het "
                "landelijke buurtgemiddelde met één standaardafwijking eromheen (lichte balk).")
    st.altair_chart(compare_charts.profile_chart(expl, res.focus_values, res.mean, res.sd,
                                                 [(p.code, p.label, p.unit) for p in pvs], focus, fname),
                    width="stretch", alt=f"Per profielkenmerk de waarde van {fname} en van de vergelijkbare "
                                         "buurten, met het landelijke gemiddelde. Zie de tabel eronder.")
    components.table_alternative(similar.explanation_table(expl, pvs, fname), "Tabel: kenmerken en bijdrage aan de afstand per vergelijkbare buurt")
    components.source_line([similar.PROFILE_SOURCE], f"profieljaar {pyear} · modelschatting RIVM · landelijk "
                           f"gemiddelde en standaardafwijking over {fmt.number(res.n_complete, 0)} buurten")

    st.subheader(f"Hoe ontwikkelden {fname} en de vergelijkbare buurten zich? ({mc.label.lower()})")
    yrs = eng.years(mc)
    span = similar.movement_years(yrs, pyear)
    series = state.guarded(lambda: state.buurt_series(mc.variable, mc.age_group,
                                                      tuple(x.area_code for x in res.matches)))
    names = {focus: fname} | {x.area_code: similar.display_name(x.area_code, x.name, gm_names.get(x.gemeente_code or ""))
                              for x in res.matches}
    if span is None:
        st.info(f"{mc.label} is vanaf {pyear} niet in twee jaren gemeten; een verandering is niet te berekenen.")
    from_y, to_y = span or (max(yrs), max(yrs))
    mv = similar.movement(eng, mc, focus, res, series, names, from_y, to_y)
    nl = similar.reference_frame(eng, mc, focus, refs=(NEDERLAND,))
    nl = nl[nl["area_code"] == NEDERLAND]
    st.altair_chart(compare_charts.movement_chart(mv, mc.label, mc.unit, focus, refs=nl), width="stretch",
                    alt=f"Lijngrafiek: {mc.label.lower()} per jaar voor {fname}, de vergelijkbare buurten en "
                        "Nederland. De tabel eronder geeft dezelfde cijfers.")
    if span is not None:
        st.write(similar.movement_sentence(mv, mc, fname, from_y, to_y))
    st.table(similar.movement_table(mv, mc.unit, from_y, to_y).set_index("Buurt"))
    st.caption(f"De beoordeling gebruikt de marge van de indicator. Voor buurten buiten Maastricht en Heerlen staat het "
               f"aantal inwoners niet in de meegeleverde data; dan geldt de ruime marge van "
               f"{fmt.number(margins.UNKNOWN_BASE_PP, 0)} procentpunt. Of een buurt is verbeterd, zegt niet waardoor.")
    components.source_line([similar.PROFILE_SOURCE], f"jaren {', '.join(str(y) for y in yrs)} · modelschatting RIVM")
