"""95% intervals for the programme's own measurements, computed from the data itself.

- a share from a sample (``steekproef``: aandeel + n respondents): the Wilson score interval;
- a register count, or a rate with a register count as numerator (``register``: teller/noemer, ``aantal``): the
  exact (Garwood) Poisson interval for the count, divided by the fixed denominator;
- a mean score (``score``: gemiddelde + sd + n): mean ± t(0,975; n−1) · sd / √n.

Every function returns ``(lower, upper)`` in the unit of the value, or ``None`` when no interval exists
(n = 1 for a score). Formulas and a worked example per rule are in docs/eigen-metingen.md.
"""
from __future__ import annotations

import functools
import math
import statistics

CONFIDENCE = 0.95
Z = statistics.NormalDist().inv_cdf(0.5 + CONFIDENCE / 2)  # 1,95996…

# scipy.special is imported where an interval is computed (an upload, a build), not when a page imports this
# module: pages read the stored intervals, and scipy's import tree (~400 modules, ~0,25 s) is then never loaded.


def wilson(share_pct: float, n: int, z: float = Z) -> tuple[float, float]:
    """Wilson score interval for a share (in %) observed in ``n`` respondents."""
    if n < 1:
        raise ValueError("n moet minstens 1 zijn")
    p = share_pct / 100.0
    z2 = z * z
    centre = (p + z2 / (2 * n)) / (1 + z2 / n)
    half = z / (1 + z2 / n) * math.sqrt(p * (1 - p) / n + z2 / (4 * n * n))
    return (max(0.0, centre - half) * 100.0, min(1.0, centre + half) * 100.0)


def poisson_count(count: int, confidence: float = CONFIDENCE) -> tuple[float, float]:
    """Exact (Garwood) interval for a Poisson count: χ²(α/2; 2k)/2 … χ²(1−α/2; 2k+2)/2."""
    if count < 0:
        raise ValueError("een aantal kan niet negatief zijn")
    return _garwood(int(count), confidence)


@functools.lru_cache(maxsize=65536)
def _garwood(count: int, confidence: float) -> tuple[float, float]:
    # χ²(q; 2k)/2 is the inverse regularised gamma function P⁻¹(k, q): the same numbers as stats.chi2.ppf, as one
    # ufunc call instead of scipy's generic distribution machinery (about 100 times faster per call).
    from scipy import special

    alpha = 1 - confidence
    lower = 0.0 if count == 0 else float(special.gammaincinv(count, alpha / 2))
    upper = float(special.gammaincinv(count + 1, 1 - alpha / 2))
    return (lower, upper)


def poisson_rate(numerator: int, denominator: float, scale: float) -> tuple[float, float]:
    """Interval for ``numerator / denominator × scale`` (scale 100 for a percentage, 1.000 per 1.000): the
    count's exact Poisson interval over the fixed denominator."""
    if denominator <= 0:
        raise ValueError("de noemer moet groter dan 0 zijn")
    lo, hi = poisson_count(numerator)
    return (lo / denominator * scale, hi / denominator * scale)


def t_mean(mean: float, sd: float, n: int, confidence: float = CONFIDENCE) -> tuple[float, float] | None:
    """mean ± t(1−α/2; n−1) · sd/√n; None for n = 1 (no spread can be estimated)."""
    if n < 1:
        raise ValueError("n moet minstens 1 zijn")
    if sd < 0:
        raise ValueError("de standaardafwijking kan niet negatief zijn")
    if n == 1:
        return None
    from scipy import special

    half = float(special.stdtrit(n - 1, 0.5 + confidence / 2)) * sd / math.sqrt(n)  # t quantile (= stats.t.ppf)
    return (mean - half, mean + half)
