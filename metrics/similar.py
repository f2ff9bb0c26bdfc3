"""Comparisons for the Vergelijken page (pure functions, no Streamlit).

Three views of one focus buurt:

a. the spread of all buurten of its own gemeente for one metric and year (a distribution, never a ranking);
b. the focus buurt next to reference areas (Maastricht, Nederland, Heerlen, Heerlen-Noord) over the years,
   with the engine's comparison labels (the margins are the engine's, see metrics/margins.py);
c. similar buurten elsewhere in the Netherlands, found by an explainable profile match, and how they moved.

Profile match (c), step by step:

1. Profile: the six indicators in :data:`PROFILE_METRICS` (50090NED, adults 18+, RIVM model estimates). They are
   the only buurt-level indicators published for every buurt of the country in the shipped data (population,
   age structure and urbanity are only loaded for Maastricht and Heerlen). They cover money worries, experienced
   health, loneliness, mental health and two lifestyle traits.
2. Measured in a baseline year (:data:`BASELINE_YEARS`) so that what happened afterwards (e.g. 2016→2020) is an
   outcome of the comparison, not an input to it.
3. Standardise each variable as a z-score over *all* buurten of the country with a complete profile in that year
   (unweighted: one buurt, one observation; population standard deviation, ddof = 0).
4. Candidates: every buurt with a complete profile, except the focus buurt itself, the buurten of the focus
   buurt's own gemeente (those are view a) and the buurten of the other national area programmes (the 20 NPLV
   focus areas, Heerlen-Noord included: config/programme.toml [nplv], CBS wijk codes of indeling 2020, the
   indeling of 50090NED; a buurt is out when its code lies in such a wijk). Buurten with a missing or suppressed
   profile value are left out, never filled in.
5. Distance: Mahalanobis, d² = (x − f)ᵀ S⁻¹ (x − f), S the covariance matrix of the profile over the same
   buurten (ddof = 0). Four of the six traits correlate 0,83–0,92 with money worries; a Euclidean distance would
   count that one dimension about four times. The contribution of trait k is (x_k − f_k) · [S⁻¹ (x − f)]_k; the
   contributions add up to d² (a contribution can be negative when correlated traits offset each other).
   ``method="euclidean"`` gives the plain distance of the z-scores (d² = Σ_k ((x_k − f_k) / s_k)²).
6. The N nearest buurten (ties broken by buurt code) are the similar buurten: who is comparable, not who is better.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Iterable, Sequence

import numpy as np
import pandas as pd

from loaders.config import HEERLEN, MAASTRICHT, NEDERLAND

from . import fmt
from .catalog import Catalog, Metric
from .compute import Comparison, Engine, Result

# ---------------------------------------------------------------------- constants

PROFILE_METRICS: tuple[str, ...] = (
    "moeite_met_rondkomen",
    "ervaren_gezondheid",
    "eenzaam",
    "risico_angst_depressie",
    "overgewicht",
    "roken",
)
PROFILE_SOURCE = "50090NED"
BASELINE_YEARS: tuple[int, ...] = (2012, 2016)
DEFAULT_BASELINE = 2016
DEFAULT_N = 10

REFERENCE_AREAS: tuple[str, ...] = (MAASTRICHT, NEDERLAND, HEERLEN, "HEERLEN_NOORD")
COMPARE_WITH: tuple[str, ...] = (HEERLEN, "HEERLEN_NOORD", MAASTRICHT, NEDERLAND)


class ProfileUnavailable(ValueError):
    """The focus buurt has no complete profile in the chosen year (message is safe to show)."""


# ---------------------------------------------------------------------- profile definition

@dataclass(frozen=True)
class ProfileVariable:
    code: str  # variable code in the observations table
    label: str  # Dutch label from the metric catalog
    unit: str
    metric_id: str


def profile_variables(catalog: Catalog, metric_ids: Sequence[str] = PROFILE_METRICS) -> list[ProfileVariable]:
    """The profile variables, labelled from the catalog (the one place where metrics are defined)."""
    out = []
    for mid in metric_ids:
        m = catalog.get(mid)
        if m.kind != "share" or not m.variable or PROFILE_SOURCE not in m.sources:
            raise ValueError(f"{mid} is geen landelijk beschikbaar buurtkenmerk uit {PROFILE_SOURCE}")
        out.append(ProfileVariable(m.variable, m.label, m.unit, m.id))
    ages = {catalog.get(mid).age_group for mid in metric_ids}
    if len(ages) != 1:
        raise ValueError("alle profielkenmerken moeten dezelfde leeftijdsgroep hebben")
    return out


def profile_age_group(catalog: Catalog, metric_ids: Sequence[str] = PROFILE_METRICS) -> str:
    return catalog.get(metric_ids[0]).age_group


def nationally_available(m: Metric) -> bool:
    """Can this metric be read for every buurt of the country (a published 50090NED share)?"""
    return m.available and m.kind == "share" and bool(m.variable) and tuple(m.sources) == (PROFILE_SOURCE,)


# ---------------------------------------------------------------------- the match

@dataclass
class Match:
    area_code: str
    name: str | None
    gemeente_code: str | None
    distance: float
    values: dict[str, float]
    z_diff: dict[str, float]  # (x_k - f_k) / s_k
    contributions: dict[str, float]  # sums to distance**2 (see the module docstring)
    population: dict[str, float] = field(default_factory=dict)  # base population per catalog base (KWB 2020)


@dataclass
class MatchResult:
    focus: str
    focus_name: str | None
    focus_gemeente: str | None
    year: int | None
    variables: tuple[str, ...]
    focus_values: dict[str, float]
    mean: dict[str, float]
    sd: dict[str, float]
    n_buurten: int  # buurten in the profile table
    n_complete: int  # with every profile value present (the standardisation base)
    n_missing: int  # left out for a missing or suppressed profile value
    n_same_gemeente: int  # left out because they lie in an excluded gemeente (focus buurt not counted)
    n_candidates: int
    excluded_gemeenten: tuple[str, ...]
    matches: list[Match] = field(default_factory=list)
    n_programme: int = 0  # left out because they lie in another national area programme (config [nplv])


def result_from_dict(d: dict) -> MatchResult:
    """A MatchResult from its ``dataclasses.asdict`` form (the stored match, see metrics.store)."""
    d = dict(d)
    d["variables"] = tuple(d["variables"])
    d["excluded_gemeenten"] = tuple(d["excluded_gemeenten"])
    d["matches"] = [Match(**m) for m in d["matches"]]
    return MatchResult(**d)


def standardisation(profile: pd.DataFrame, variables: Sequence[str]) -> tuple[pd.Series, pd.Series]:
    """Mean and population standard deviation per variable over the buurten with a complete profile."""
    complete = profile.dropna(subset=list(variables))
    x = complete[list(variables)].astype(float)
    return x.mean(), x.std(ddof=0)


def programme_buurt(code: str, wijken: Sequence[str] | None = None) -> bool:
    """Is the buurt part of another national area programme (its wijk is in config [nplv] wijken)?"""
    from loaders.config import nplv_wijken

    ws = nplv_wijken() if wijken is None else wijken
    return isinstance(code, str) and code.startswith("BU") and ("WK" + code[2:8]) in set(ws)


def match(profile: pd.DataFrame, focus: str, variables: Sequence[str], n: int = DEFAULT_N,
          exclude_gemeenten: Iterable[str] | None = None, year: int | None = None,
          method: str = "mahalanobis", exclude_wijken: Sequence[str] | None = None) -> MatchResult:
    """The `n` buurten nearest to `focus` in standardised profile space (see the module docstring).

    `profile` is a wide table: area_code, name, gemeente_code, one column per variable (NaN = missing).
    `exclude_gemeenten` defaults to the focus buurt's own gemeente.
    """
    variables = tuple(variables)
    if not variables:
        raise ValueError("geen profielkenmerken opgegeven")
    missing_cols = [v for v in variables if v not in profile.columns]
    if missing_cols:
        raise ProfileUnavailable("het buurtprofiel mist de kenmerken " + ", ".join(missing_cols))
    focus_rows = profile[profile["area_code"] == focus]
    if focus_rows.empty:
        raise ProfileUnavailable(f"{focus} staat niet in het landelijke buurtbestand van dit jaar")
    frow = focus_rows.iloc[0]
    fvals = {v: frow[v] for v in variables}
    absent = [v for v, x in fvals.items() if x is None or pd.isna(x)]
    if absent:
        raise ProfileUnavailable(f"het profiel van {frow['name'] or focus} is niet compleet (geen gegevens voor "
                                 + ", ".join(absent) + ")")
    focus_gm = frow["gemeente_code"] if isinstance(frow["gemeente_code"], str) else None
    excluded = tuple(sorted(set(exclude_gemeenten) if exclude_gemeenten is not None
                            else ({focus_gm} if focus_gm else set())))

    mean, sd = standardisation(profile, variables)
    scale = sd.where(sd > 0, 1.0)  # a constant variable: every difference is 0, so any scale will do

    complete_mask = profile[list(variables)].notna().all(axis=1)
    from loaders.config import nplv_wijken
    ws = tuple(nplv_wijken() if exclude_wijken is None else exclude_wijken)
    wk = "WK" + profile["area_code"].astype(str).str[2:8]
    in_programme = profile["area_code"].astype(str).str.startswith("BU") & wk.isin(set(ws))
    in_excluded = profile["gemeente_code"].isin(excluded) | in_programme
    not_focus = profile["area_code"] != focus
    cand = profile[complete_mask & ~in_excluded & not_focus]

    x = cand[list(variables)].to_numpy(dtype=float)
    f = np.array([float(fvals[v]) for v in variables])
    s = scale[list(variables)].to_numpy(dtype=float)
    z = (x - f) / s
    if method == "mahalanobis" and len(variables) > 1:
        allx = profile.loc[complete_mask, list(variables)].to_numpy(dtype=float)
        cov = np.cov(allx, rowvar=False, ddof=0)
        inv = np.linalg.pinv(cov)  # pseudo-inverse: a constant or collinear trait adds nothing
        diff = x - f
        contrib = diff * (diff @ inv)
    elif method in ("mahalanobis", "euclidean"):
        contrib = z ** 2
    else:
        raise ValueError(f"onbekende afstandsmaat: {method}")
    d2 = np.maximum(contrib.sum(axis=1), 0.0)
    order = np.lexsort((cand["area_code"].to_numpy(), d2))[: max(int(n), 0)]

    matches = []
    for i in order:
        row = cand.iloc[i]
        matches.append(Match(
            area_code=row["area_code"],
            name=row["name"] if isinstance(row["name"], str) and row["name"] else None,
            gemeente_code=row["gemeente_code"] if isinstance(row["gemeente_code"], str) else None,
            distance=float(math.sqrt(d2[i])),
            values={v: float(x[i, k]) for k, v in enumerate(variables)},
            z_diff={v: float(z[i, k]) for k, v in enumerate(variables)},
            contributions={v: float(contrib[i, k]) for k, v in enumerate(variables)},
        ))
    return MatchResult(
        focus=focus, focus_name=frow["name"] if isinstance(frow["name"], str) else None, focus_gemeente=focus_gm,
        year=year, variables=variables, focus_values={v: float(fvals[v]) for v in variables},
        mean={v: float(mean[v]) for v in variables}, sd={v: float(sd[v]) for v in variables},
        n_buurten=len(profile), n_complete=int(complete_mask.sum()), n_missing=int((~complete_mask).sum()),
        n_same_gemeente=int((complete_mask & in_excluded & ~in_programme & not_focus).sum()),
        n_candidates=len(cand), n_programme=int((complete_mask & in_programme & not_focus).sum()),
        excluded_gemeenten=excluded, matches=matches,
    )


# ---------------------------------------------------------------------- explaining the match

def display_name(code: str, name: str | None, gemeente: str | None = None) -> str:
    base = name if name else f"buurt {code}"
    return f"{base} ({gemeente})" if gemeente else base


def explanation(result: MatchResult, variables: Sequence[ProfileVariable],
                gemeente_names: dict[str, str] | None = None) -> pd.DataFrame:
    """Long table, one row per match and profile variable: the values side by side and the contribution."""
    gemeente_names = gemeente_names or {}
    rows = []
    for m in result.matches:
        d2 = m.distance ** 2
        for pv in variables:
            v = pv.code
            rows.append({
                "area_code": m.area_code,
                "buurt": display_name(m.area_code, m.name),
                "gemeente": gemeente_names.get(m.gemeente_code or "", m.gemeente_code),
                "kenmerk": pv.label,
                "variable": v,
                "focus_waarde": result.focus_values[v],
                "waarde": m.values[v],
                "verschil": m.values[v] - result.focus_values[v],
                "verschil_sd": m.z_diff[v],
                "bijdrage": m.contributions[v],
                "aandeel": (m.contributions[v] / d2) if d2 > 0 else 0.0,
                "afstand": m.distance,
            })
    return pd.DataFrame(rows, columns=["area_code", "buurt", "gemeente", "kenmerk", "variable", "focus_waarde",
                                       "waarde", "verschil", "verschil_sd", "bijdrage", "aandeel", "afstand"])


CLOSE_SD = 0.25  # a difference below a quarter standard deviation is called "vrijwel gelijk"


def why(match_: Match, result: MatchResult, variables: Sequence[ProfileVariable], focus_name: str) -> str:
    """One plain-Dutch sentence: on which traits the buurt is close, and where most of the distance sits."""
    labels = {pv.code: pv.label.lower() for pv in variables}
    units = {pv.code: pv.unit for pv in variables}
    close = [v for v in result.variables if abs(match_.z_diff[v]) < CLOSE_SD]
    d2 = match_.distance ** 2
    parts = []
    if close and len(close) == len(result.variables):
        parts.append(f"Vrijwel gelijk aan {focus_name} in alle {len(close)} kenmerken")
    elif close:
        names = [labels[v] for v in close]
        txt = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " en " + names[-1]
        parts.append(f"Vrijwel gelijk aan {focus_name} in {txt}")
    if d2 > 0:
        top = max(result.variables, key=lambda v: (match_.contributions[v], v))
        share = match_.contributions[top] / d2
        parts.append(f"grootste verschil in {labels[top]}: {fmt.value(match_.values[top], units[top])} tegen "
                     f"{fmt.value(result.focus_values[top], units[top])} "
                     f"({fmt.number(share * 100, 0)}% van de afstand)")
    else:
        parts.append(f"hetzelfde profiel als {focus_name}")
    s = "; ".join(parts)
    return s[0].upper() + s[1:] + "."


def match_table(result: MatchResult, variables: Sequence[ProfileVariable], focus_name: str,
                gemeente_names: dict[str, str] | None = None, include_focus: bool = True) -> pd.DataFrame:
    """One row per similar buurt (nearest first; the focus buurt on top) with the profile values and the
    explanation, formatted for the page."""
    gemeente_names = gemeente_names or {}
    rows = []
    if include_focus:
        row = {"Buurt": f"{focus_name} (focusbuurt)", "Buurtcode": result.focus,
               "Gemeente": gemeente_names.get(result.focus_gemeente or "", result.focus_gemeente or ""),
               "Afstand": "–"}
        for pv in variables:
            row[pv.label] = fmt.value(result.focus_values[pv.code], pv.unit)
        row["Waarom vergelijkbaar"] = f"Het profiel van {focus_name} in {result.year}." if result.year else ""
        rows.append(row)
    for m in result.matches:
        row = {"Buurt": display_name(m.area_code, m.name), "Buurtcode": m.area_code,
               "Gemeente": gemeente_names.get(m.gemeente_code or "", m.gemeente_code or ""),
               "Afstand": fmt.number(m.distance, 2)}
        for pv in variables:
            row[pv.label] = fmt.value(m.values[pv.code], pv.unit)
        row["Waarom vergelijkbaar"] = why(m, result, variables, focus_name)
        rows.append(row)
    return pd.DataFrame(rows)


# ---------------------------------------------------------------------- how the matches moved

POPULATION_VARIABLES = ("AantalInwoners", "k_0Tot15Jaar", "k_65JaarOfOuder")


def base_populations(counts: dict[str, float | None]) -> dict[str, float]:
    """The catalog bases of a buurt from its KWB counts (inwoners, 0-14, 65+), the engine's formulas
    (metrics/compute.py BASE_FORMULA: 15+ stands in for 18+)."""
    inh, kids, old = (counts.get(v) for v in POPULATION_VARIABLES)
    out: dict[str, float] = {}
    if inh is not None:
        out["inhabitants"] = float(inh)
        if kids is not None:
            out["persons_18plus"] = float(inh - kids)
            if old is not None:
                out["persons_18_64"] = float(inh - kids - old)
    if old is not None:
        out["persons_65plus"] = float(old)
    return out


def national_result(metric: Metric, area: str, year: int, value, status: str = "ok",
                    base_population: float | None = None) -> Result:
    """A Result for a buurt outside the engine's gemeenten (published 50090NED value; base population from the
    national KWB 2020 buurt counts when known, so its standard error follows the same rule as the focus buurt's)."""
    present = value is not None and not (isinstance(value, float) and math.isnan(value))
    return Result(area, metric.id, int(year), float(value) if present else None,
                  status if not present and status != "ok" else ("ok" if present else "ontbreekt"),
                  "gepubliceerd" if present else "-", (PROFILE_SOURCE,), base_population=base_population,
                  base_year=2020 if base_population is not None else None)


def movement(engine: Engine, metric: Metric, focus: str, result: MatchResult, series: pd.DataFrame,
             names: dict[str, str], from_year: int, to_year: int) -> pd.DataFrame:
    """One row per buurt (focus first, then the matches nearest first) and year, with the engine's change label.

    `series` holds area_code, year, value, status of `metric` for the matched buurten (from the national data).
    Values of buurten the engine knows (the focus buurt, Heerlen buurten) come from the engine; other buurten carry
    their KWB 2020 base population (Match.population), so every row is decided by the same standard-error rule
    (metrics/margins.py); a buurt without a known population gets no decision.
    """
    years = sorted({int(y) for y in engine.years(metric)} | {int(y) for y in series.get("year", [])})
    rows = []
    by_area = {a: g for a, g in series.groupby("area_code")} if not series.empty else {}

    def add(area: str, role: str, results: dict[int, Result], default_name: str):
        new, old = results.get(to_year), results.get(from_year)
        ch = engine.change(metric, new, old) if (new is not None and old is not None) \
            else Comparison(None, None, False, "geen vergelijking mogelijk")
        for y in years:
            r = results.get(y)
            rows.append({"area_code": area, "buurt": names.get(area) or default_name, "rol": role, "jaar": y,
                         "waarde": r.value if r is not None and r.present else None,
                         "status": r.status if r is not None else "ontbreekt",
                         "verandering": ch.diff, "marge": ch.threshold, "oordeel": ch.label,
                         "gunstig": ch.favourable if ch.meaningful else None})

    add(focus, "focus", {y: engine.value(metric, focus, y) for y in years}, engine.name(focus))
    for m in result.matches:
        g = by_area.get(m.area_code)
        res: dict[int, Result] = {}
        if engine.level.get(m.area_code) == "buurt":  # e.g. a Heerlen buurt: the engine knows its population
            res = {y: engine.value(metric, m.area_code, y) for y in years}
        elif g is not None:
            n = (m.population or {}).get(metric.base)
            for y, v, st in zip(g["year"], g["value"], g["status"]):
                res[int(y)] = national_result(metric, m.area_code, int(y), v, st, n)
        add(m.area_code, "vergelijkbaar", res, display_name(m.area_code, m.name))
    return pd.DataFrame(rows, columns=["area_code", "buurt", "rol", "jaar", "waarde", "status", "verandering",
                                       "marge", "oordeel", "gunstig"])


def movement_table(mv: pd.DataFrame, unit: str, from_year: int, to_year: int) -> pd.DataFrame:
    """Wide, formatted: one row per buurt (focus first, then nearest first), a column per year, the change."""
    years = sorted(int(y) for y in mv["jaar"].unique())
    rows = []
    for area, g in mv.groupby("area_code", sort=False):
        first = g.iloc[0]
        row = {"Buurt": first["buurt"] + (" (focusbuurt)" if first["rol"] == "focus" else "")}
        vals = dict(zip(g["jaar"].astype(int), g["waarde"]))
        for y in years:
            row[str(y)] = fmt.value(vals.get(y), unit)
        diff = first["verandering"]
        row[f"Verandering {from_year}–{to_year}"] = fmt.delta(None if diff is None or pd.isna(diff) else diff, unit)
        row["Beoordeling (marge)"] = first["oordeel"]
        rows.append(row)
    return pd.DataFrame(rows)


def movement_summary(mv: pd.DataFrame) -> dict[str, int]:
    """How many of the similar buurten fall under each change label (focus buurt not counted)."""
    per_buurt = mv[mv["rol"] == "vergelijkbaar"].drop_duplicates("area_code")
    return {str(k): int(v) for k, v in per_buurt["oordeel"].value_counts().sort_index().items()}


def movement_sentence(mv: pd.DataFrame, metric: Metric, focus_name: str, from_year: int, to_year: int) -> str:
    per = mv.drop_duplicates("area_code")
    focus_row = per[per["rol"] == "focus"]
    counts = movement_summary(mv)
    n = int((per["rol"] == "vergelijkbaar").sum())
    label = metric.label.lower()
    order = ["verbeterd", "gestegen", "binnen de marge", "gedaald", "verslechterd", "geen vergelijking mogelijk"]
    bits = [f"{counts[k]} {k}" for k in order if counts.get(k)]
    s = f"{label[0].upper() + label[1:]} van {from_year} tot {to_year}: "
    if focus_row.empty or focus_row.iloc[0]["verandering"] is None or pd.isna(focus_row.iloc[0]["verandering"]):
        s += f"voor {focus_name} geen vergelijking mogelijk"
    else:
        fr = focus_row.iloc[0]
        s += f"in {focus_name} {fmt.delta(fr['verandering'], metric.unit)} ({fr['oordeel']})"
    s += f". Van de {n} vergelijkbare buurten: " + (", ".join(bits) if bits else "geen gegevens") + "."
    return s


# ---------------------------------------------------------------------- (a) the spread within the gemeente

def years_with_value(engine: Engine, metric: Metric, area: str) -> list[int]:
    """The measurement years in which `area` has a value (so a year picker never opens on an empty year)."""
    return [r.year for r in engine.series(metric, area) if r.present]


def distribution(engine: Engine, metric: Metric, gemeente: str, year: int,
                 highlight: Sequence[str] = ()) -> pd.DataFrame:
    """Every buurt of the gemeente for one metric and year, sorted by name (not by value)."""
    rows = []
    for code in engine.members_of(gemeente):
        r = engine.value(metric, code, year)
        rows.append({"area_code": code, "buurt": engine.name(code), "waarde": r.value if r.present else None,
                     "status": r.status, "bron": ", ".join(r.sources), "focus": code in highlight})
    df = pd.DataFrame(rows, columns=["area_code", "buurt", "waarde", "status", "bron", "focus"])
    return df.sort_values(["buurt", "area_code"], key=lambda s: s.str.lower() if s.dtype == object else s,
                          ignore_index=True)


@dataclass
class Spread:
    n: int
    n_with_value: int
    low: float | None  # smallest value
    q1: float | None
    median: float | None
    q3: float | None
    high: float | None


def spread(df: pd.DataFrame) -> Spread:
    vals = pd.to_numeric(df["waarde"], errors="coerce").dropna().to_numpy(dtype=float)
    if len(vals) == 0:
        return Spread(len(df), 0, None, None, None, None, None)
    q1, med, q3 = np.percentile(vals, [25, 50, 75])
    return Spread(len(df), len(vals), float(vals.min()), float(q1), float(med), float(q3), float(vals.max()))


def spread_sentence(sp: Spread, metric: Metric, gemeente_name: str, year: int, focus_name: str,
                    focus_value: Result | None, ref: Result | None, cmp: Comparison | None) -> str:
    if sp.n_with_value == 0:
        return f"Voor {metric.label.lower()} in {year} zijn er geen buurtcijfers voor {gemeente_name}."
    u = metric.unit
    s = (f"{sp.n_with_value} van de {sp.n} buurten van {gemeente_name} hebben een cijfer voor {year}. "
         f"De middelste helft ligt tussen {fmt.value(sp.q1, u)} en {fmt.value(sp.q3, u)}; "
         f"alle buurten liggen tussen {fmt.value(sp.low, u)} en {fmt.value(sp.high, u)}.")
    if focus_value is not None and focus_value.present:
        s += f" {focus_name}: {fmt.value(focus_value.value, u)}"
        if ref is not None and ref.present:
            s += f"; {gemeente_name} als geheel: {fmt.value(ref.value, u)}"
            if cmp is not None and cmp.diff is not None:
                s += f" ({focus_name} is {cmp.label})"
        s += "."
    else:
        s += f" Voor {focus_name} is er in {year} geen cijfer."
    return s


# ---------------------------------------------------------------------- (b) reference areas over time

def reference_frame(engine: Engine, metric: Metric, focus: str,
                    refs: Sequence[str] = REFERENCE_AREAS) -> pd.DataFrame:
    """Long table: one row per area (focus first) and year, values from the engine (missing stays None)."""
    rows = []
    for area in (focus, *refs):
        for y in engine.years(metric):
            r = engine.value(metric, area, y)
            rows.append({"area_code": area, "gebied": engine.name(area), "jaar": int(y),
                         "waarde": r.value if r.present else None, "status": r.status, "methode": r.method,
                         "bron": ", ".join(r.sources), "toelichting": r.note})
    return pd.DataFrame(rows, columns=["area_code", "gebied", "jaar", "waarde", "status", "methode", "bron",
                                       "toelichting"])


def reference_comparisons(engine: Engine, metric: Metric, focus: str,
                          refs: Sequence[str] = COMPARE_WITH) -> pd.DataFrame:
    """Per year and reference area: the focus buurt's difference and the engine's label (margin from the engine)."""
    rows = []
    for y in engine.years(metric):
        a = engine.value(metric, focus, y)
        for ref in refs:
            b = engine.value(metric, ref, y)
            c = engine.compare(metric, a, b, ref_name=engine.name(ref))
            rows.append({"jaar": int(y), "area_code": ref, "gebied": engine.name(ref), "verschil": c.diff,
                         "marge": c.threshold, "oordeel": c.label, "gunstig": c.favourable if c.meaningful else None})
    return pd.DataFrame(rows, columns=["jaar", "area_code", "gebied", "verschil", "marge", "oordeel", "gunstig"])


# ---------------------------------------------------------------------- formatted tables for the page

def _missing_text(status: str) -> str:
    return fmt.MISSING_TEXT + (" (geheim)" if status == "geheim" else "")


def distribution_table(dist: pd.DataFrame, metric: Metric) -> pd.DataFrame:
    """Text alternative of the dot plot: every buurt by name (alphabetical, never by value)."""
    return pd.DataFrame({
        "Buurt": dist["buurt"], "Buurtcode": dist["area_code"],
        metric.label: [fmt.value(v, metric.unit) if pd.notna(v) else _missing_text(s)
                       for v, s in zip(dist["waarde"], dist["status"])],
    })


def reference_table(ref: pd.DataFrame, cmp: pd.DataFrame, metric: Metric, focus_name: str) -> pd.DataFrame:
    """Per year: the values of the focus buurt and the reference areas, then the engine's comparison labels."""
    years = sorted(int(y) for y in ref["jaar"].unique())
    out = pd.DataFrame({"Jaar": [str(y) for y in years]})
    for area, g in ref.groupby("area_code", sort=False):
        vals = dict(zip(g["jaar"].astype(int), zip(g["waarde"], g["status"])))
        out[g["gebied"].iloc[0]] = [fmt.value(vals[y][0], metric.unit) if y in vals and pd.notna(vals[y][0])
                                    else _missing_text(vals.get(y, (None, ""))[1]) for y in years]
    for area, g in cmp.groupby("area_code", sort=False):
        lab = dict(zip(g["jaar"].astype(int), zip(g["oordeel"], g["verschil"])))
        out[f"{focus_name} t.o.v. {g['gebied'].iloc[0]}"] = [
            (lab[y][0] if lab[y][1] is None or pd.isna(lab[y][1]) else f"{lab[y][0]} ({fmt.delta(lab[y][1], metric.unit)})")
            if y in lab else "geen vergelijking mogelijk" for y in years]
    return out


def reference_long_table(ref: pd.DataFrame, metric: Metric) -> pd.DataFrame:
    return pd.DataFrame({
        "Gebied": ref["gebied"], "Jaar": ref["jaar"].astype(str),
        "Waarde": [fmt.value(v, metric.unit) if pd.notna(v) else _missing_text(s)
                   for v, s in zip(ref["waarde"], ref["status"])],
        "Methode": ref["methode"], "Bron": ref["bron"], "Toelichting": ref["toelichting"],
    })


def explanation_table(expl: pd.DataFrame, variables: Sequence[ProfileVariable], focus_name: str) -> pd.DataFrame:
    """Text alternative of the profile chart: values side by side and each trait's share of the distance."""
    unit_of = {p.code: p.unit for p in variables}
    return pd.DataFrame({
        "Buurt": [f"{b} ({g})" if g else b for b, g in zip(expl["buurt"], expl["gemeente"])],
        "Kenmerk": expl["kenmerk"],
        focus_name: [fmt.value(v, unit_of[c]) for v, c in zip(expl["focus_waarde"], expl["variable"])],
        "Vergelijkbare buurt": [fmt.value(v, unit_of[c]) for v, c in zip(expl["waarde"], expl["variable"])],
        "Verschil (standaardafwijkingen)": [fmt.signed(v, 2) for v in expl["verschil_sd"]],
        "Bijdrage aan afstand²": [fmt.number(v, 3) for v in expl["bijdrage"]],
        "Aandeel in de afstand": [f"{fmt.number(v * 100, 0)}%" for v in expl["aandeel"]],
    })


def movement_years(years: Sequence[int], baseline: int) -> tuple[int, int] | None:
    """(from, to) for the change after the profile year: the first measurement from the baseline on, and the
    last one. None when there are not two such measurements."""
    after = sorted(int(y) for y in years if int(y) >= baseline)
    return (after[0], after[-1]) if len(after) >= 2 else None
