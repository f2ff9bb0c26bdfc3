"""One uncertainty model: every estimate carries a standard error; a difference is real when |d| > 1,96 · SE_d.

Standard error of one estimate (catalog ``margin`` rule; the formulas are in docs/metrics.md, section Methode):

- **published interval** (RIVM 50090NED/50120NED 'Marges' where a refresh loaded them,
  ``observation_margins``): SE = (upper − lower) / (2 · 1,96). Always used first when present.
- ``model_share`` (RIVM small-area model estimates without a published interval): the binomial standard error
  of the share at the area's base population N (adults) times a design factor DEFT = :data:`MODEL_DEFT`:
  SE = DEFT · √(p (1 − p) / N) · 100 pp. DEFT = 2 means the model estimate is taken to be as precise as a
  simple random sample of a quarter of the adults; it reproduces the previous rule for a typical buurt
  (3,2 pp for a difference at 2.500 adults and p ≈ 20%) and is replaced by RIVM's intervals when they are loaded.
- ``binomial`` (register shares: a ratio of two CBS counts, or a published KWB percentage of a known base):
  SE² = p (1 − p) / N + rounding, in proportions. CBS rounds the counts to fives (``rounding``, default 5):
  a rounding error uniform on ±2,5 has variance 25/12 per count; numerator and denominator rounded give
  (25/12)(1 + p²)/N² per area (k member areas: k times that). A published percentage rounded to
  ``rounding_pp`` adds rounding_pp²/12.
- ``poisson`` (a ratio of counts per 1.000, e.g. bijstand or misdrijven): SE = factor · √(x + k · R²/12) / N,
  x the count, N the denominator, R the count rounding (``rounding``, 0 for exact police counts).
- ``poisson_rate`` (a published rate per 1.000 with population N): x = rate · N / 1.000, then as ``poisson``.
- ``poisson_count`` (a published count): SE = √(x + R²/12).
- ``relative`` (means such as income or WOZ value, no dispersion published): a fixed coefficient of variation,
  SE = value · r / (1,96 · √2), r the catalog value: two independent estimates then differ really when they differ
  by more than r of their value, as the previous rule said.

Combining (independence unless stated): a change of one area between two editions,
SE_d = √(SE_new² + SE_old²) (editions assumed independent: different survey waves or register years; for a
register stock this is conservative). A difference between an area and an area containing it (a buurt and its
gemeente or Nederland) uses the covariance of a weighted mean of independent members: Cov = (N_a / N_ref) · SE_a²,
so Var_d = SE_a² + SE_ref² − 2 (N_a / N_ref) SE_a². A difference of changes (buurt change minus city change) adds
the two years' difference variances. Without a standard error on either side there is no decision
("geen oordeel mogelijk"), never a default margin.
"""
from __future__ import annotations

import math

Z = 1.96          # two-sided 5%
Z_POWER = 0.84    # 80% power (one-sided 20%)
MODEL_DEFT = 2.0  # design factor of the RIVM model estimates (see module docstring)
COUNT_ROUNDING = 5.0
NO_SE_LABEL = "geen oordeel mogelijk (onzekerheid onbekend)"


def interval_se(lower: float | None, upper: float | None) -> float | None:
    """Standard error from a published 95% interval."""
    if lower is None or upper is None or upper < lower:
        return None
    return (upper - lower) / (2 * Z)


def _rounding_var(rule: dict) -> float:
    r = float(rule.get("rounding", COUNT_ROUNDING))
    return r * r / 12.0


def standard_error(rule: dict, value: float | None, n: float | None = None, numerator: float | None = None,
                   denominator: float | None = None, factor: float = 1.0, n_cells: int | None = None,
                   published: float | None = None) -> float | None:
    """The standard error of one estimate under the metric's rule (units of the metric); None when unknown.

    n: the base population (persons, households) of the area; numerator/denominator: the counts of a ratio;
    n_cells: how many areas' rounded counts were summed (1 for an area's own figure)."""
    if published is not None:
        return published
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    kind = rule.get("type")
    k = max(int(n_cells or 1), 1)
    if kind == "model_share":
        if not n or n <= 0:
            return None
        p = min(max(value / 100.0, 0.0), 1.0)
        return MODEL_DEFT * math.sqrt(p * (1 - p) / n) * 100.0
    if kind in ("binomial", "absolute"):
        base = denominator if denominator else n
        if not base or base <= 0:
            return None
        scale = factor if denominator else 100.0
        p = min(max(value / scale, 0.0), 1.0)
        var = p * (1 - p) / base
        if denominator or rule.get("counts", False):
            var += k * _rounding_var(rule) * (1 + p * p) / (base * base)
        rpp = rule.get("rounding_pp")
        se = math.sqrt(var) * scale
        if rpp:
            se = math.sqrt(se * se + float(rpp) ** 2 / 12.0)
        return se
    if kind in ("poisson", "poisson_rate"):
        if kind == "poisson_rate":
            if not n or n <= 0:
                return None
            numerator, denominator = value * n / factor, n
        if numerator is None or not denominator or denominator <= 0 or numerator < 0:
            return None
        rv = k * _rounding_var(rule) if kind == "poisson" else 0.0
        return factor * math.sqrt(max(numerator, 1.0) + rv) / denominator
    if kind == "poisson_count":
        return math.sqrt(max(value, 1.0) + k * _rounding_var(rule))
    if kind == "relative":
        return abs(value) * float(rule["value"]) / (Z * math.sqrt(2.0))
    raise ValueError(f"onbekende margeregel: {rule}")


def se_difference(se_a: float | None, se_b: float | None, overlap: float = 0.0) -> float | None:
    """SE of a − b. `overlap` = N_a / N_b when a is part of b (covariance (N_a/N_b)·SE_a²), else 0."""
    if se_a is None or se_b is None:
        return None
    var = se_a * se_a + se_b * se_b - 2.0 * min(max(overlap, 0.0), 1.0) * se_a * se_a
    return math.sqrt(max(var, 0.0))


def se_sum(*ses: float | None) -> float | None:
    """SE of a sum or difference of independent terms."""
    if any(s is None for s in ses):
        return None
    return math.sqrt(sum(s * s for s in ses))  # type: ignore[operator]


def margin(se_d: float | None) -> float | None:
    """The 95% margin of a difference: 1,96 · SE_d."""
    return None if se_d is None else Z * se_d


def detectable(se_d: float | None) -> float | None:
    """The smallest true change seen with 80% probability in a two-sided 5% test: (1,96 + 0,84) · SE_d."""
    return None if se_d is None else (Z + Z_POWER) * se_d


def is_meaningful(diff: float, thr: float | None) -> bool:
    """Strictly outside the margin (a difference exactly at the margin is inside); no margin, no finding."""
    if thr is None:
        return False
    return abs(diff) > thr + 1e-9
