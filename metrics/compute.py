"""The metrics engine: values for any area, area group or user-chosen set, for every year with data.

Rules (see docs/metrics.md):
1. An area's own published value is used when the source publishes it (status 'ok').
   A published-but-suppressed value ('geheim') stays missing; it is never derived or filled.
2. Otherwise (area groups, a gemeente/wijk without a published figure, Nederland) the value is derived
   from member areas: shares and means weighted by the metric's base population (persons 18+ for adult
   health shares, households for household shares, …) from the population year nearest to the
   measurement year; ratios of counts as sum(numerator) / sum(denominator); counts as sums; medians are
   never derived. Never an unweighted average of percentages.
3. A derived value says its coverage (share of the base population of the members that have a value);
   below MIN_COVERAGE it is withheld.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, replace
from typing import Iterable

from loaders.repository import Inputs  # noqa: F401  (the engine's input, read by loaders)

from . import margins
from .catalog import BASE_LABEL, Catalog, Metric

MIN_COVERAGE = 0.8

# Base population → (variables added, variables subtracted). 15+ stands in for 18+ (no 18+ counts per buurt).
BASE_FORMULA: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "inhabitants": (("AantalInwoners",), ()),
    "households": (("HuishoudensTotaal",), ()),
    "dwellings": (("Woningvoorraad",), ()),
    "persons_65plus": (("k_65JaarOfOuder",), ()),
    "persons_18plus": (("AantalInwoners",), ("k_0Tot15Jaar",)),
    "persons_18_64": (("AantalInwoners",), ("k_0Tot15Jaar", "k_65JaarOfOuder")),
}
BASE_NOTE = {
    "persons_18plus": "inwoners van 15 jaar en ouder als benadering van 18+",
    "persons_18_64": "inwoners van 15 tot 65 jaar als benadering van 18-64",
}


@dataclass
class Result:
    area_code: str
    metric_id: str
    year: int
    value: float | None
    status: str  # ok | geheim | ontbreekt
    method: str  # gepubliceerd | berekend | afgeleid | -
    sources: tuple[str, ...] = ()
    base_population: float | None = None
    base_year: int | None = None
    coverage: float | None = None
    n_members: int | None = None
    n_with_value: int | None = None
    numerator: float | None = None
    denominator: float | None = None
    note: str = ""
    se: float | None = None  # standard error (metrics/margins.py); None: unknown, no decision

    @property
    def present(self) -> bool:
        return self.value is not None and not (isinstance(self.value, float) and math.isnan(self.value))


@dataclass
class Comparison:
    diff: float | None
    threshold: float | None  # the 95% margin 1,96 · SE_d (None: no standard error, no decision)
    meaningful: bool
    label: str
    favourable: bool | None = None  # None: neutral metric or inside the margin

    @property
    def se(self) -> float | None:
        return None if self.threshold is None else self.threshold / margins.Z


class Engine:
    def __init__(self, inputs: Inputs, catalog: Catalog):
        self.inputs = inputs
        self.catalog = catalog
        obs = inputs.obs
        self._idx: dict[tuple[str, str, int], dict[str, tuple[float | None, str, str]]] = {}
        # One pass over plain lists (cells keyed by variable, age group and year in order of appearance).
        cols = [obs[c].tolist() for c in ("variable_code", "age_group", "year", "area_code", "status", "source_key")]
        for var, age, year, code, v, st, src in zip(*cols[:3], cols[3], obs["value"].astype(float).tolist(),
                                                   *cols[4:]):
            d = self._idx.get((var, age, year))
            if d is None:
                d = self._idx[(var, age, int(year))] = {}
            if code in d and d[code][1] == "ok":
                continue  # two sources for the same cell: keep the first usable one
            d[code] = (None if (v is None or math.isnan(v)) else float(v), st, src)
        self._years_by_var: dict[tuple[str, str], list[int]] = {}
        for var, age, year in self._idx:
            self._years_by_var.setdefault((var, age), []).append(year)
        for k in self._years_by_var:
            self._years_by_var[k].sort()
        a = inputs.areas.set_index("code")
        self.names: dict[str, str] = {c: (n if isinstance(n, str) and n else c) for c, n in a["name"].items()}
        self.level: dict[str, str] = a["level"].to_dict()
        self._buurten_by_gm: dict[str, list[str]] = {}
        self._buurten_by_wk: dict[str, list[str]] = {}
        for code, lvl, gm, parent in zip(a.index, a["level"], a["gemeente_code"], a["parent_code"]):
            if lvl == "buurt":
                self._buurten_by_gm.setdefault(gm, []).append(code)
                self._buurten_by_wk.setdefault(parent, []).append(code)
        self.group_members: dict[str, list[str]] = {}
        for g, code in zip(inputs.members["group_code"], inputs.members["area_code"]):
            self.group_members.setdefault(g, []).append(code)
        gnames = dict(zip(inputs.groups["group_code"], inputs.groups["name"]))
        self.names.update(gnames)
        for g in gnames:
            self.level[g] = "groep"
        self.table_of = dict(zip(inputs.sources["source_key"], inputs.sources["table_id"]))
        self._weight_cache: dict[tuple[str, str, int], tuple[float | None, int | None]] = {}
        # Published 95% intervals (observation_margins, loaded by a refresh of 50090NED/50120NED): SE per cell.
        self._published_se: dict[tuple[str, str, int, str], float] = {}
        pm = getattr(inputs, "margins", None)
        if pm is not None and not pm.empty:
            for var, age, year, code, lo, hi in zip(pm["variable_code"], pm["age_group"], pm["year"],
                                                    pm["area_code"], pm["lower"], pm["upper"]):
                se = margins.interval_se(None if lo != lo else lo, None if hi != hi else hi)
                if se is not None:
                    self._published_se[(var, age, int(year), code)] = se

    def latest_period_by_source(self) -> dict[str, int]:
        """Latest observation year per table id in the loaded observations."""
        out: dict[str, int] = {}
        obs = self.inputs.obs
        if obs.empty:
            return out
        for key, year in obs.groupby("source_key")["year"].max().items():
            t = self.table_of.get(key, key)
            out[t] = max(out.get(t, 0), int(year))
        return out

    # ------------------------------------------------------------------ lookups
    def name(self, code: str) -> str:
        if code.startswith("SET:"):
            return "Eigen selectie"
        return self.names.get(code, code)

    def cell(self, var: str, age: str, year: int, area: str):
        return self._idx.get((var, age, year), {}).get(area)

    def years(self, metric: Metric) -> list[int]:
        if not metric.available:
            return []
        var = metric.numerator if metric.kind == "ratio" else metric.variable
        return list(self._years_by_var.get((var, metric.age_group), []))  # type: ignore[arg-type]

    def members_of(self, area: str, metric: Metric | None = None, year: int | None = None) -> list[str]:
        if area.startswith("SET:"):
            return [c for c in area[4:].split(",") if c]
        if area in self.group_members:
            return self.group_members[area]
        lvl = self.level.get(area)
        if lvl == "gemeente":
            return self._buurten_by_gm.get(area, [])
        if lvl == "wijk":
            return self._buurten_by_wk.get(area, [])
        if lvl == "land" and metric is not None and year is not None:
            var = metric.numerator if metric.kind == "ratio" else metric.variable
            cells = self._idx.get((var, metric.age_group, year), {})  # type: ignore[arg-type]
            return [c for c in cells if self.level.get(c) == "gemeente"]
        return []

    def _base_at(self, area: str, base: str, year: int) -> float | None:
        plus, minus = BASE_FORMULA[base]
        total = 0.0
        for v in plus:
            c = self.cell(v, "totaal", year, area)
            if c is None or c[0] is None:
                return None
            total += c[0]
        for v in minus:
            c = self.cell(v, "totaal", year, area)
            if c is None or c[0] is None:
                return None
            total -= c[0]
        return total

    def weight(self, area: str, base: str, year: int, _depth: int = 0) -> tuple[float | None, int | None]:
        """Base population of an area from the population year nearest to `year` (ties: the earlier)."""
        key = (area, base, year)
        if key in self._weight_cache:
            return self._weight_cache[key]
        plus, _ = BASE_FORMULA[base]
        cands = sorted(self._years_by_var.get((plus[0], "totaal"), []), key=lambda y: (abs(y - year), y))
        result: tuple[float | None, int | None] = (None, None)
        for y in cands:
            w = self._base_at(area, base, y)
            if w is not None:
                result = (w, y)
                break
        if result[0] is None and _depth == 0 and (area in self.group_members or area.startswith("SET:")
                                                  or self.level.get(area) in ("land", "gemeente", "wijk")):
            mem = self.members_of(area) if self.level.get(area) != "land" else \
                [c for c, lv in self.level.items() if lv == "gemeente"]
            ws = [self.weight(m, base, year, _depth=1) for m in mem]
            ws = [w for w in ws if w[0] is not None]
            if ws:
                result = (sum(w for w, _ in ws), min((y for _, y in ws), key=lambda y: (abs(y - year), y)))
        self._weight_cache[key] = result
        return result

    # ------------------------------------------------------------------ values
    def _own(self, m: Metric, area: str, year: int) -> Result | None:
        """The area's own figure (published, or computed from its own published counts), or None."""
        if m.kind == "ratio":
            num = self.cell(m.numerator, m.age_group, year, area)  # type: ignore[arg-type]
            dens = [self.cell(d, m.age_group, year, area) for d in m.denominator]
            if num is None or any(d is None for d in dens):
                return None
            srcs = tuple(sorted({self.table_of.get(c[2], c[2]) for c in [num, *dens]}))
            if num[0] is None or any(d[0] is None for d in dens):
                st = "geheim" if "geheim" in {num[1], *(d[1] for d in dens)} else "ontbreekt"
                return Result(area, m.id, year, None, st, "-", srcs)
            den = sum(d[0] for d in dens)  # type: ignore[misc]
            if den <= 0:
                return Result(area, m.id, year, None, "ontbreekt", "-", srcs, note="noemer is 0")
            return Result(area, m.id, year, num[0] / den * m.factor, "ok", "berekend", srcs,
                          numerator=num[0], denominator=den)
        c = self.cell(m.variable, m.age_group, year, area)  # type: ignore[arg-type]
        if c is None:
            return None
        src = (self.table_of.get(c[2], c[2]),)
        if c[0] is None:
            return Result(area, m.id, year, None, c[1] if c[1] != "ok" else "ontbreekt", "-", src)
        return Result(area, m.id, year, c[0], "ok", "gepubliceerd", src)

    def _denominator(self, m: Metric, area: str, year: int) -> float | None:
        """The area's own denominator of a ratio metric (also when the numerator is missing), or None."""
        dens = [self.cell(d, m.age_group, year, area) for d in m.denominator]
        if dens and all(d is not None and d[0] is not None for d in dens):
            return sum(d[0] for d in dens)  # type: ignore[misc]
        return None

    def published_se(self, m: Metric, area: str, year: int) -> float | None:
        """RIVM's published interval as a standard error, when a refresh loaded it (share/mean metrics)."""
        if not self._published_se or m.kind == "ratio" or not m.variable:
            return None
        return self._published_se.get((m.variable, m.age_group, int(year), area))

    def own_se(self, m: Metric, r: Result, n: float | None) -> float | None:
        """The standard error of an area's own figure (published interval first, then the catalog rule)."""
        if not r.present:
            return None
        return margins.standard_error(m.margin, r.value, n, r.numerator, r.denominator, m.factor, 1,
                                      self.published_se(m, r.area_code, r.year))

    def _derive(self, m: Metric, area: str, year: int) -> Result:
        members = self.members_of(area, m, year)
        if not members:
            return Result(area, m.id, year, None, "ontbreekt", "-", note="geen gegevens")
        if m.kind == "median":
            return Result(area, m.id, year, None, "ontbreekt", "-",
                          note="een mediaan kan niet uit deelgebieden worden berekend")
        own = [(c, self._own(m, c, year)) for c in members]
        with_value = [(c, r) for c, r in own if r is not None and r.present]
        srcs = tuple(sorted({s for _, r in own if r is not None for s in r.sources}))
        if not with_value:
            return Result(area, m.id, year, None, "ontbreekt", "-", srcs, n_members=len(members), n_with_value=0,
                          note="geen van de deelgebieden heeft een waarde")
        level_word = "gemeenten" if self.level.get(area) == "land" else "buurten"
        if m.kind == "ratio":
            num = sum(r.numerator for _, r in with_value)  # type: ignore[misc]
            den = sum(r.denominator for _, r in with_value)  # type: ignore[misc]
            all_den = [d for d in (self._denominator(m, c, year) for c in members) if d is not None]
            total_den = sum(all_den) or den
            coverage = den / total_den if total_den else None
            # Members without any figure (no denominator either) count as missing, weighted by their base
            # population (a buurt without inhabitants does not lower the coverage).
            ws = {c: self.weight(c, m.base, year)[0] for c in members}
            total_w = sum(w for w in ws.values() if w)
            if total_w and coverage is not None:
                have_w = sum(ws[c] or 0 for c, _ in with_value)
                coverage = min(coverage, have_w / total_w)
            value = num / den * m.factor if den else None
            res = Result(area, m.id, year, value, "ok", "afgeleid", srcs, coverage=coverage,
                         n_members=len(members), n_with_value=len(with_value), numerator=num, denominator=den,
                         note=f"som van {len(with_value)} van {len(members)} {level_word}: teller gedeeld door noemer")
            res.se = margins.standard_error(m.margin, value, None, num, den, m.factor, len(with_value))
        elif m.kind == "count":
            value = sum(r.value for _, r in with_value)  # type: ignore[misc]
            ws = {c: self.weight(c, m.base, year)[0] for c in members}
            total_w = sum(w for w in ws.values() if w)
            have_w = sum(ws[c] or 0 for c, _ in with_value)
            coverage = have_w / total_w if total_w else len(with_value) / len(members)
            res = Result(area, m.id, year, value, "ok", "afgeleid", srcs, coverage=coverage,
                         n_members=len(members), n_with_value=len(with_value),
                         note=f"som van {len(with_value)} van {len(members)} {level_word}")
            res.se = margins.standard_error(m.margin, value, None, factor=m.factor, n_cells=len(with_value))
        else:  # share / mean: weighted by the base population
            ws = {c: self.weight(c, m.base, year) for c in members}
            num = den = 0.0
            used = 0
            wyears = set()
            var_num: float | None = 0.0  # Σ w² SE²: the variance of a weighted mean of independent members
            for c, r in with_value:
                w, wy = ws[c]
                if w is None or w <= 0:
                    continue
                num += r.value * w  # type: ignore[operator]
                den += w
                used += 1
                wyears.add(wy)
                se_c = r.se if r.se is not None else self.own_se(m, r, w)
                var_num = None if (var_num is None or se_c is None) else var_num + (w * se_c) ** 2
            total_w = sum(w for w, _ in ws.values() if w is not None and w > 0)
            if den <= 0:
                return Result(area, m.id, year, None, "ontbreekt", "-", srcs, n_members=len(members),
                              n_with_value=len(with_value), note="geen gewichten beschikbaar")
            coverage = den / total_w if total_w else None
            wyear_txt = "/".join(str(y) for y in sorted(wyears))
            note = (f"gewogen gemiddelde van {used} {level_word}, gewicht: {BASE_LABEL[m.base]} ({wyear_txt})")
            if m.base in BASE_NOTE:
                note += f"; {BASE_NOTE[m.base]}"
            res = Result(area, m.id, year, num / den, "ok", "afgeleid", srcs, base_population=total_w,
                         base_year=min(wyears, key=lambda y: (abs(y - year), y)) if wyears else None,
                         coverage=coverage, n_members=len(members), n_with_value=used, note=note,
                         se=None if var_num is None else math.sqrt(var_num) / den)
        if res.coverage is not None and res.coverage < MIN_COVERAGE - 1e-9:
            return replace(res, value=None, status="ontbreekt",
                           note=f"te weinig deelgebieden met gegevens (dekking {res.coverage:.0%})")
        if res.coverage is not None and res.coverage < 1 - 1e-9:
            res.note += f"; onvolledig: dekking {res.coverage * 100:.1f}%".replace(".", ",")
        return res

    def value(self, metric: Metric | str, area: str, year: int) -> Result:
        m = self.catalog.get(metric) if isinstance(metric, str) else metric
        if not m.available:
            return Result(area, m.id, year, None, "ontbreekt", "-", note="nog geen data")
        own = None if (area in self.group_members or area.startswith("SET:")) else self._own(m, area, year)
        res = own if own is not None else self._derive(m, area, year)
        if res.base_population is None:
            w, wy = self.weight(area, m.base, year)
            res.base_population, res.base_year = w, wy
        if m.kind == "ratio" and res.value is None and res.denominator is None and self.level.get(area) == "buurt":
            res.denominator = self._denominator(m, area, year)  # for the coverage of a set of buurten
        if res.present and res.se is None and res.method != "afgeleid":
            res.se = self.own_se(m, res, res.base_population)
        return res

    def series(self, metric: Metric | str, area: str) -> list[Result]:
        m = self.catalog.get(metric) if isinstance(metric, str) else metric
        return [self.value(m, area, y) for y in self.years(m)]

    def latest(self, metric: Metric | str, area: str) -> Result | None:
        present = [r for r in self.series(metric, area) if r.present]
        return present[-1] if present else None

    # ------------------------------------------------------------------ comparisons
    def contains(self, outer: str, inner: str) -> bool:
        """Is area `inner` part of area `outer` (a buurt of a gemeente or wijk, a member of a group, Nederland)?"""
        if outer == inner:
            return False
        if self.level.get(outer) == "land":
            return True
        if inner[:2] in ("BU", "WK") and outer[:2] == "GM":
            return inner[2:6] == outer[2:6]
        if inner[:2] == "BU" and outer[:2] == "WK":
            return inner[2:8] == outer[2:8]
        return inner in self.members_of(outer) if (outer in self.group_members or outer.startswith("SET:")) else False

    def overlap(self, a: Result, ref: Result) -> float:
        """N_a / N_ref when `a` lies inside `ref` (their estimates are positively correlated), else 0."""
        if not self.contains(ref.area_code, a.area_code):
            return 0.0
        na, nr = a.base_population, ref.base_population
        if na and nr and nr > 0:
            return min(na / nr, 1.0)
        if a.denominator and ref.denominator:
            return min(a.denominator / ref.denominator, 1.0)
        return 0.0

    def se_of(self, r: Result) -> float | None:
        """The standard error of a result (computed by the catalog rule when the result does not carry one)."""
        if r.se is not None or not r.present:
            return r.se
        return self.own_se(self.catalog.get(r.metric_id), r, r.base_population)

    def se_compare(self, a: Result, ref: Result) -> float | None:
        """SE of a − ref for two areas in the same year (covariance when `a` lies inside `ref`)."""
        return margins.se_difference(self.se_of(a), self.se_of(ref), self.overlap(a, ref))

    def _threshold(self, m: Metric, a: Result, b: Result) -> float | None:
        """The 95% margin of a − b: two years of one area (independent) or two areas (covariance if nested)."""
        if a.area_code == b.area_code:
            return margins.margin(margins.se_sum(self.se_of(a), self.se_of(b)))
        return margins.margin(self.se_compare(a, b))

    def compare(self, metric: Metric | str, a: Result, ref: Result, ref_name: str | None = None) -> Comparison:
        """Rank-free position of `a` against `ref` (e.g. Maastricht): real when |d| > 1,96 · SE_d."""
        m = self.catalog.get(metric) if isinstance(metric, str) else metric
        ref_name = ref_name or self.name(ref.area_code)
        if not (a.present and ref.present):
            return Comparison(None, None, False, "geen vergelijking mogelijk")
        diff = a.value - ref.value  # type: ignore[operator]
        thr = self._threshold(m, a, ref)
        if thr is None:
            return Comparison(diff, None, False, margins.NO_SE_LABEL)
        if not margins.is_meaningful(diff, thr):
            return Comparison(diff, thr, False, f"niet aantoonbaar anders dan {ref_name}")
        if m.direction == "neutral":
            return Comparison(diff, thr, True, f"{'hoger' if diff > 0 else 'lager'} dan {ref_name}")
        good = (diff > 0) == (m.direction == "higher_better")
        return Comparison(diff, thr, True, f"{'gunstiger' if good else 'minder gunstig'} dan {ref_name}", good)

    def change(self, metric: Metric | str, new: Result, old: Result) -> Comparison:
        """Change of one area between two years; inside the margin is never progress."""
        m = self.catalog.get(metric) if isinstance(metric, str) else metric
        if not (new.present and old.present):
            return Comparison(None, None, False, "geen vergelijking mogelijk")
        diff = new.value - old.value  # type: ignore[operator]
        thr = margins.margin(margins.se_sum(self.se_of(new), self.se_of(old)))
        if thr is None:
            return Comparison(diff, None, False, margins.NO_SE_LABEL)
        if not margins.is_meaningful(diff, thr):
            return Comparison(diff, thr, False, "binnen de marge")
        if m.direction == "neutral":
            return Comparison(diff, thr, True, "gestegen" if diff > 0 else "gedaald")
        good = (diff > 0) == (m.direction == "higher_better")
        return Comparison(diff, thr, True, "verbeterd" if good else "verslechterd", good)


def make_set(codes: Iterable[str]) -> str:
    """Area code for a user-chosen set of buurten."""
    return "SET:" + ",".join(sorted(set(codes)))
