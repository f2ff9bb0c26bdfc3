"""Successen en tegenvallers: every metric that moved beyond the margin since its first measurement."""
from __future__ import annotations

from dataclasses import dataclass

from . import fmt
from .catalog import Metric
from .compute import Comparison, Engine, Result

REF = "GM0935"


@dataclass
class Movement:
    metric: Metric
    area: str
    first: Result
    latest: Result
    change: Comparison
    context: str = ""  # how Maastricht moved over the same years, for perspective

    @property
    def text(self) -> str:
        m = self.metric
        txt = (f"{m.label}: van {fmt.value(self.first.value, m.unit)} ({self.first.year}) naar "
               f"{fmt.value(self.latest.value, m.unit)} ({self.latest.year}), {fmt.delta(self.change.diff, m.unit)}")
        return txt + (f" ({self.context})" if self.context else "")


def movements(engine: Engine, area: str, metrics: list[Metric] | None = None) -> dict[str, list[Movement]]:
    """{'successen': [...], 'tegenvallers': [...], 'binnen_marge': [...], 'beschrijvend': [...]}"""
    out: dict[str, list[Movement]] = {"successen": [], "tegenvallers": [], "binnen_marge": [], "beschrijvend": []}
    for m in metrics or engine.catalog.available():
        s = [r for r in engine.series(m, area) if r.present]
        if len(s) < 2:
            continue
        ch = engine.change(m, s[-1], s[0])
        ref_new, ref_old = engine.value(m, REF, s[-1].year), engine.value(m, REF, s[0].year)
        complete = all(r.present and (r.coverage is None or r.coverage >= 0.99) for r in (ref_new, ref_old))
        context = (f"Maastricht in dezelfde periode: {fmt.delta(ref_new.value - ref_old.value, m.unit)}"
                   if complete and m.kind != "count" and area != REF else "")
        mv = Movement(m, area, s[0], s[-1], ch, context)
        if not ch.meaningful:
            out["binnen_marge"].append(mv)
        elif ch.favourable is None:
            out["beschrijvend"].append(mv)
        else:
            out["successen" if ch.favourable else "tegenvallers"].append(mv)
    for k in out:
        out[k].sort(key=lambda mv: (mv.metric.pillar, mv.metric.label))
    return out
