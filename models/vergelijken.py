"""Vergelijken: a focus buurt among the Maastricht buurten, next to Heerlen(-Noord), and against similar buurten
elsewhere in the Netherlands (the stored profile match, see metrics.store)."""
from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from loaders.config import FOCUS_AREAS, MAASTRICHT, NEDERLAND
from metrics import fmt, similar
from metrics.catalog import Catalog, Metric
from metrics.compute import Engine


@dataclass(frozen=True)
class DistributionSection:
    year: int
    years: tuple[int, ...]
    frame: pd.DataFrame
    rules: tuple[tuple[str, str, float | None], ...]
    has_values: bool
    sentence: str
    table: pd.DataFrame
    sources: frozenset[str]
    source_extra: str


@dataclass(frozen=True)
class ReferenceSection:
    frame: pd.DataFrame
    has_values: bool
    table: pd.DataFrame
    notes: tuple[str, ...]
    long_table: pd.DataFrame
    sources: frozenset[str]
    source_extra: str


@dataclass(frozen=True)
class SimilarSection:
    result: similar.MatchResult | None
    error: str
    heading: str
    match_table: pd.DataFrame | None
    why_lines: tuple[str, ...]
    explanation: pd.DataFrame | None
    explanation_table: pd.DataFrame | None
    metric: Metric
    movement: pd.DataFrame | None
    movement_sentence: str
    movement_table: pd.DataFrame | None
    no_span_text: str
    nl_frame: pd.DataFrame | None
    years: tuple[int, ...]


def comparable_metrics(eng: Engine, cat: Catalog, focus: str) -> list[Metric]:
    """Shares, means and rates with a value for the buurt (a buurt's head count says nothing next to a city's)."""
    return [m for m in cat.available() if m.kind != "count" and eng.latest(m, focus) is not None]


def national_metrics(cat: Catalog) -> list[Metric]:
    return [x for x in cat.available() if similar.nationally_available(x)]


def distribution_section(eng: Engine, m: Metric, focus: str, year: int) -> DistributionSection:
    fname = eng.name(focus)
    dist = similar.distribution(eng, m, MAASTRICHT, year, highlight=FOCUS_AREAS)
    ref_m, ref_nl, f_val = eng.value(m, MAASTRICHT, year), eng.value(m, NEDERLAND, year), eng.value(m, focus, year)
    sp = similar.spread(dist)
    cmp = eng.compare(m, f_val, ref_m) if f_val.present and ref_m.present else None
    return DistributionSection(
        year, tuple(similar.years_with_value(eng, m, focus)), dist,
        (("Maastricht", MAASTRICHT, ref_m.value if ref_m.present else None),
         ("Nederland", NEDERLAND, ref_nl.value if ref_nl.present else None)),
        bool(sp.n_with_value), similar.spread_sentence(sp, m, eng.name(MAASTRICHT), year, fname, f_val, ref_m, cmp),
        similar.distribution_table(dist, m),
        frozenset(set(", ".join(dist["bron"]).split(", ")) | set(ref_m.sources) | set(ref_nl.sources)),
        f"peiljaar {year}" + (f" · {'; '.join(m.caveats)}" if m.caveats else ""))


def reference_section(eng: Engine, m: Metric, focus: str) -> ReferenceSection:
    ref = similar.reference_frame(eng, m, focus)
    cmp = similar.reference_comparisons(eng, m, focus)
    notes = ref[(ref["toelichting"] != "") & ref["waarde"].notna()].drop_duplicates("area_code")
    return ReferenceSection(
        ref, bool(ref["waarde"].notna().any()),
        similar.reference_table(ref, cmp, m, eng.name(focus)).set_index("Jaar"),
        tuple(f"{r['gebied']}: {r['toelichting']}." for _, r in notes.iterrows()),
        similar.reference_long_table(ref, m), frozenset(", ".join(ref["bron"]).split(", ")),
        "jaren " + ", ".join(str(y) for y in eng.years(m)) + (f" · {'; '.join(m.caveats)}" if m.caveats else ""))


def similar_section(eng: Engine, cat: Catalog, focus: str, pyear: int, mc: Metric, series_for,
                    gemeente_names: dict[str, str]) -> SimilarSection:
    """The stored match of ``focus`` in profile year ``pyear``, and how the matches moved on metric ``mc``.
    ``series_for(codes)`` returns the published series of ``mc`` for those buurten (repository.buurt_series)."""
    fname = eng.name(focus)
    pvs = similar.profile_variables(cat)
    yrs = tuple(eng.years(mc))
    try:
        res = eng.similar_match(focus, pyear)
    except similar.ProfileUnavailable as exc:
        return SimilarSection(None, f"Geen vergelijking mogelijk: {exc}.", "", None, (), None, None, mc, None, "",
                              None, "", None, yrs)
    heading = (f"**De {len(res.matches)} buurten met het meest gelijke profiel in {pyear}** "
               f"(uit {fmt.number(res.n_candidates, 0)} buurten met een volledig profiel buiten "
               f"{', '.join(gemeente_names.get(g, g) for g in res.excluded_gemeenten)}; "
               f"{fmt.number(res.n_missing, 0)} buurten vielen af omdat een kenmerk ontbreekt of geheim is"
               + (f"; {fmt.number(res.n_programme, 0)} buurten van andere nationale gebiedsprogramma's (NPLV, "
                  "Heerlen-Noord inbegrepen) doen niet mee" if res.n_programme else "")
               + "). Afstand: Mahalanobis, zodat samenhangende kenmerken niet dubbel tellen. "
               "Hoe kleiner de afstand, hoe meer het profiel lijkt.")
    mt = similar.match_table(res, pvs, fname, gemeente_names)
    why = tuple(f"- **{r['Buurt']}** ({r['Gemeente']}): {r['Waarom vergelijkbaar']}" for _, r in mt.iloc[1:].iterrows())
    expl = similar.explanation(res, pvs, gemeente_names)
    span = similar.movement_years(list(yrs), pyear)
    from_y, to_y = span or (max(yrs), max(yrs))
    names = {focus: fname} | {x.area_code: similar.display_name(x.area_code, x.name,
                                                                 gemeente_names.get(x.gemeente_code or ""))
                              for x in res.matches}
    mv = similar.movement(eng, mc, focus, res, series_for(tuple(x.area_code for x in res.matches)), names,
                          from_y, to_y)
    nl = similar.reference_frame(eng, mc, focus, refs=(NEDERLAND,))
    return SimilarSection(
        res, "", heading, mt, why, expl, similar.explanation_table(expl, pvs, fname), mc, mv,
        similar.movement_sentence(mv, mc, fname, from_y, to_y) if span is not None else "",
        similar.movement_table(mv, mc.unit, from_y, to_y).set_index("Buurt"),
        "" if span is not None else f"{mc.label} is vanaf {pyear} niet in twee jaren gemeten; een verandering is "
                                    "niet te berekenen.",
        nl[nl["area_code"] == NEDERLAND], yrs)
