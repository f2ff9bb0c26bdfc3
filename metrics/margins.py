"""When is a change or a difference meaningful? One documented rule per metric (catalog `margin`).

The thresholds are for a *difference* between two values (two years of one area, or two areas):

- ``model_share`` (50090NED small-area model estimates, no published margins): the difference must exceed
  ``max(2, 5 × √(1000 / N))`` percentage points, N = the base population (e.g. adults) of the smaller
  area. 2.500 adults → 3,2 pp; 1.000 → 5 pp; 250 → 10 pp; large areas → 2 pp. A rule of thumb in the
  spirit of RIVM's buurt-level intervals, not a statistical test; it is deliberately conservative.
- ``absolute`` (register shares, published rounded): the difference must exceed ``value`` points.
- ``relative`` (means, counts): the difference must exceed ``value`` × the larger of the two values.
- ``poisson`` (ratio of counts, e.g. misdrijven per 1.000): 1,96 × √(counts) on each side, combined.
- ``poisson_rate`` (a published rate per 1.000 with population N): counts = rate × N / 1.000.

A difference inside the threshold is "binnen de marge" and is never called an improvement.
"""
from __future__ import annotations

import math

MODEL_MIN_PP = 2.0
MODEL_SCALE_PP = 5.0
UNKNOWN_BASE_PP = 5.0


def _poisson_margin(count: float | None, population: float | None, factor: float) -> float | None:
    if count is None or population is None or population <= 0 or count < 0:
        return None
    return 1.96 * math.sqrt(max(count, 1.0)) / population * factor


def threshold(rule: dict, a: float, b: float, n_a: float | None = None, n_b: float | None = None,
              counts: tuple[float | None, float | None] = (None, None),
              dens: tuple[float | None, float | None] = (None, None), factor: float = 1.0) -> float:
    """The minimum absolute difference between a and b that counts as meaningful."""
    kind = rule.get("type")
    if kind == "model_share":
        ns = [n for n in (n_a, n_b) if n is not None and n > 0]
        if not ns:
            return UNKNOWN_BASE_PP
        return max(MODEL_MIN_PP, MODEL_SCALE_PP * math.sqrt(1000.0 / min(ns)))
    if kind == "absolute":
        return float(rule["value"])
    if kind == "relative":
        return float(rule["value"]) * max(abs(a), abs(b))
    if kind in ("poisson", "poisson_rate"):
        if kind == "poisson_rate":
            counts = (a * n_a / factor if n_a else None, b * n_b / factor if n_b else None)
            dens = (n_a, n_b)
        ma = _poisson_margin(counts[0], dens[0], factor)
        mb = _poisson_margin(counts[1], dens[1], factor)
        if ma is None or mb is None:
            return 0.1 * max(abs(a), abs(b))  # unknown counts: 10% relative, conservative
        return math.sqrt(ma * ma + mb * mb)
    raise ValueError(f"onbekende margeregel: {rule}")


def is_meaningful(diff: float, thr: float) -> bool:
    """Strictly outside the threshold (a difference exactly at the threshold is inside)."""
    return abs(diff) > thr + 1e-9
