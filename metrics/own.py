"""Own measurements as figures: value, 95% interval and disclosure control, from the uploaded data itself.

One row of ``own_values`` becomes an :class:`OwnFigure` by its indicator's soort and eenheid:

=============  ==============================  ===========================  ====================================
soort          value                           interval (metrics.intervals)  withheld when (suppress_below = S)
=============  ==============================  ===========================  ====================================
register       teller / noemer × 100 or 1.000  exact Poisson on the teller   teller < S or noemer < S
steekproef     aandeel                         Wilson on aandeel and n       n < S
score          gemiddelde                      t on gemiddelde, sd and n     n < S
aantal         aantal                          exact Poisson on the count    aantal < S
=============  ==============================  ===========================  ====================================

A withheld figure has no value, no interval and no rate (a rate next to a known denominator would reveal the
count); it is shown as "<10" (the count, or the n behind a share or score).
"""
from __future__ import annotations

import math
from dataclasses import dataclass

from loaders.config import SUPPRESS_BELOW

from . import intervals

SCALE = {"percentage": 100.0, "per_1000": 1000.0}
SUPPRESSED = f"<{SUPPRESS_BELOW}"


@dataclass(frozen=True)
class OwnFigure:
    indicator_id: str
    version: int
    area_code: str
    periode: str
    value: float | None
    lower: float | None
    upper: float | None
    suppressed: bool
    base: int | None  # the count behind the figure: noemer, n or the count itself (None when withheld)
    method: str  # how the interval was computed, in Dutch

    @property
    def se(self) -> float | None:
        """The standard error implied by the 95% interval (half its width over 1,96); for the asymmetric
        Poisson and Wilson intervals an approximation used only to combine figures."""
        if self.lower is None or self.upper is None:
            return None
        return (self.upper - self.lower) / (2 * intervals.Z)


def _num(v) -> float | None:
    if v is None:
        return None
    try:
        f = float(v)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(f) else f


def figure(soort: str, eenheid: str, row: dict, suppress_below: int = SUPPRESS_BELOW) -> OwnFigure:
    """The figure of one stored value row (a mapping with the own_values columns)."""
    key = (row["indicator_id"], int(row["version"]), row["area_code"], row["periode"])
    if soort == "register":
        teller, noemer = int(_num(row["teller"])), int(_num(row["noemer"]))
        if teller < suppress_below or noemer < suppress_below:
            return OwnFigure(*key, None, None, None, True, None, "")
        scale = SCALE[eenheid]
        lo, hi = intervals.poisson_rate(teller, noemer, scale)
        return OwnFigure(*key, teller / noemer * scale, lo, hi, False, noemer,
                         "exact Poisson-interval op de teller (noemer vast)")
    if soort == "steekproef":
        share, n = _num(row["aandeel"]), int(_num(row["n"]))
        if n < suppress_below:
            return OwnFigure(*key, None, None, None, True, None, "")
        lo, hi = intervals.wilson(share, n)
        return OwnFigure(*key, share, lo, hi, False, n, "Wilson-interval (steekproef)")
    if soort == "score":
        mean, sd, n = _num(row["gemiddelde"]), _num(row["sd"]), int(_num(row["n"]))
        if n < suppress_below:
            return OwnFigure(*key, None, None, None, True, None, "")
        ci = intervals.t_mean(mean, sd, n)
        lo, hi = ci if ci else (None, None)
        return OwnFigure(*key, mean, lo, hi, False, n, "t-interval op gemiddelde, sd en n")
    if soort == "aantal":
        count = int(_num(row["aantal"]))
        if count < suppress_below:
            return OwnFigure(*key, None, None, None, True, None, "")
        lo, hi = intervals.poisson_count(count)
        return OwnFigure(*key, float(count), lo, hi, False, count, "exact Poisson-interval op het aantal")
    raise ValueError(f"onbekende soort {soort!r}")


def period_sort_key(periode: str) -> tuple[int, int]:
    """'2025' sorts as the whole year, after its quarters: (2025, 5); '2025-K3' → (2025, 3)."""
    year, _, q = periode.partition("-K")
    return (int(year), int(q) if q else 5)


def period_midpoint(periode: str) -> float:
    """The period's position on a time axis in years: 2025 → 2025,5; 2025-K3 → 2025,625."""
    year, _, q = periode.partition("-K")
    return int(year) + ((int(q) - 0.5) / 4 if q else 0.5)
