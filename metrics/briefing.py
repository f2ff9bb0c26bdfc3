"""The wethouder's briefing: per focus buurt and pillar, the headline metrics with latest value,
change since the baseline, position against Maastricht and Nederland, and one plain-Dutch sentence.

Strengths first, then points of attention; changes inside the margin are labelled as such.
Pure functions: the same rows feed the Overzicht page, the presentation and the PPTX/PDF export.
"""
from __future__ import annotations

from dataclasses import dataclass

from . import fmt
from .catalog import Metric
from .compute import Comparison, Engine, Result

FOCUS_AREAS = ("BU09350403", "BU09350203")
MAASTRICHT, NEDERLAND = "GM0935", "NL01"
PILLAR_ORDER = ("bestaanszekerheid", "positieve_gezondheid", "gelijke_kansen", "context")

POPULATION_WORD = {
    "persons_18plus": "van de volwassenen", "persons_18_64": "van de 18- tot 65-jarigen",
    "persons_65plus": "van de 65-plussers", "households": "van de huishoudens", "inhabitants": "van de inwoners",
    "dwellings": "van de woningen",
}


@dataclass
class Card:
    metric: Metric
    area: str
    area_name: str
    latest: Result | None
    baseline: Result | None
    change: Comparison
    vs_maastricht: Comparison
    vs_nederland: Comparison
    ref_maastricht: Result | None
    ref_nederland: Result | None
    sentence: str
    tone: str  # kracht | aandacht | neutraal

    @property
    def sort_key(self) -> tuple:
        return ({"kracht": 0, "neutraal": 1, "aandacht": 2}[self.tone], self.metric.label)


def _ref_at(engine: Engine, m: Metric, area: str, year: int) -> Result | None:
    r = engine.value(m, area, year)
    return r if r.present else None


def sentence(m: Metric, area_name: str, latest: Result | None, baseline: Result | None,
             ch: Comparison, ref_m: Result | None, ref_nl: Result | None, ref_m_base: Result | None = None) -> str:
    if latest is None:
        return f"Voor {area_name} is er nog geen cijfer over {m.label.lower()}."
    v = fmt.value(latest.value, m.unit)
    if m.unit == "%":
        s = f"In {area_name}: {m.label.lower()} {v} {POPULATION_WORD.get(m.base, '')} ({latest.year})"
    elif m.unit.startswith("per 1.000") and "per 1.000" in m.label:  # the label already says 'per 1.000 …'
        s = f"In {area_name}: {m.label.lower()} {fmt.number(latest.value, fmt.decimals_for(m.unit))} ({latest.year})"
    else:
        s = f"In {area_name}: {m.label.lower()} {v} ({latest.year})"
    if baseline is not None and baseline.year != latest.year:
        s += f"; in {baseline.year} was dat {fmt.value(baseline.value, m.unit)}"
        s += " (binnen de marge)" if not ch.meaningful else f" ({ch.label})"
    s += "."
    refs = []
    if ref_m is not None:
        refs.append(f"Maastricht: {fmt.value(ref_m.value, m.unit)}")
        if (ref_m_base is not None and baseline is not None and latest is not None and baseline.year != latest.year
                and ch.meaningful and all(r.coverage is None or r.coverage >= 0.99 for r in (ref_m, ref_m_base))):
            refs[-1] += f" (sinds {baseline.year} {fmt.delta(ref_m.value - ref_m_base.value, m.unit)})"
    if ref_nl is not None:
        refs.append(f"Nederland: {fmt.value(ref_nl.value, m.unit)}")
    if refs:
        s += " " + ", ".join(refs) + "."
    return s


def card(engine: Engine, m: Metric, area: str, baseline_year: int | None = None) -> Card:
    series = [r for r in engine.series(m, area) if r.present]
    latest = series[-1] if series else None
    baseline = None
    if series:
        if baseline_year is not None:
            baseline = next((r for r in series if r.year == baseline_year), None)
        else:
            baseline = series[0]
    ref_m = _ref_at(engine, m, MAASTRICHT, latest.year) if latest else None
    ref_nl = _ref_at(engine, m, NEDERLAND, latest.year) if latest else None
    ch = engine.change(m, latest, baseline) if (latest and baseline and baseline.year != latest.year) \
        else Comparison(None, None, False, "geen eerdere meting")
    vs_m = engine.compare(m, latest, ref_m) if (latest and ref_m) else Comparison(None, None, False, "geen vergelijking mogelijk")
    vs_nl = engine.compare(m, latest, ref_nl) if (latest and ref_nl) else Comparison(None, None, False, "geen vergelijking mogelijk")
    # A meaningful change decides the tone (progress is a success even when the level is still behind);
    # otherwise the position against Maastricht; metrics marked as community strengths lean to 'kracht'.
    if ch.meaningful and ch.favourable is not None:
        tone = "kracht" if ch.favourable else "aandacht"
    elif vs_m.meaningful and vs_m.favourable is not None:
        tone = "kracht" if vs_m.favourable else "aandacht"
    elif m.strength and latest is not None:
        tone = "kracht"
    else:
        tone = "neutraal"
    name = engine.name(area)
    ref_m_base = _ref_at(engine, m, MAASTRICHT, baseline.year) if baseline else None
    return Card(m, area, name, latest, baseline, ch, vs_m, vs_nl, ref_m, ref_nl,
                sentence(m, name, latest, baseline, ch, ref_m, ref_nl, ref_m_base), tone)


def headline_metrics(engine: Engine, pillar: str) -> list[Metric]:
    ms = [m for m in engine.catalog.by_pillar(pillar, available_only=True) if m.headline or m.strength]
    return ms or engine.catalog.by_pillar(pillar, available_only=True)[:3]


def briefing(engine: Engine, areas: tuple[str, ...] = FOCUS_AREAS,
             pillars: tuple[str, ...] = PILLAR_ORDER[:3]) -> dict[str, dict[str, list[Card]]]:
    """{area: {pillar: [cards sorted strengths first]}}"""
    out: dict[str, dict[str, list[Card]]] = {}
    for a in areas:
        out[a] = {}
        for p in pillars:
            cards = [card(engine, m, a) for m in headline_metrics(engine, p)]
            out[a][p] = sorted(cards, key=lambda c: c.sort_key)
    return out
