"""The wethouder's briefing, in numbers: per focus buurt and pillar the headline metrics with latest value,
change since the baseline, the city's change over the same years, and the position against Maastricht and
Nederland. The Dutch sentences about these numbers are made in `wording/`.

Strengths first, then points of attention; changes inside the margin are never judged, nor are metrics
without a good/bad direction. Pure functions: the same cards feed the Overzicht page, the one-page briefing,
the presentation and the PPTX/PDF export.
"""
from __future__ import annotations

from dataclasses import dataclass

from loaders.config import FOCUS_AREAS, MAASTRICHT, NEDERLAND, PILLAR_ORDER  # noqa: F401  (re-exported)

from .catalog import Metric
from .compute import Comparison, Engine, Result
from . import margins
from .margins import is_meaningful

COMPLETE = 0.99  # a city value counts as comparable when its coverage is at least this


@dataclass(frozen=True)
class CityChange:
    """How Maastricht moved over the same years as a buurt, and whether the buurt moved with the city.

    `with_city` is True when the difference of the changes, (buurt new − buurt old) − (city new − city old),
    lies within 1,96 · SE, SE² = Var(buurt new − city new) + Var(buurt old − city old) (the two editions
    independent; within an edition the covariance of a buurt and the city containing it, metrics/margins.py):
    the buurt's change is then "niet aantoonbaar anders dan Maastricht". None when there is no comparable city
    change (one measurement, counts, the city itself, incomplete city coverage, or no standard error).
    """

    first: Result | None = None
    latest: Result | None = None
    change: Comparison | None = None   # the city's own change over the same years
    gap: float | None = None           # buurt change minus city change
    threshold: float | None = None
    with_city: bool | None = None


NO_CITY = CityChange()


def city_change(engine: Engine, m: Metric, area: str, first: Result | None, latest: Result | None,
                ref: str = MAASTRICHT) -> CityChange:
    if (first is None or latest is None or first.year == latest.year or area == ref or m.kind == "count"
            or not (first.present and latest.present)):
        return NO_CITY
    old, new = engine.value(m, ref, first.year), engine.value(m, ref, latest.year)
    if not all(r.present and (r.coverage is None or r.coverage >= COMPLETE) for r in (old, new)):
        return NO_CITY
    gap = (latest.value - first.value) - (new.value - old.value)  # type: ignore[operator]
    thr = margins.margin(margins.se_sum(engine.se_compare(latest, new), engine.se_compare(first, old)))
    with_city = None if thr is None else not is_meaningful(gap, thr)
    return CityChange(old, new, engine.change(m, new, old), gap, thr, with_city)


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
    tone: str  # kracht | aandacht | neutraal
    city: CityChange = NO_CITY

    @property
    def sort_key(self) -> tuple:
        return ({"kracht": 0, "neutraal": 1, "aandacht": 2}[self.tone], self.metric.label)


def _ref_at(engine: Engine, m: Metric, area: str, year: int) -> Result | None:
    r = engine.value(m, area, year)
    return r if r.present else None


def tone(m: Metric, ch: Comparison, vs_m: Comparison, city: CityChange, has_value: bool,
         vs_nl: Comparison | None = None) -> str:
    """'kracht', 'aandacht' or 'neutraal'. A metric without a good/bad direction is never judged. A change
    beyond the margin decides (progress is a success even when the level is still behind) unless the buurt's
    change is not demonstrably different from the city's; then the position against Maastricht decides; metrics
    marked as community strengths lean to 'kracht' only when they are not below both Maastricht and Nederland
    beyond the margin."""
    if m.direction == "neutral":
        return "neutraal"
    if ch.meaningful and ch.favourable is not None and city.with_city is not True:
        return "kracht" if ch.favourable else "aandacht"
    if vs_m.meaningful and vs_m.favourable is not None:
        return "kracht" if vs_m.favourable else "aandacht"
    below_nl = vs_nl is not None and vs_nl.meaningful and vs_nl.favourable is False
    if m.strength and has_value and not below_nl:
        return "kracht"
    return "neutraal"


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
    city = city_change(engine, m, area, baseline, latest)
    return Card(m, area, engine.name(area), latest, baseline, ch, vs_m, vs_nl, ref_m, ref_nl,
                tone(m, ch, vs_m, city, latest is not None, vs_nl), city)


def _first_directional(engine: Engine, metrics: list[Metric]) -> Metric | None:
    return next((m for m in metrics if m.direction != "neutral"
                 and any(engine.latest(m, a) is not None for a in FOCUS_AREAS)), None)


def headline_metrics(engine: Engine, pillar: str) -> list[Metric]:
    """The pillar's headline metrics (catalog `headline` or `strength`), led by a metric with a good/bad
    direction: when none of them has one, the pillar's first directional metric with data goes first."""
    available = engine.catalog.by_pillar(pillar, available_only=True)
    pinned = (engine.catalog.pillars.get(pillar) or {}).get("headline")
    if pinned is not None:  # the catalog names the pillar's headline metrics; none: no outcome figure per buurt
        return [m for m in available if m.id in pinned]
    ms = [m for m in available if m.headline or m.strength] or available[:3]
    if not any(m.direction != "neutral" for m in ms):
        lead = _first_directional(engine, available)
        ms = [lead, *ms] if lead is not None else ms
    return ms


def lead_metric(engine: Engine, pillar: str) -> Metric | None:
    """The metric a pillar leads with: the first headline metric with a good/bad direction and a figure for a
    focus buurt (a neutral metric only when the pillar has nothing else)."""
    ms = headline_metrics(engine, pillar)
    return _first_directional(engine, ms) or (ms[0] if ms else None)


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
