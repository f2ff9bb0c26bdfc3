"""Successen en tegenvallers: every metric that moved beyond the margin since its first measurement, with
Maastricht's change over the same years beside it (the words are made in wording/change.py)."""
from __future__ import annotations

from dataclasses import dataclass

from .briefing import MAASTRICHT, NO_CITY, CityChange, city_change
from .catalog import Metric
from .compute import Comparison, Engine, Result


@dataclass
class Movement:
    metric: Metric
    area: str
    first: Result
    latest: Result
    change: Comparison
    city: CityChange = NO_CITY


def movements(engine: Engine, area: str, metrics: list[Metric] | None = None) -> dict[str, list[Movement]]:
    """{'successen': [...], 'tegenvallers': [...], 'binnen_marge': [...], 'beschrijvend': [...]}

    A buurt that moved with the city (difference of the changes within the margin) still counts as a success
    or setback here; the sentence says first that it moved with Maastricht."""
    out: dict[str, list[Movement]] = {"successen": [], "tegenvallers": [], "binnen_marge": [], "beschrijvend": []}
    for m in metrics or engine.catalog.available():
        s = [r for r in engine.series(m, area) if r.present]
        if len(s) < 2:
            continue
        ch = engine.change(m, s[-1], s[0])
        mv = Movement(m, area, s[0], s[-1], ch, city_change(engine, m, area, s[0], s[-1], MAASTRICHT))
        if not ch.meaningful:
            out["binnen_marge"].append(mv)
        elif ch.favourable is None:
            out["beschrijvend"].append(mv)
        else:
            out["successen" if ch.favourable else "tegenvallers"].append(mv)
    for k in out:
        out[k].sort(key=lambda mv: (mv.metric.pillar, mv.metric.label))
    return out
