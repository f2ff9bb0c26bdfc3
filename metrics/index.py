"""Optional summary index per pillar, Rotterdam-Wijkprofiel style, with a sensitivity check.

Per metric with a direction: score = 100 + 100 × (value − ref) / ref, sign-flipped for lower-is-better, where
ref = Maastricht in the metric's first measurement year (100 = Maastricht at the start). The pillar index is
the unweighted mean of the scores of the metrics with data (latest value per metric). The profile (metrics side
by side) stays the default view: an index hides as much as it shows. The sensitivity check recomputes the index
under other reasonable weights (leave one metric out; equal weight per Positieve-Gezondheid dimension; only
model-free register metrics) and says whether the conclusion (above / below 100) changes.
"""
from __future__ import annotations

from dataclasses import dataclass

from loaders.config import MAASTRICHT

from .catalog import Metric
from .compute import Engine

REF = MAASTRICHT


@dataclass
class IndexResult:
    area: str
    pillar: str
    value: float | None
    scores: dict[str, float]
    alternatives: dict[str, float]
    robust: bool | None  # None when there is no index
    note: str


def metric_score(engine: Engine, m: Metric, area: str) -> float | None:
    if m.direction == "neutral" or m.kind == "count":
        return None
    latest = engine.latest(m, area)
    years = engine.years(m)
    if latest is None or not years:
        return None
    ref = engine.value(m, REF, years[0])
    if not ref.present or ref.value == 0:
        return None
    rel = (latest.value - ref.value) / abs(ref.value)  # type: ignore[operator]
    return 100 + 100 * rel * (1 if m.direction == "higher_better" else -1)


def _mean(xs) -> float | None:
    xs = list(xs)
    return sum(xs) / len(xs) if xs else None


def pillar_index(engine: Engine, area: str, pillar: str) -> IndexResult:
    ms = engine.catalog.by_pillar(pillar, available_only=True)
    scores = {m.id: s for m in ms if (s := metric_score(engine, m, area)) is not None}
    value = _mean(scores.values())
    if value is None or len(scores) < 2:
        return IndexResult(area, pillar, None, scores, {}, None, "te weinig indicatoren met een richting")
    alts: dict[str, float] = {}
    for mid in scores:
        alts[f"zonder {engine.catalog.get(mid).label.lower()}"] = _mean(v for k, v in scores.items() if k != mid)  # type: ignore[assignment]
    dims: dict[str, list[float]] = {}
    for mid, s in scores.items():
        d = engine.catalog.get(mid).dimension
        if d:
            dims.setdefault(d, []).append(s)
    if len(dims) >= 2:
        alts["gelijk gewicht per dimensie"] = _mean(_mean(v) for v in dims.values())  # type: ignore[assignment]
    register = [s for mid, s in scores.items() if "modelschatting RIVM" not in engine.catalog.get(mid).caveats]
    if register and len(register) < len(scores):
        alts["alleen registercijfers (geen modelschattingen)"] = _mean(register)  # type: ignore[assignment]
    side = value >= 100
    robust = all((v >= 100) == side for v in alts.values())
    note = ("De conclusie blijft gelijk onder alle alternatieve wegingen." if robust else
            "Let op: onder een andere weging verandert de conclusie; lees het profiel, niet alleen de index.")
    return IndexResult(area, pillar, value, scores, alts, robust, note)
