"""Target proposals from stated rules, their measurability, and the frozen comparison group of an adopted target.

Targets are policy: the dashboard never sets one. It *proposes* targets, computed from the shipped data by one of
three stated rules, each labelled "voorstel — niet vastgesteld" and shown with its rule; an editor adopts (or
rejects) a proposal, which then becomes an ordinary target (loaders/programme.py).

Rules (years from config/programme.toml):

- **Headline metrics**: the metrics the Overzicht briefing shows per pillar (metrics/briefing.py) that have a
  direction (not neutral).
- **Baseline**: the most recent year at or before the programme start (2025) in which both the focus buurt and
  Maastricht have a value; the Maastricht value is from the same year (and the same source).
- **gat dichten**: reach the Maastricht baseline value by the programme end (2045).
- **gat halveren**: close half of the gap with Maastricht by 2035.
  Both on a straight path from the baseline (year, value) to the target (year, value).
- **sterkte vasthouden**: when the buurt already does as well as Maastricht (the difference is inside the margin)
  or better: keep the baseline value until 2045, i.e. no worsening larger than the margin.
- **Milestones** fall on the years of the editions the release calendar expects after the baseline
  (metrics/releases.py): every edition for sources measured every few years; for annual sources at least
  `milestone_min_interval_years` apart. The milestone value is the straight path in that year.
- **Measurability with 80% power**: at every expected edition measured after the programme start (KWB income
  figures with their real lag: a jaargang reports the income of two years earlier) up to (and including) the first
  one at or after the target year, the change the path asks for since the baseline, Δ, is compared with the
  smallest change a two-sided 5% test sees with 80% probability: (1,96 + 0,84) · SE_change, SE_change =
  √(SE(baseline)² + SE(path value)²) by the metric's standard-error rule (metrics/margins.py) with the buurt's
  base population (for ratios of counts the numerator scales with the value, the denominator stays). The first
  such edition is "met 80% kans zichtbaar vanaf de editie van <jaar>"; if none is, the proposal is "niet meetbaar
  op buurtniveau met deze gegevens".

Comparison group (programme or trend?): when a target is adopted, the similar-buurten match of metrics/similar.py
(Mahalanobis distance, buurten of the national area programmes excluded) is run once in the target's baseline year
(the latest profile year at or before it) and the buurt codes are stored with the target (never re-matched). The
target card compares the buurt's change with the group's median change over the same years; "buiten de spreiding"
is decided by a rank test (:func:`rank_p`, p ≤ 0,05) together with the buurt's own margin (the distance from the
group median beyond 1,96 · SE of its change), not by the min–max band.

Pure functions: no Streamlit, no database.
"""
from __future__ import annotations

import datetime as dt
import statistics
from dataclasses import dataclass, field
from typing import Callable, Iterable, Mapping, Sequence

import pandas as pd

from loaders import config

from . import briefing, fmt, margins, releases
from .catalog import Metric
from .compute import Engine, Result

LABEL = "voorstel — niet vastgesteld"
RULES = ("gat_halveren", "gat_dichten", "vasthouden")
RULE_LABEL = {"gat_dichten": "gat dichten", "gat_halveren": "gat halveren", "vasthouden": "sterkte vasthouden"}
NOT_MEASURABLE = "niet meetbaar op buurtniveau met deze gegevens"
SPREAD_LABEL = "kleinste tot grootste verandering in de groep"
ALPHA = 0.05  # the rank test's level: "buiten de spreiding" when p <= ALPHA


# ---------------------------------------------------------------------------------------------- programme

@dataclass(frozen=True)
class Programme:
    name: str
    start_year: int
    end_year: int
    halving_year: int
    milestone_min_interval_years: int
    comparison_group_size: int


def programme() -> Programme:
    """The programme's years and the rules' parameters, from the one programme configuration (config/programme.toml)."""
    c = config.programme()
    return Programme(c.name, c.start_year, c.end_year, c.halfway_year, c.milestone_min_interval_years,
                     c.comparison_group_size)


def rule_text(rule: str, prog: Programme | None = None) -> str:
    """The rule in plain Dutch (the same text in docs/metrics.md, on screen, on the slide and in the export)."""
    prog = prog or programme()
    if rule == "gat_dichten":
        return (f"Gat dichten: in {prog.end_year} heeft de buurt de waarde die Maastricht in het basisjaar had, via "
                "een rechte lijn vanaf de basiswaarde (zoals de landelijke focusgebieden: 'het stadsgemiddelde "
                "binnen 20 jaar').")
    if rule == "gat_halveren":
        return (f"Gat halveren: in {prog.halving_year} is de helft van het verschil met Maastricht (in het "
                "basisjaar) overbrugd, via een rechte lijn vanaf de basiswaarde.")
    if rule == "vasthouden":
        return (f"Sterkte vasthouden: de buurt doet het even goed als Maastricht (verschil binnen de marge) of beter; "
                f"tot {prog.end_year} geen verslechtering die groter is dan de marge.")
    raise ValueError(f"onbekende regel: {rule}")


# ---------------------------------------------------------------------------------------------- objects

@dataclass(frozen=True)
class Check:
    """One expected edition: the value the path asks for, the change since the baseline and the margin."""

    year: int                    # the measurement year of the edition (the 'editie van <jaar>')
    release: dt.date | None      # expected publication (estimate, metrics/releases.py)
    value: float                 # the straight path in that year (the target value from the target year on)
    required_change: float       # value - baseline value
    threshold: float | None      # (1,96 + 0,84) · SE of that change: seen with 80% probability (None: no SE)
    measurable: bool             # |asked-for change| >= threshold


@dataclass(frozen=True)
class Proposal:
    key: str
    rule: str
    metric: Metric
    area: str
    area_name: str
    baseline_year: int
    baseline_value: float
    ref_name: str
    ref_value: float             # Maastricht in the baseline year
    target_year: int
    target_value: float
    checks: tuple[Check, ...]    # every expected edition up to the first one at or after the target year
    milestones: tuple[Check, ...]
    baseline_threshold: float | None  # the 80%-power change at the baseline value ('vasthouden': the allowed worsening)
    sources: tuple[str, ...] = ()
    label: str = LABEL

    @property
    def rule_label(self) -> str:
        return RULE_LABEL[self.rule]

    @property
    def rule_text(self) -> str:
        return rule_text(self.rule)

    @property
    def measurable_from(self) -> Check | None:
        return next((c for c in self.checks if c.measurable), None)

    @property
    def measurable(self) -> bool:
        return self.measurable_from is not None

    def measurable_text(self, today: dt.date | None = None) -> str:
        u = self.metric.unit
        c = self.measurable_from
        if self.rule == "vasthouden":
            if c is None:
                return NOT_MEASURABLE + " (er wordt geen nieuwe editie verwacht)"
            if self.baseline_threshold is None:
                return NOT_MEASURABLE + " (geen standaardfout bekend)"
            return (f"te volgen vanaf de editie van {c.year}{_release_words(c, today)}: een verslechtering van meer "
                    f"dan {amount(self.baseline_threshold, u)} is dan met 80% kans zichtbaar")
        if c is None:
            last = self.checks[-1] if self.checks else None
            why = ""
            if last is not None and last.threshold is not None:
                why = (f": de gevraagde verandering ({amount(last.required_change, u)}) is kleiner dan wat met 80% "
                       f"kans zichtbaar is ({amount(last.threshold, u)})")
            elif not self.checks:
                why = f" (geen editie na de start van het programma in {programme().start_year} verwacht)"
            return NOT_MEASURABLE + why
        return f"met 80% kans zichtbaar vanaf de editie van {c.year}{_release_words(c, today)}"

    @property
    def measurable_short(self) -> str:
        c = self.measurable_from
        if c is None:
            return NOT_MEASURABLE
        return f"{'te volgen' if self.rule == 'vasthouden' else 'met 80% kans zichtbaar'} vanaf de editie van {c.year}"

    def target_sentence(self) -> str:
        u = self.metric.unit
        if self.rule == "vasthouden":
            if self.baseline_threshold is None:
                return f"{fmt.value(self.baseline_value, u)} vasthouden tot {self.target_year}"
            return (f"{fmt.value(self.baseline_value, u)} vasthouden tot {self.target_year} (niet meer dan "
                    f"{amount(self.baseline_threshold, u)} verslechteren)")
        return f"{fmt.value(self.target_value, u)} in {self.target_year}"

    def summary(self, today: dt.date | None = None) -> str:
        """One line with the word 'voorstel', the rule, baseline, target and first measurable moment."""
        u = self.metric.unit
        return (f"Voorstel ({self.rule_label}) — {self.metric.label}, {self.area_name}: basis "
                f"{fmt.value(self.baseline_value, u)} ({self.baseline_year}; {self.ref_name} "
                f"{fmt.value(self.ref_value, u)}); voorstel {self.target_sentence()}; "
                f"{self.measurable_text(today)}.")

    def milestone_values(self, target_value: float | None = None, target_year: int | None = None) -> list[dict]:
        """Milestones for an adopted target: the proposal's edition years before the target year, on the straight
        path to the (possibly edited) target."""
        tv = self.target_value if target_value is None else float(target_value)
        ty = self.target_year if target_year is None else int(target_year)
        if self.rule == "vasthouden" and target_value is None:
            return []
        return [{"year": m.year, "value": round(path_value(self.baseline_year, self.baseline_value, ty, tv, m.year), 4)}
                for m in self.milestones if self.baseline_year < m.year < ty]

    def target_values(self, owner: str, target_value: float | None = None, target_year: int | None = None,
                      rationale: str | None = None) -> dict:
        """The fields of loaders.programme.create_target for adopting this proposal."""
        tv = self.target_value if target_value is None else float(target_value)
        ty = self.target_year if target_year is None else int(target_year)
        edited = (tv, ty) != (self.target_value, self.target_year)
        why = rationale or (f"Voorstel '{self.rule_label}' overgenomen{' en aangepast' if edited else ''}. "
                            f"{self.rule_text} Basis {self.baseline_year}: {fmt.value(self.baseline_value, self.metric.unit)}"
                            f"; {self.ref_name} {fmt.value(self.ref_value, self.metric.unit)}.")
        return {"metric_id": self.metric.id, "area_code": self.area, "baseline_year": self.baseline_year,
                "baseline_value": self.baseline_value, "target_value": tv, "target_year": ty, "owner": owner,
                "rationale": why, "action_link": None, "milestones": self.milestone_values(tv, ty)}

    def decision_values(self) -> dict:
        """What loaders.programme stores about the decision on this proposal."""
        return {"proposal_key": self.key, "rule": self.rule, "metric_id": self.metric.id, "area_code": self.area,
                "baseline_year": self.baseline_year, "baseline_value": self.baseline_value,
                "target_year": self.target_year, "target_value": self.target_value}


def amount(x: float, unit: str) -> str:
    """An unsigned amount of change: '2,9 procentpunt'."""
    return fmt.delta(abs(x), unit).lstrip("+±")


def _release_words(c: Check, today: dt.date | None) -> str:
    if c.release is None:
        return ""
    if today is not None and c.release <= today:
        return f" (had rond {fmt.MONTHS[c.release.month - 1]} {c.release.year} moeten verschijnen; schatting)"
    return f" (verwacht rond {fmt.MONTHS[c.release.month - 1]} {c.release.year}; schatting)"


# ---------------------------------------------------------------------------------------------- arithmetic

def path_value(baseline_year: int, baseline_value: float, target_year: int, target_value: float, year: int) -> float:
    """The straight path from the baseline to the target; the target value from the target year on."""
    if year <= baseline_year:
        return baseline_value
    if year >= target_year:
        return target_value
    return baseline_value + (target_value - baseline_value) * (year - baseline_year) / (target_year - baseline_year)


def rule_target(rule: str, baseline_value: float, ref_value: float, prog: Programme) -> tuple[int, float]:
    if rule == "gat_dichten":
        return prog.end_year, ref_value
    if rule == "gat_halveren":
        return prog.halving_year, baseline_value + (ref_value - baseline_value) / 2
    if rule == "vasthouden":
        return prog.end_year, baseline_value
    raise ValueError(f"onbekende regel: {rule}")


def edition_years(source: str, baseline_year: int, until: int, today: dt.date) -> list[tuple[int, dt.date | None]]:
    """The editions the release calendar expects after `baseline_year`, up to the first one at or after `until`:
    (measurement year, expected publication date)."""
    out: list[tuple[int, dt.date | None]] = []
    p = baseline_year
    for _ in range(200):
        r = releases.release(source, p, today)
        if r.next_period is None or r.next_period <= p:
            break
        out.append((r.next_period, r.next_release))
        if r.next_period >= until:
            break
        p = r.next_period
    return out


def thin(years: Sequence[int], min_interval: int) -> list[int]:
    """Keep the first year and then each year at least `min_interval` after the last kept one."""
    out: list[int] = []
    for y in years:
        if not out or y - out[-1] >= min_interval:
            out.append(y)
    return out


Threshold = Callable[[float, float], "float | None"]  # (new value, baseline value) -> 80%-power change


# KWB income figures: jaargang t reports the income of year t − 2 (the caveat 'inkomensjaar wijkt af van peiljaar').
INCOME_LAG_YEARS = 2
INCOME_METRICS = frozenset({"huishoudens_sociaal_minimum", "inkomen_per_inwoner", "huishoudens_laag_inkomen",
                            "personen_laagste_inkomen", "mediaan_vermogen"})


def measured_year(m: Metric, edition_year: int) -> int:
    """The year an edition's figure is about (an income figure lags its KWB jaargang)."""
    return edition_year - INCOME_LAG_YEARS if m.id in INCOME_METRICS else edition_year


def se_at(m: Metric, base: Result, value: float) -> float | None:
    """The standard error of a figure `value` of the buurt with the baseline's population (metrics/margins.py)."""
    num = den = None
    if m.kind == "ratio" and base.denominator:
        den = base.denominator
        num = value * den / m.factor
    return margins.standard_error(m.margin, value, base.base_population, num, den, m.factor, 1)


def threshold_for(m: Metric, base: Result) -> Threshold:
    """(1,96 + 0,84) · √(SE(new)² + SE(baseline)²): the change seen with 80% probability (two editions of one
    buurt, independent; the baseline's population on both sides)."""
    se_base = base.se if base.se is not None else se_at(m, base, float(base.value))  # type: ignore[arg-type]

    def thr(new: float, old: float) -> float | None:
        return margins.detectable(margins.se_sum(se_at(m, base, new), se_base))
    return thr


def make(rule: str, m: Metric, area: str, area_name: str, baseline_year: int, baseline_value: float,
         ref_value: float, editions: Sequence[tuple[int, dt.date | None]], threshold: Threshold,
         prog: Programme | None = None, ref_name: str = "Maastricht", sources: Iterable[str] = ()) -> Proposal:
    """One proposal by `rule` (pure arithmetic on the given numbers; see the module docstring)."""
    prog = prog or programme()
    ty, tv = rule_target(rule, baseline_value, ref_value, prog)
    checks = []
    for y, rel in editions:
        if y <= baseline_year or measured_year(m, y) <= prog.start_year:
            continue  # an edition measured before the programme start cannot show its effect
        v = path_value(baseline_year, baseline_value, ty, tv, measured_year(m, y))
        req = v - baseline_value
        thr = threshold(v, baseline_value)
        ok = (thr is not None) if rule == "vasthouden" else (thr is not None and abs(req) >= thr - 1e-9)
        checks.append(Check(y, rel, v, req, thr, ok))
        if measured_year(m, y) >= ty:
            break
    keep = set(thin([c.year for c in checks if c.year < ty], prog.milestone_min_interval_years))
    milestones = tuple(c for c in checks if c.year in keep) if rule != "vasthouden" else ()
    base_thr = threshold(baseline_value, baseline_value)
    return Proposal(f"{rule}:{m.id}:{area}:{baseline_year}", rule, m, area, area_name, baseline_year,
                    float(baseline_value), ref_name, float(ref_value), ty, float(tv), tuple(checks), milestones,
                    base_thr, tuple(sources))


def rules_for(engine: Engine, m: Metric, base: Result, ref: Result) -> tuple[str, ...]:
    """'vasthouden' when the buurt does as well as (inside the margin) or better than the reference; else the two
    gap rules."""
    if m.direction == "neutral":
        return ()
    cmp = engine.compare(m, base, ref)
    if not cmp.meaningful or cmp.favourable:
        return ("vasthouden",)
    return ("gat_halveren", "gat_dichten")


# ---------------------------------------------------------------------------------------------- from the engine

def headline_metrics(engine: Engine) -> list[Metric]:
    """The Overzicht briefing's metrics per pillar that have a direction."""
    out: list[Metric] = []
    for p in briefing.PILLAR_ORDER[:3]:
        for m in briefing.headline_metrics(engine, p):
            if m.direction != "neutral" and m not in out:
                out.append(m)
    return out


def pillars_without_proposals(engine: Engine) -> list[str]:
    """Pillars whose Overzicht metrics are all neutral (no direction): the rules make no proposal there."""
    return [p for p in briefing.PILLAR_ORDER[:3]
            if not any(m.direction != "neutral" for m in briefing.headline_metrics(engine, p))]


def baseline_pair(engine: Engine, m: Metric, area: str, ref: str = briefing.MAASTRICHT,
                  prog: Programme | None = None) -> tuple[Result, Result] | None:
    """(buurt, reference) in the most recent year at or before the programme start in which both have a value."""
    prog = prog or programme()
    for y in sorted(engine.years(m), reverse=True):
        if y > prog.start_year:
            continue
        a, r = engine.value(m, area, y), engine.value(m, ref, y)
        if a.present and r.present:
            return a, r
    return None


def for_metric(engine: Engine, m: Metric, area: str, today: dt.date, ref: str = briefing.MAASTRICHT,
               prog: Programme | None = None) -> list[Proposal]:
    prog = prog or programme()
    pair = baseline_pair(engine, m, area, ref, prog)
    if pair is None:
        return []
    base, refv = pair
    out = []
    for rule in rules_for(engine, m, base, refv):
        ty, _ = rule_target(rule, base.value, refv.value, prog)
        lag = ty - measured_year(m, ty)
        eds = edition_years(releases.metric_source(m), base.year, ty + lag, today)
        out.append(make(rule, m, area, engine.name(area), base.year, float(base.value), float(refv.value), eds,
                        threshold_for(m, base), prog, engine.name(ref), sources=base.sources or m.sources))
    return out


def proposals(engine: Engine, today: dt.date, areas: Sequence[str] = briefing.FOCUS_AREAS,
              decided: Iterable[str] = (), targets: pd.DataFrame | Iterable[tuple[str, str]] | None = None,
              ref: str = briefing.MAASTRICHT) -> list[Proposal]:
    """Every open proposal: per focus buurt and headline metric, without decided (adopted or rejected) proposals and
    without metric/area pairs that already have a target."""
    decided = set(decided)
    if isinstance(targets, pd.DataFrame):
        taken = set(zip(targets["metric_id"], targets["area_code"])) if not targets.empty else set()
    else:
        taken = set(targets or ())
    out = []
    for a in areas:
        for m in headline_metrics(engine):
            if (m.id, a) in taken:
                continue
            out += [p for p in for_metric(engine, m, a, today, ref) if p.key not in decided]
    return out


def table(props: Sequence[Proposal], today: dt.date | None = None) -> pd.DataFrame:
    """The proposals for the export: one row each, labelled 'voorstel — niet vastgesteld', with the rule."""
    rows = []
    for p in props:
        u = p.metric.unit
        rows.append({
            "status": LABEL, "regel": p.rule_label, "regel_uitleg": p.rule_text, "indicator": p.metric.label,
            "metric_id": p.metric.id, "gebied": p.area_name, "area_code": p.area, "eenheid": u,
            "basisjaar": p.baseline_year, "basiswaarde": p.baseline_value,
            f"{p.ref_name.lower()}_basisjaar": p.ref_value, "doeljaar": p.target_year,
            "voorgestelde_waarde": p.target_value, "marge_bij_basis": p.baseline_threshold,
            "tussendoelen": "; ".join(f"{m.year}: {fmt.value(m.value, u)}" for m in p.milestones),
            "meetbaar": p.measurable_text(today), "bron": ", ".join(p.sources),
        })
    return pd.DataFrame(rows)


SHOWN_FIRST = ("vasthouden", "gat_halveren", "gat_dichten")


def primary(props: Sequence[Proposal]) -> list[Proposal]:
    """Per buurt and metric one proposal for short overviews (Overzicht, slide 1): 'sterkte vasthouden', else the
    proposal for the halving year, else the one for the programme end (when the other was decided)."""
    best: dict[tuple[str, str], Proposal] = {}
    for p in props:
        k = (p.area, p.metric.id)
        if k not in best or SHOWN_FIRST.index(p.rule) < SHOWN_FIRST.index(best[k].rule):
            best[k] = p
    return [p for p in props if best.get((p.area, p.metric.id)) is p]


def overview_table(props: Sequence[Proposal]) -> pd.DataFrame:
    """The compact list for the Overzicht block: one row per buurt and metric (see :func:`primary`); every row says
    'voorstel' and its rule."""
    return pd.DataFrame([{
        "Buurt": p.area_name, "Indicator": p.metric.label,
        "Basis": f"{fmt.value(p.baseline_value, p.metric.unit)} ({p.baseline_year})",
        "Voorstel (regel)": (f"voorstel {p.rule_label}: "
                             + (f"{fmt.value(p.baseline_value, p.metric.unit)} vasthouden" if p.rule == "vasthouden"
                                else f"{fmt.value(p.target_value, p.metric.unit)} in {p.target_year}")),
        "Meetbaar": p.measurable_short,
    } for p in primary(props)], columns=["Buurt", "Indicator", "Basis", "Voorstel (regel)", "Meetbaar"])


# ---------------------------------------------------------------------------------------------- comparison group

def profile_year(baseline_year: int, profile_years: Iterable[int]) -> int | None:
    """The profile year used for the frozen group: the latest profile year at or before the baseline year."""
    ys = [int(y) for y in profile_years if int(y) <= baseline_year]
    return max(ys) if ys else None


def freeze_group(match_result, profile_year_: int, variables: Sequence[str]) -> dict:
    """What is stored with an adopted target (JSON-able): the matched buurt codes in order, the year and method."""
    return {"profile_year": int(profile_year_), "codes": [m.area_code for m in match_result.matches],
            "names": [m.name for m in match_result.matches], "variables": list(variables),
            "n_candidates": int(match_result.n_candidates),
            "method": ("metrics.similar.match: Mahalanobis-afstand op het profiel (50090NED, 18+), zonder buurten van "
                       "andere nationale gebiedsprogramma's (NPLV)")}


def rank_p(focus_change: float, changes: Iterable[float]) -> float:
    """Two-sided rank (permutation) p-value of the focus buurt's change among its group's changes:
    p = (1 + #{i: |g_i − m| ≥ |f − m|}) / (n + 1), m the group median. Under 'no programme effect' the focus buurt is
    exchangeable with its group, so P(p ≤ α) ≤ α; with n = 20 the smallest p is 1/21."""
    g = [float(c) for c in changes]
    if not g:
        return 1.0
    med = statistics.median(g)
    dev = abs(focus_change - med)
    return (1 + sum(1 for c in g if abs(c - med) >= dev - 1e-12)) / (len(g) + 1)


@dataclass(frozen=True)
class GroupComparison:
    from_year: int
    to_year: int
    focus_change: float | None
    group_median: float | None
    low: float | None            # smallest change in the group
    high: float | None           # largest change in the group
    n: int                       # buurten of the group with both values
    n_missing: int               # buurten of the group without a value in one of the two years
    sentence: str
    changes: dict = field(default_factory=dict)
    p_value: float | None = None  # rank test (rank_p); None without a comparison
    within_own_margin: bool = False  # |change − group median| <= 1,96 · SE of the buurt's change

    @property
    def difference(self) -> float | None:
        if self.focus_change is None or self.group_median is None:
            return None
        return self.focus_change - self.group_median

    @property
    def inside(self) -> bool | None:
        """Not outside the group's spread by the rank test (p > 0,05)."""
        if self.focus_change is None or self.p_value is None:
            return None
        return self.p_value > ALPHA or self.within_own_margin


def group_comparison(m: Metric, focus_name: str, focus_values: Mapping[int, float | None],
                     group_values: Mapping[str, Mapping[int, float | None]], from_year: int,
                     to_year: int, focus_se: float | None = None) -> GroupComparison:
    """The buurt's change from `from_year` to `to_year` against the frozen group's: median, min–max spread and the
    decision. "Buiten de spreiding" needs both the rank test (p <= 0,05) and, when the standard error of the buurt's
    change is known (`focus_se`), a distance from the group median beyond 1,96 · that standard error: an extreme
    change of a small buurt that its own measurement error explains is no finding."""
    def ok(v) -> bool:
        return v is not None and not (isinstance(v, float) and v != v)

    u = m.unit
    fa, fb = focus_values.get(from_year), focus_values.get(to_year)
    fch = (fb - fa) if ok(fa) and ok(fb) else None
    changes = {c: vals[to_year] - vals[from_year] for c, vals in group_values.items()
               if ok(vals.get(from_year)) and ok(vals.get(to_year))}
    n, n_missing = len(changes), len(group_values) - len(changes)
    if to_year <= from_year:
        return GroupComparison(from_year, to_year, None, None, None, None, n, n_missing,
                               f"Nog geen meting na {from_year}: de vergelijking met de vergelijkbare buurten volgt "
                               "bij de volgende editie.")
    if fch is None or n == 0:
        why = (f"voor {focus_name} ontbreekt een cijfer" if fch is None else
               "de vergelijkbare buurten hebben voor deze indicator geen cijfers in de meegeleverde data")
        return GroupComparison(from_year, to_year, fch, None, None, None, n, n_missing,
                               f"{from_year}–{to_year}: geen vergelijking mogelijk ({why}).", changes)
    med, lo, hi = statistics.median(changes.values()), min(changes.values()), max(changes.values())
    d = decimals = fmt.decimals_for(u)
    p = rank_p(fch, changes.values())
    own = focus_se is not None and not margins.is_meaningful(fch - med, margins.margin(focus_se))
    pt = fmt.number(p, 2)
    if own and p <= ALPHA:
        verdict = (f"de verandering is de grootste in de groep (rangtoets p = {pt}), maar het verschil met de "
                   "mediaan valt binnen de marge van de buurt zelf: de buurt bewoog zoals vergelijkbare buurten")
    elif p > ALPHA:
        verdict = (f"de verandering valt binnen de spreiding (rangtoets p = {pt}): de buurt bewoog zoals "
                   "vergelijkbare buurten")
    else:
        side = "lager" if fch < med else "hoger"
        good = (fch < med) == (m.direction == "lower_better") if m.direction != "neutral" else None
        verdict = (f"de verandering ligt buiten de spreiding ({side} dan in de vergelijkbare buurten, rangtoets "
                   f"p = {pt}" + ("" if good is None else (", gunstiger" if good else ", minder gunstig")) + ")")
    s = (f"{from_year}–{to_year}: {focus_name}: {fmt.delta(fch, u)}; vergelijkbare buurten: "
         f"{fmt.signed(med, d)} (mediaan van {n}; spreiding {fmt.signed(lo, decimals)} tot {fmt.signed(hi, decimals)}, "
         f"{SPREAD_LABEL}); {verdict}.")
    if n_missing:
        s += f" {n_missing} van de {n + n_missing} vergelijkbare buurten hebben geen cijfer in beide jaren."
    return GroupComparison(from_year, to_year, fch, med, lo, hi, n, n_missing, s, changes, p, own)


def group_values(engine: Engine, m: Metric, codes: Sequence[str], national: pd.DataFrame | None) -> dict[str, dict[int, float | None]]:
    """Values per buurt and year of the frozen group: from the engine for buurten it knows (Maastricht, Heerlen),
    else from the national series (published 50090NED values; area_code, year, value)."""
    out: dict[str, dict[int, float | None]] = {}
    by_area = {a: g for a, g in national.groupby("area_code")} if national is not None and not national.empty else {}
    for c in codes:
        if engine.level.get(c) == "buurt":
            out[c] = {y: engine.value(m, c, y).value for y in engine.years(m)}
        elif c in by_area:
            g = by_area[c]
            out[c] = {int(y): (None if pd.isna(v) else float(v)) for y, v in zip(g["year"], g["value"])}
        else:
            out[c] = {}
    return out


def comparison_years(engine: Engine, m: Metric, area: str, baseline_year: int) -> tuple[int, int, int | None]:
    """(baseline year, latest year with a value for the buurt, the measurement before the baseline or None): the
    programme period and, for context, the period before it."""
    years = [r.year for r in engine.series(m, area) if r.present]
    latest = max([y for y in years if y >= baseline_year], default=baseline_year)
    before = max([y for y in years if y < baseline_year], default=None)
    return baseline_year, latest, before


def frozen_group(profile: pd.DataFrame, area: str, variables: Sequence[str], profile_year_: int,
                 n: int | None = None) -> dict:
    """Run today's explainable profile match (metrics/similar.py) once and return what is stored with the target.
    Raises similar.ProfileUnavailable (a Dutch message) when the buurt has no complete profile that year."""
    from . import similar

    res = similar.match(profile, area, tuple(variables), n=n or programme().comparison_group_size, year=profile_year_)
    return freeze_group(res, profile_year_, variables)


def target_comparisons(engine: Engine, m: Metric, area: str, baseline_year: int, group: Mapping,
                       national: pd.DataFrame | None) -> list[tuple[str, GroupComparison]]:
    """For a target card: the buurt's change against its frozen group since the baseline and, for context, over the
    measurements before the baseline (did the buurt already move like the group?)."""
    b, latest, before = comparison_years(engine, m, area, baseline_year)
    vals = group_values(engine, m, list(group.get("codes", [])), national)
    series = {r.year: r for r in engine.series(m, area) if r.present}
    focus = {y: r.value for y, r in series.items()}
    name = engine.name(area)

    def se(a: int, z: int) -> float | None:
        return margins.se_sum(engine.se_of(series[a]), engine.se_of(series[z])) if a in series and z in series else None
    out = [("Sinds het basisjaar", group_comparison(m, name, focus, vals, b, latest, se(b, latest)))]
    if before is not None:
        out.append(("Ter vergelijking: de periode vóór het basisjaar",
                    group_comparison(m, name, focus, vals, before, b, se(before, b))))
    return out
