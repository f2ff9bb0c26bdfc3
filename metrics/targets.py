"""Progress on SMART targets: status computed from data, never entered by hand.

Statuses:
- *gehaald*: the latest measurement reaches the target and the change since the baseline is beyond the margin;
- *op koers*: a meaningful change in the right direction, at or ahead of the straight path (via any
  milestones) from baseline to target, or within the margin of it;
- *achter op schema*: the path asks for more than the data shows (including: no meaningful change yet
  while the path already expects one);
- *te vroeg om te zeggen*: no measurement after the baseline year yet, or the path does not yet ask for a
  change larger than the margin;
- *geen nieuwe gegevens*: no measurement after the baseline although a new edition should have appeared.
A change inside the margin never counts as progress.
"""
from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass

from . import releases
from .catalog import Metric
from .compute import Engine, Result


@dataclass
class Target:
    id: int | None
    metric_id: str
    area_code: str
    baseline_year: int
    baseline_value: float
    target_value: float
    target_year: int
    owner: str = ""
    rationale: str = ""
    action_link: str | None = None
    milestones: list[dict] | None = None
    version: int = 1

    @classmethod
    def from_row(cls, row: dict) -> "Target":
        ms = row.get("milestones")
        return cls(id=row.get("id"), metric_id=row["metric_id"], area_code=row["area_code"],
                   baseline_year=int(row["baseline_year"]), baseline_value=float(row["baseline_value"]),
                   target_value=float(row["target_value"]), target_year=int(row["target_year"]),
                   owner=row.get("owner") or "", rationale=row.get("rationale") or "",
                   action_link=row.get("action_link"),
                   milestones=json.loads(ms) if isinstance(ms, str) and ms else (ms or None),
                   version=int(row.get("version") or 1))

    def path_points(self) -> list[tuple[int, float]]:
        pts = [(self.baseline_year, self.baseline_value)]
        pts += [(int(m["year"]), float(m["value"])) for m in (self.milestones or [])]
        pts.append((self.target_year, self.target_value))
        return sorted(pts)

    def path_value(self, year: int) -> float:
        pts = self.path_points()
        if year <= pts[0][0]:
            return pts[0][1]
        for (y0, v0), (y1, v1) in zip(pts, pts[1:]):
            if y0 <= year <= y1:
                return v0 + (v1 - v0) * (year - y0) / (y1 - y0)
        return pts[-1][1]


@dataclass
class Status:
    status: str
    explanation: str
    latest: Result | None
    expected: float | None
    earliest_change: dt.date | None


def _better(m: Metric, a: float, b: float) -> bool:
    """a is at least as good as b."""
    return a <= b if m.direction == "lower_better" else a >= b


def status(engine: Engine, t: Target, today: dt.date) -> Status:
    m = engine.catalog.get(t.metric_id)
    series = [r for r in engine.series(m, t.area_code) if r.present]
    after = [r for r in series if r.year > t.baseline_year]
    src = releases.metric_source(m)
    latest_period = max((r.year for r in series), default=t.baseline_year)
    nxt = releases.release(src, latest_period, today)
    if not after:
        if nxt.published:
            return Status("geen nieuwe gegevens", f"De meting van {nxt.next_period} is gepubliceerd"
                          + (f" ({nxt.next_table})" if nxt.next_table else "") + ", maar nog niet in de database "
                          "geladen.", None, None, nxt.next_release)
        if releases.overdue(src, latest_period, today):
            return Status("geen nieuwe gegevens", "Er had een nieuwe meting moeten verschijnen, maar die is nog niet "
                          "in de database geladen.", None, None, nxt.next_release)
        return Status("te vroeg om te zeggen", f"Nog geen meting na het basisjaar {t.baseline_year}.",
                      None, None, nxt.next_release)
    latest = after[-1]
    base = next((r for r in series if r.year == t.baseline_year), None)
    if base is None:
        from .compute import Result as R
        base = R(t.area_code, m.id, t.baseline_year, t.baseline_value, "ok", "doel", base_population=latest.base_population)
    ch = engine.change(m, latest, base)
    expected = t.path_value(latest.year)
    exp_res = Result(t.area_code, m.id, latest.year, expected, "ok", "doelpad", base_population=latest.base_population)
    path_ch = engine.change(m, exp_res, base)
    gap = engine.compare(m, latest, exp_res, "het doelpad")
    if ch.meaningful and ch.favourable and _better(m, latest.value, t.target_value):
        st, why = "gehaald", f"{latest.year}: het doel is bereikt en de verandering is groter dan de marge."
    elif ch.meaningful and ch.favourable and (not gap.meaningful or _better(m, latest.value, expected)):
        st, why = "op koers", f"{latest.year}: duidelijke vooruitgang, op of voor het doelpad."
    elif not ch.meaningful and not path_ch.meaningful:
        st, why = "te vroeg om te zeggen", (f"{latest.year}: de verandering valt binnen de marge en het doelpad "
                                             "vraagt nog geen verandering die groter is dan de marge.")
    else:
        st, why = "achter op schema", (f"{latest.year}: {ch.label}; het doelpad verwacht hier "
                                        f"{expected:.1f}".replace(".", ",") + ".")
    return Status(st, why, latest, expected, nxt.next_release)
