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
from .participation import SECONDARY

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


# ---------------------------------------------------------------------------------------------- the store rows
# The rows the metric store keeps per own value (loaders.schema.own_figures), computed at upload time and at
# every build, refresh and import from the programme's stored values (metrics.store.compute_own_into).

CHANGE_WORDS = {"hoger_beter": "higher_better", "lager_beter": "lower_better", "neutraal": "neutral"}


def _key_count(soort: str, row: dict) -> float | None:
    """The count a figure reveals: teller (a rate times its shown noemer), n, or the count itself."""
    col = {"register": "teller", "steekproef": "n", "score": "n", "aantal": "aantal"}[soort]
    return _num(row.get(col))


def parent_of(code: str, present: set[str]) -> str | None:
    """The nearest shown area that contains ``code``: its wijk (WK + the buurt's 6 digits), else its gemeente."""
    if code.startswith("BU"):
        wk = "WK" + code[2:8]
        if wk in present:
            return wk
    if code[:2] in ("BU", "WK"):
        gm = "GM" + code[2:6]
        if gm in present:
            return gm
    return None


def _buurten_of(code: str, register: set[str]) -> set[str]:
    """The register's buurten an area stands for: a buurt itself, a wijk's or a gemeente's buurten."""
    if code.startswith("BU"):
        return {code}
    prefix = "BU" + (code[2:8] if code.startswith("WK") else code[2:6])
    return {b for b in register if b.startswith(prefix)}


def secondary(counts: dict[str, float], hidden: set[str], register: set[str] | None = None) -> set[str]:
    """Secondary suppression over the area hierarchy of one period: where a shown parent (wijk or gemeente)
    has exactly one hidden child and its children together cover the whole parent (every buurt of the area
    register, ``register``; without one they are assumed to), the hidden count would follow from parent − the
    other children, so the smallest other shown child is hidden too; without another child, the parent itself.
    Repeated until stable (hiding a parent can expose it in its own parent). Returns the extra areas to hide."""
    extra: set[str] = set()
    present = set(counts)
    while True:
        changed = False
        children: dict[str, list[str]] = {}
        for c in present:
            p = parent_of(c, present)
            if p is not None:
                children.setdefault(p, []).append(c)
        for p, kids in sorted(children.items()):
            if p in hidden or p in extra:
                continue
            gone = [k for k in kids if k in hidden or k in extra]
            if len(gone) != 1:
                continue
            if register is not None and not _buurten_of(p, register) <= set().union(
                    *(_buurten_of(k, register) for k in kids)):
                continue  # other, unshown parts of the parent: the difference is not the hidden count
            others = sorted((counts[k], k) for k in kids if k not in hidden and k not in extra)
            extra.add(others[0][1] if others else p)
            changed = True
        if not changed:
            return extra


def _change(richting: str, new: OwnFigure, old: OwnFigure) -> dict:
    from . import margins

    diff = new.value - old.value  # type: ignore[operator]
    thr = margins.margin(margins.se_sum(new.se, old.se))
    out = {"ref_periode": old.periode, "diff": diff, "threshold": thr, "meaningful": False, "favourable": None}
    if thr is None:
        return {**out, "label": margins.NO_SE_LABEL}
    if not margins.is_meaningful(diff, thr):
        return {**out, "label": "binnen de marge"}
    if richting == "neutraal":
        return {**out, "meaningful": True, "label": "gestegen" if diff > 0 else "gedaald"}
    good = (diff > 0) == (richting == "hoger_beter")
    return {**out, "meaningful": True, "label": "verbeterd" if good else "verslechterd", "favourable": good}


def sort_number(periode: str) -> int:
    """An integer that orders periods (2025-K3 → 20253, 2025 → 20255)."""
    y, q = period_sort_key(periode)
    return y * 10 + q


def store_rows(definitions: list[dict], values: list[dict], suppress_below: int = SUPPRESS_BELOW,
               register: set[str] | None = None) -> list[dict]:
    """Every value of the current definitions as a store row: figure, interval, primary and secondary
    suppression, and the change since the area's first shown period (same rule and words as for the CBS
    metrics: a change inside the combined 95% margin is 'binnen de marge', never progress)."""
    out = []
    for d in definitions:
        mine = [v for v in values if v["indicator_id"] == d["indicator_id"] and int(v["version"]) == int(d["version"])]
        figs: dict[tuple[str, str], OwnFigure] = {}
        for v in mine:
            figs[(v["area_code"], v["periode"])] = figure(d["soort"], d["eenheid"], v, suppress_below)
        by_period: dict[str, dict[str, float]] = {}
        for v in mine:
            c = _key_count(d["soort"], v)
            by_period.setdefault(v["periode"], {})[v["area_code"]] = c if c is not None else 0.0
        hide2: set[tuple[str, str]] = set()
        for periode, counts in by_period.items():
            hidden = {a for a in counts if figs[(a, periode)].suppressed}
            hide2 |= {(a, periode) for a in secondary(counts, hidden, register)}
        rows = []
        for (area, periode), f in figs.items():
            second = (area, periode) in hide2
            rows.append({"indicator_id": f.indicator_id, "version": f.version, "area_code": area, "periode": periode,
                         "sort_key": sort_number(periode),
                         "value": None if second else f.value, "lower": None if second else f.lower,
                         "upper": None if second else f.upper,
                         "shown": "" if not (f.suppressed or second) else (SUPPRESSED if f.suppressed else SECONDARY),
                         "base": None if second else f.base, "method": f.method,
                         "ref_periode": None, "diff": None, "threshold": None, "meaningful": False,
                         "label": "", "favourable": None, "_fig": f})
        rows.sort(key=lambda r: (r["area_code"], r["sort_key"]))
        first: dict[str, dict] = {}
        for r in rows:
            if r["value"] is None:
                continue
            f0 = first.setdefault(r["area_code"], r)
            if f0 is not r:
                r.update(_change(d["richting"], r["_fig"], f0["_fig"]))
        for r in rows:
            del r["_fig"]
        out.extend(rows)
    return out
