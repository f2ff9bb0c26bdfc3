"""Vergelijken: a focus buurt against the other Maastricht buurten, Heerlen(-Noord) and similar buurten nationally.

Thin page: values and comparisons from metrics (engine, metrics.similar), charts from charts.compare_charts.
"""
from __future__ import annotations

import streamlit as st

from loaders.config import FOCUS_AREAS
from metrics import fmt, similar
from models.vergelijken import (comparable_metrics, distribution_section, national_metrics, reference_section,
                                similar_section)
from charts import compare_charts
from ui import components, state

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
m = state.select_metric(metrics=comparable_metrics(eng, cat, focus), container=c2)
st.caption(components.metric_caption(m) + " Alleen indicatoren met een cijfer voor de buurt; aantallen (zoals "
           "inwoners) staan niet in deze lijst omdat een buurt en een stad daarin niet te vergelijken zijn.")


def maastricht_buurten() -> None:
    """(a) The focus buurt among the other buurten of Maastricht."""
    st.header(f"{fname} tussen de buurten van Maastricht")
    st.markdown("Elke stip is één buurt van Maastricht. Zo ziet u de spreiding binnen de stad en waar "
                f"{fname} daarin ligt; de lijnen tonen Maastricht als geheel en Nederland.")
    ya, _ = st.columns([1, 3])
    year = state.select_year(similar.years_with_value(eng, m, focus), param="jaar", label="Jaar", container=ya)
    dist = distribution_section(eng, m, focus, year)
    if dist.has_values:
        components.chart(compare_charts.distribution_chart, dist.frame, m.label, m.unit, focus,
                         rules=list(dist.rules), localise=False,
                         alt=f"Stippengrafiek: {m.label.lower()} in {year} voor elke buurt van Maastricht, met "
                             f"{fname} gemarkeerd en lijnen voor Maastricht en Nederland. De tabel eronder geeft "
                             "dezelfde cijfers.")
    st.write(dist.sentence)
    components.table_alternative(dist.table, f"Tabel: alle buurten van Maastricht op alfabet ({year})")
    components.source_line(dist.sources, dist.source_extra)


def heerlen() -> None:
    """(b) The focus buurt next to Heerlen and Heerlen-Noord over the years."""
    st.header(f"{fname} naast Heerlen en Heerlen-Noord")
    st.markdown(f"{fname} door de jaren heen naast Heerlen, Heerlen-Noord, Maastricht en Nederland. "
                "Heerlen-Noord is geen officieel CBS-gebied: het cijfer is afgeleid uit de buurten (gewogen naar "
                "inwoners), zie de toelichting in de tabel.")
    ref = reference_section(eng, m, focus)
    if ref.has_values:
        components.chart(compare_charts.reference_chart, ref.frame, m.label, m.unit, focus, localise=False,
                         alt=f"Lijngrafiek: {m.label.lower()} per jaar voor {fname}, Maastricht, Nederland, Heerlen en "
                            "Heerlen-Noord. De tabel eronder geeft dezelfde cijfers en de vergelijking.")
    st.table(ref.table)
    for note in ref.notes:
        st.caption(note)
    st.caption("Vergelijkbaar betekent: het verschil is kleiner dan de marge van de indicator (zie Data en methode). "
               "De marge hangt af van het aantal inwoners van het kleinste gebied.")
    components.table_alternative(ref.long_table, "Tabel bij de grafiek (alle gebieden en jaren)")
    components.source_line(ref.sources, ref.source_extra)


def similar_buurten() -> None:
    """(c) Buurten elsewhere with the same profile in the profile year, and how they moved."""
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
            "- **Afstand**: de wortel uit de som van de gekwadrateerde verschillen (euclidische afstand). Bij elke "
            "buurt staat welk kenmerk het meest bijdraagt aan de afstand: dat is de uitleg 'waarom vergelijkbaar'.\n"
            "- **Uitgesloten**: buurten van Maastricht zelf (zie het tabblad Buurten van Maastricht) en buurten "
            "waarvan een kenmerk ontbreekt of geheim is. Er wordt niets bijgeschat."
        )

    k1, k2 = st.columns([1, 2])
    pyear = int(state.select("profieljaar", "Profieljaar", [str(y) for y in similar.BASELINE_YEARS],
                             default=str(similar.DEFAULT_BASELINE), container=k1))
    if similar.nationally_available(m):
        mc = m
    else:
        k2.info(f"{m.label} is niet voor alle buurten van Nederland beschikbaar. Kies een indicator uit de "
                "RIVM-gezondheidsmonitor voor de ontwikkeling van de vergelijkbare buurten.")
        mc = state.select_metric("indicator_landelijk", "Indicator voor de ontwikkeling", metrics=national_metrics(cat),
                                 default="moeite_met_rondkomen", container=k2, key_prefix="c_")

    sim = similar_section(eng, cat, focus, pyear, mc,
                          lambda codes: state.guarded(lambda: state.buurt_series(mc.variable, mc.age_group, codes)),
                          state.gemeente_names())
    if sim.result is None:
        st.warning(sim.error)
    else:
        res = sim.result
        st.markdown(sim.heading)
        st.table(sim.match_table.drop(columns=["Buurtcode", "Waarom vergelijkbaar"]).set_index("Buurt"))
        st.markdown("**Waarom vergelijkbaar?** Per buurt de kenmerken die vrijwel gelijk zijn (minder dan een kwart "
                    "standaardafwijking verschil) en het kenmerk dat het meest bijdraagt aan de afstand.")
        st.markdown("\n".join(sim.why_lines))
        components.downloads(sim.match_table, f"vergelijkbare_buurten_{focus}_{pyear}", key="dl_similar")

        st.subheader("Waarom vergelijkbaar: de kenmerken naast elkaar")
        st.markdown(f"Per kenmerk: {fname} (ruit), de vergelijkbare buurten (grijze stippen) en ter vergelijking het "
                    "landelijke buurtgemiddelde met één standaardafwijking eromheen (lichte balk).")
        components.chart(compare_charts.profile_chart, sim.explanation, res.focus_values, res.mean, res.sd,
                         [(p.code, p.label, p.unit) for p in pvs], focus, fname, localise=False,
                         alt=f"Per profielkenmerk de waarde van {fname} en van de vergelijkbare buurten, met het "
                             "landelijke gemiddelde. Zie de tabel eronder.")
        components.table_alternative(sim.explanation_table,
                                     "Tabel: kenmerken en bijdrage aan de afstand per vergelijkbare buurt")
        components.source_line([similar.PROFILE_SOURCE], f"profieljaar {pyear} · modelschatting RIVM · landelijk "
                               f"gemiddelde en standaardafwijking over {fmt.number(res.n_complete, 0)} buurten")

        st.subheader(f"Hoe ontwikkelden {fname} en de vergelijkbare buurten zich? ({mc.label.lower()})")
        if sim.no_span_text:
            st.info(sim.no_span_text)
        components.chart(compare_charts.movement_chart, sim.movement, mc.label, mc.unit, focus, refs=sim.nl_frame,
                         localise=False, alt=f"Lijngrafiek: {mc.label.lower()} per jaar voor {fname}, de vergelijkbare "
                                             "buurten en Nederland. De tabel eronder geeft dezelfde cijfers.")
        if sim.movement_sentence:
            st.write(sim.movement_sentence)
        st.table(sim.movement_table)
        st.caption("De beoordeling gebruikt voor elke rij dezelfde regel: een verandering is echt als ze groter is "
                   "dan 1,96 × de gecombineerde standaardfout van de twee metingen. Zonder bekend aantal inwoners "
                   "is er geen standaardfout en dus geen oordeel. Of een buurt is verbeterd, zegt niet waardoor.")
        components.source_line([similar.PROFILE_SOURCE], f"jaren {', '.join(str(y) for y in sim.years)} · "
                               "modelschatting RIVM")


# Three comparisons, one at a time (the tab is in the URL): only the open one is computed and drawn.
TABS = {"Buurten van Maastricht": maastricht_buurten, "Heerlen en Heerlen-Noord": heerlen,
        "Vergelijkbare buurten in Nederland": similar_buurten}
for tab, section in zip(components.on_request_tabs(list(TABS), key="vergelijking"), TABS.values()):
    if tab.open is not False:
        with tab:
            section()
