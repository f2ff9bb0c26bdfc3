"""Targets and target proposals on the programme's own indicators (eigen metingen): periods, the target path, the
status from the stored figures, measurability with 80% power, the next expected measurement, and the three
proposal rules of :mod:`metrics.proposals` applied to the stored figures.

A target names an own indicator by its id and the *definition version* it was set on (a redefinition makes a new
version whose figures are not comparable: the target then reports that, it never runs across versions). In the
page and the export it is ``eigen:<id>``, as in the metric export. Periods are text: ``'2025'`` for an indicator
measured per year (frequentie ``jaar``), ``'2025-K3'`` per quarter (``kwartaal``); a target's baseline and target
period have the indicator's frequentie. On a time line a period is an index: the year, or 4 · year + quarter − 1.

Standard errors come from the stored 95% interval of a figure (loaders.schema.own_figures, computed at upload time
by metrics.own): SE = (upper − lower) / (2 · 1,96), with the interval's own z (metrics.intervals.Z), as
metrics.own.OwnFigure.se.

Status (the words and rules of metrics/targets.py; a change inside the margin never counts as progress):

- the change since the baseline is the newest shown figure after the baseline period minus the baseline value;
  its margin is 1,96 · √(SE_latest² + SE_baseline²), the rule of every own change (metrics.own);
- *gehaald*: a meaningful change in the right direction that reaches the target value;
- *op koers*: a meaningful change in the right direction, at or ahead of the straight path (via any milestones)
  or within the margin of it (1,96 · √2 · SE_latest: the path value is given the latest figure's precision, as
  for the CBS targets);
- *te vroeg om te zeggen*: no figure after the baseline yet, or the change is inside the margin and the path does
  not yet ask for a change beyond it;
- *achter op schema*: otherwise;
- *geen nieuwe gegevens*: the indicator was redefined since the target was set, the figures after the baseline
  are all withheld (fewer than 10), or no figure after the baseline although the next period after the newest
  stored one and the period after that have both ended (one period is allowed for delivering the figures).

Measurability ("met 80% kans zichtbaar vanaf periode X"): at every period after the baseline (by the frequentie)
measured after the programme start, up to the target period, the change the path asks for since the baseline,
Δ, is compared with (1,96 + 0,84) · SE_change, SE_change = √2 · SE_baseline (a next measurement of the same
size: the same interval width). The first period with |Δ| at least that is the answer; a target that holds its
baseline is "te volgen" from the first such period.

Proposals (the rules of metrics/proposals.py with a period instead of a year): per focus buurt and own indicator
with a direction, only where a Maastricht figure (GM0935) is stored. Baseline: the most recent period in or
before the programme start year in which the buurt and Maastricht both have a shown figure; an indicator first
measured after the start takes its first such period (its nulmeting, said so on the page). 'Sterkte vasthouden'
when the buurt does as well as Maastricht (difference inside 1,96 · SE_d, the buurt's base counting as part of
the city's: overlap = base_buurt / base_Maastricht) or better, else 'gat halveren' (half the gap by the halving
year) and 'gat dichten' (the Maastricht value by the end year); the target period is that year, or its fourth
quarter for a quarterly indicator. Milestones fall on measured periods at least ``milestone_min_interval_years``
apart.

Pure functions: no Streamlit, no database.
"""
from __future__ import annotations

import datetime as dt
import json
import math
import re
from dataclasses import dataclass
from typing import Iterable, Mapping, Protocol, Sequence

import pandas as pd

from loaders.config import FOCUS_AREAS, MAASTRICHT

from . import intervals, margins
from .proposals import RULE_LABEL, Programme, programme, rule_target, rule_text, thin

PREFIX = "eigen:"
PERIOD_RE = re.compile(r"^(\d{4})(?:-K([1-4]))?$")
STATUSES = ("gehaald", "op koers", "achter op schema", "te vroeg om te zeggen", "geen nieuwe gegevens")


class Indicator(Protocol):
    """What these rules need of an own indicator (models.own.OwnIndicator has it)."""

    id: str
    version: int
    label: str
    richting: str  # hoger_beter | lager_beter | neutraal
    frequentie: str  # jaar | kwartaal
    eenheid: str
    bron: str


def metric_id(indicator_id: str) -> str:
    """How a page, the export and the change log name an own indicator: 'eigen:<id>'."""
    return PREFIX + indicator_id


# ---------------------------------------------------------------------------------------------- periods

def parse(periode: str) -> tuple[int, int | None]:
    m = PERIOD_RE.match(str(periode))
    if not m:
        raise ValueError(f"periode '{str(periode)[:20]}' is geen jaar (2025) of kwartaal (2025-K3)")
    return int(m.group(1)), (int(m.group(2)) if m.group(2) else None)


def frequency_of(periode: str) -> str:
    return "jaar" if parse(periode)[1] is None else "kwartaal"


def valid(periode: str, frequentie: str) -> bool:
    """A well-formed period of the indicator's frequentie."""
    try:
        y, _ = parse(periode)
    except ValueError:
        return False
    return 2000 <= y <= 2100 and frequency_of(periode) == frequentie


def index(periode: str) -> int:
    """The period on a time line of its frequentie: 2025 → 2025; 2025-K3 → 4 · 2025 + 2."""
    y, q = parse(periode)
    return y if q is None else 4 * y + q - 1


def from_index(i: int, frequentie: str) -> str:
    if frequentie == "jaar":
        return str(i)
    y, q = divmod(i, 4)
    return f"{y}-K{q + 1}"


def next_period(periode: str, steps: int = 1) -> str:
    """The period after this one by its frequentie: 2025 → 2026; 2025-K4 → 2026-K1."""
    return from_index(index(periode) + steps, frequency_of(periode))


def year_of(periode: str) -> int:
    return parse(periode)[0]


def period_end(periode: str) -> dt.date:
    y, q = parse(periode)
    if q is None or q == 4:
        return dt.date(y, 12, 31)
    return dt.date(y, 3 * q + 1, 1) - dt.timedelta(days=1)


def period_for_year(year: int, frequentie: str) -> str:
    """A rule's target year as a period: the year itself, or its last quarter."""
    return str(year) if frequentie == "jaar" else f"{year}-K4"


def periods_after(start: str, until: str) -> list[str]:
    """The periods after ``start`` up to and including ``until`` (same frequentie)."""
    f = frequency_of(start)
    return [from_index(i, f) for i in range(index(start) + 1, index(until) + 1)]


# ---------------------------------------------------------------------------------------------- figures

def _num(v) -> float | None:
    if v is None:
        return None
    try:
        f = float(v)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(f) else f


def rows(figs: pd.DataFrame, indicator_id: str, version: int, area: str) -> list[dict]:
    """The stored figure rows (own_figures) of one indicator version and area, in time order."""
    if figs is None or figs.empty:
        return []
    sel = (figs["indicator_id"] == indicator_id) & (figs["version"].astype(int) == int(version)) \
        & (figs["area_code"] == area)
    return sorted(figs[sel].to_dict("records"), key=lambda r: int(r["sort_key"]))


def shown(row: Mapping | None) -> bool:
    return row is not None and not row.get("shown") and _num(row.get("value")) is not None


def se_of(row: Mapping | None) -> float | None:
    """The SE of a shown figure from its stored 95% interval: half its width over the interval's z (the rule of
    metrics.own.OwnFigure.se, so a change here has the margin the store gives it)."""
    if not shown(row):
        return None
    lo, hi = _num(row.get("lower")), _num(row.get("upper"))  # type: ignore[union-attr]
    if lo is None or hi is None or hi < lo:
        return None
    return (hi - lo) / (2 * intervals.Z)


def value_of(row: Mapping) -> float:
    return float(_num(row["value"]))  # type: ignore[arg-type]


def figure_at(rs: Sequence[Mapping], periode: str) -> dict | None:
    return next((dict(r) for r in rs if r["periode"] == periode), None)


# ---------------------------------------------------------------------------------------------- the target

def path_value(points: Sequence[tuple[str, float]], periode: str) -> float:
    """The straight path through ``points`` (period, value), linear in time; flat before and after."""
    pts = sorted(((index(p), float(v)) for p, v in points))
    i = index(periode)
    if i <= pts[0][0]:
        return pts[0][1]
    for (i0, v0), (i1, v1) in zip(pts, pts[1:]):
        if i0 <= i <= i1:
            return v0 + (v1 - v0) * (i - i0) / (i1 - i0)
    return pts[-1][1]


@dataclass(frozen=True)
class OwnTarget:
    id: int | None
    indicator_id: str
    indicator_version: int
    area_code: str
    baseline_period: str
    baseline_value: float
    target_value: float
    target_period: str
    owner: str = ""
    rationale: str = ""
    action_link: str | None = None
    milestones: tuple[tuple[str, float], ...] = ()
    version: int = 1

    @classmethod
    def from_row(cls, row: Mapping) -> "OwnTarget":
        ms = row.get("milestones")
        if isinstance(ms, str):
            ms = json.loads(ms) if ms.strip() else []
        elif not isinstance(ms, list):
            ms = []
        link = row.get("action_link")
        return cls(id=None if row.get("id") is None else int(row["id"]), indicator_id=row["indicator_id"],
                   indicator_version=int(row["indicator_version"]), area_code=row["area_code"],
                   baseline_period=str(row["baseline_period"]), baseline_value=float(row["baseline_value"]),
                   target_value=float(row["target_value"]), target_period=str(row["target_period"]),
                   owner=row.get("owner") or "", rationale=row.get("rationale") or "",
                   action_link=link if isinstance(link, str) and link else None,
                   milestones=tuple((str(m["periode"]), float(m["value"])) for m in ms),
                   version=int(row.get("version") or 1))

    @property
    def metric_id(self) -> str:
        return metric_id(self.indicator_id)

    def path_points(self) -> list[tuple[str, float]]:
        pts = [(self.baseline_period, self.baseline_value), *self.milestones, (self.target_period, self.target_value)]
        return sorted(pts, key=lambda p: index(p[0]))

    def path_value(self, periode: str) -> float:
        return path_value(self.path_points(), periode)

    def holds(self) -> bool:
        """The target keeps the baseline value (as 'sterkte vasthouden')."""
        return self.target_value == self.baseline_value and not self.milestones


def goal_up(richting: str, baseline_value: float, target_value: float) -> bool:
    """Which way is progress: by the indicator's richting; for a neutral one, the way the target points."""
    if richting == "hoger_beter":
        return True
    if richting == "lager_beter":
        return False
    return target_value >= baseline_value


def _better(up: bool, a: float, b: float) -> bool:
    """a is at least as good as b."""
    return a >= b if up else a <= b


@dataclass(frozen=True)
class OwnStatus:
    status: str
    explanation: str
    latest: dict | None  # the newest shown figure after the baseline period
    expected: float | None  # the path in that period
    change: float | None  # latest − baseline value
    threshold: float | None  # 95% margin of that change
    next_period: str | None  # the next measurement expected (after the newest stored period)
    overdue: bool = False


def newest_period(rs: Sequence[Mapping]) -> str | None:
    """The newest stored period (shown or withheld)."""
    return max((r["periode"] for r in rs), key=index, default=None)


def overdue(newest: str, today: dt.date) -> bool:
    """The figures of the period after ``newest`` should be in: that period and the one after it have ended."""
    return period_end(next_period(newest, 2)) < today


def status(t: OwnTarget, current_version: int | None, richting: str, rs: Sequence[Mapping],
           today: dt.date) -> OwnStatus:
    """The status of an own target from the stored figures ``rs`` of its area (current definition version)."""
    if current_version is None or int(current_version) != t.indicator_version:
        what = "bestaat niet meer" if current_version is None else f"is gewijzigd (nu versie {current_version})"
        return OwnStatus("geen nieuwe gegevens", f"De definitie van deze eigen meting {what}; metingen onder een "
                         f"andere definitie zijn niet te vergelijken met de basis (versie {t.indicator_version}).",
                         None, None, None, None, None)
    newest = newest_period(rs) or t.baseline_period
    if index(newest) < index(t.baseline_period):
        newest = t.baseline_period
    nxt = next_period(newest)
    later = [r for r in rs if index(r["periode"]) > index(t.baseline_period)]
    after = [dict(r) for r in later if shown(r)]
    if not after:
        if later:
            return OwnStatus("geen nieuwe gegevens", "De metingen na de basisperiode zijn niet getoond (kleine "
                             "aantallen); daaruit volgt geen status.", None, None, None, None, nxt)
        if overdue(newest, today):
            return OwnStatus("geen nieuwe gegevens", f"De meting over {nxt} had er moeten zijn (ook de periode daarna "
                             "is voorbij), maar is nog niet geüpload.", None, None, None, None, nxt, True)
        return OwnStatus("te vroeg om te zeggen", f"Nog geen meting na de basisperiode {t.baseline_period}; de "
                         f"volgende meting gaat over {nxt}.", None, None, None, None, nxt)
    latest = after[-1]
    p = latest["periode"]
    se_new, se_base = se_of(latest), se_of(figure_at(rs, t.baseline_period))
    diff = value_of(latest) - t.baseline_value
    thr = margins.margin(margins.se_sum(se_new, se_base))
    up = goal_up(richting, t.baseline_value, t.target_value)
    meaningful = margins.is_meaningful(diff, thr)
    favourable = meaningful and (diff > 0) == up
    expected = t.path_value(p)
    path_meaningful = margins.is_meaningful(expected - t.baseline_value, thr)
    gap_meaningful = margins.is_meaningful(value_of(latest) - expected, margins.margin(margins.se_sum(se_new, se_new)))
    if thr is None:
        st, why = "te vroeg om te zeggen", f"{p}: {margins.NO_SE_LABEL}."
    elif favourable and _better(up, value_of(latest), t.target_value):
        st, why = "gehaald", f"{p}: het doel is bereikt en de verandering is groter dan de marge."
    elif favourable and (not gap_meaningful or _better(up, value_of(latest), expected)):
        st, why = "op koers", f"{p}: duidelijke vooruitgang, op of voor het doelpad."
    elif not meaningful and not path_meaningful:
        st, why = "te vroeg om te zeggen", (f"{p}: de verandering valt binnen de marge en het doelpad vraagt nog geen "
                                             "verandering die groter is dan de marge.")
    else:
        word = "binnen de marge" if not meaningful else ("verbeterd" if favourable else "verslechterd")
        st, why = "achter op schema", f"{p}: {word}."  # the page adds the path's value (models.doelen_own)
    return OwnStatus(st, why, latest, expected, diff, thr, nxt)


# ---------------------------------------------------------------------------------------------- measurability

@dataclass(frozen=True)
class Check:
    """One expected measurement: the path's value, the change since the baseline and the 80%-power change."""

    periode: str
    value: float
    required_change: float
    threshold: float | None  # (1,96 + 0,84) · √2 · SE_baseline (None: no interval)
    measurable: bool


def detectable_change(se_base: float | None) -> float | None:
    """The change seen with 80% probability between the baseline and a next measurement of the same size."""
    return margins.detectable(margins.se_sum(se_base, se_base))


def checks(points: Sequence[tuple[str, float]], baseline_period: str, baseline_value: float, target_period: str,
           se_base: float | None, start_year: int, holds: bool = False) -> tuple[Check, ...]:
    """Every period after the baseline measured after the programme start, up to the target period."""
    thr = detectable_change(se_base)
    out = []
    for p in periods_after(baseline_period, target_period):
        if year_of(p) <= start_year:
            continue  # measured before the programme could show an effect
        v = path_value(points, p)
        req = v - baseline_value
        ok = (thr is not None) if holds else (thr is not None and abs(req) >= thr - 1e-9)
        out.append(Check(p, v, req, thr, ok))
    return tuple(out)


def first_measurable(cs: Iterable[Check]) -> Check | None:
    return next((c for c in cs if c.measurable), None)


def target_checks(t: OwnTarget, rs: Sequence[Mapping], prog: Programme | None = None) -> tuple[Check, ...]:
    """The measurability checks of an adopted or hand-set target, from its baseline figure's interval."""
    prog = prog or programme()
    return checks(t.path_points(), t.baseline_period, t.baseline_value, t.target_period,
                  se_of(figure_at(rs, t.baseline_period)), prog.start_year, t.holds())


# ---------------------------------------------------------------------------------------------- proposals

@dataclass(frozen=True)
class OwnProposal:
    key: str
    rule: str
    indicator_id: str
    indicator_version: int
    area: str
    baseline_period: str
    baseline_value: float
    ref_value: float  # Maastricht in the baseline period
    target_period: str
    target_value: float
    checks: tuple[Check, ...]
    milestones: tuple[Check, ...]
    baseline_threshold: float | None  # the 80%-power change at the baseline ('vasthouden': the allowed worsening)
    first_measurement: bool = False  # the baseline is the first common period after the start (nulmeting)

    @property
    def rule_label(self) -> str:
        return RULE_LABEL[self.rule]

    @property
    def rule_text(self) -> str:
        return rule_text(self.rule)

    @property
    def metric_id(self) -> str:
        return metric_id(self.indicator_id)

    @property
    def measurable_from(self) -> Check | None:
        return first_measurable(self.checks)

    @property
    def measurable(self) -> bool:
        return self.measurable_from is not None

    def milestone_values(self, target_value: float | None = None, target_period: str | None = None) -> list[dict]:
        """Milestones for the adopted target: the proposal's milestone periods before the target period, on the
        straight path to the (possibly edited) target."""
        tv = self.target_value if target_value is None else float(target_value)
        tp = self.target_period if target_period is None else str(target_period)
        if self.rule == "vasthouden" and target_value is None:
            return []
        pts = [(self.baseline_period, self.baseline_value), (tp, tv)]
        return [{"periode": m.periode, "value": round(path_value(pts, m.periode), 4)} for m in self.milestones
                if index(self.baseline_period) < index(m.periode) < index(tp)]

    def target_values(self, owner: str, rationale: str, target_value: float | None = None,
                      target_period: str | None = None) -> dict:
        """The fields of an own target for adopting this proposal."""
        tv = self.target_value if target_value is None else float(target_value)
        tp = self.target_period if target_period is None else str(target_period)
        return {"indicator_id": self.indicator_id, "indicator_version": self.indicator_version,
                "area_code": self.area, "baseline_period": self.baseline_period,
                "baseline_value": self.baseline_value, "target_value": tv, "target_period": tp, "owner": owner,
                "rationale": rationale, "action_link": None, "milestones": self.milestone_values(tv, tp)}

    def decision_values(self) -> dict:
        return {"proposal_key": self.key, "rule": self.rule, "indicator_id": self.indicator_id,
                "indicator_version": self.indicator_version, "area_code": self.area,
                "baseline_period": self.baseline_period, "baseline_value": self.baseline_value,
                "target_period": self.target_period, "target_value": self.target_value}


def baseline_pair(rs_area: Sequence[Mapping], rs_ref: Sequence[Mapping], start_year: int
                  ) -> tuple[dict, dict, bool] | None:
    """(buurt figure, Maastricht figure, nulmeting?) in the most recent period of the start year or before in
    which both are shown; else the first such period after it (the indicator's first measurement)."""
    ref = {r["periode"]: r for r in rs_ref if shown(r)}
    common = sorted((r["periode"] for r in rs_area if shown(r) and r["periode"] in ref), key=index)
    if not common:
        return None
    before = [p for p in common if year_of(p) <= start_year]
    p, first = (before[-1], False) if before else (common[0], True)
    return dict(figure_at(rs_area, p)), dict(ref[p]), first  # type: ignore[arg-type]


def rules_for(richting: str, a: Mapping, r: Mapping) -> tuple[str, ...]:
    """'vasthouden' when the buurt does as well as (inside the margin) or better than Maastricht; else the two gap
    rules; none for an indicator without a direction."""
    if richting not in ("hoger_beter", "lager_beter"):
        return ()
    diff = value_of(a) - value_of(r)
    ba, br = _num(a.get("base")), _num(r.get("base"))
    overlap = ba / br if ba and br and br > 0 else 0.0
    thr = margins.margin(margins.se_difference(se_of(a), se_of(r), overlap))
    meaningful = margins.is_meaningful(diff, thr)
    if not meaningful or (diff > 0) == (richting == "hoger_beter"):
        return ("vasthouden",)
    return ("gat_halveren", "gat_dichten")


def proposals_for(ind: Indicator, figs: pd.DataFrame, area: str, prog: Programme | None = None,
                  ref: str = MAASTRICHT) -> list[OwnProposal]:
    prog = prog or programme()
    pair = baseline_pair(rows(figs, ind.id, ind.version, area), rows(figs, ind.id, ind.version, ref),
                         prog.start_year)
    if pair is None:
        return []
    a, r, first = pair
    bp, bv, rv = a["periode"], value_of(a), value_of(r)
    se_base = se_of(a)
    step = prog.milestone_min_interval_years * (4 if ind.frequentie == "kwartaal" else 1)
    out = []
    for rule in rules_for(ind.richting, a, r):
        ty, tv = rule_target(rule, bv, rv, prog)
        tp = period_for_year(ty, ind.frequentie)
        pts = [(bp, bv), (tp, tv)]
        cs = checks(pts, bp, bv, tp, se_base, prog.start_year, holds=rule == "vasthouden")
        keep = set(thin([index(c.periode) for c in cs if index(c.periode) < index(tp)], step))
        ms = tuple(c for c in cs if index(c.periode) in keep) if rule != "vasthouden" else ()
        out.append(OwnProposal(f"{rule}:{metric_id(ind.id)}@{ind.version}:{area}:{bp}", rule, ind.id, ind.version,
                               area, bp, bv, rv, tp, float(tv), cs, ms, detectable_change(se_base), first))
    return out


def open_proposals(inds: Iterable[Indicator], figs: pd.DataFrame, areas: Sequence[str] = FOCUS_AREAS,
                   decided: Iterable[str] = (), taken: Iterable[tuple[str, str]] = (),
                   prog: Programme | None = None) -> list[OwnProposal]:
    """Every open proposal on the given own indicators: per focus buurt, without decided (adopted or rejected)
    proposals and without indicator/area pairs that already have a target."""
    decided, taken = set(decided), set(taken)
    out = []
    for a in areas:
        for ind in inds:
            if (ind.id, a) in taken:
                continue
            out += [p for p in proposals_for(ind, figs, a, prog) if p.key not in decided]
    return out


def without_reference(inds: Iterable[Indicator], figs: pd.DataFrame, ref: str = MAASTRICHT) -> list[Indicator]:
    """Own indicators with a direction but no shown Maastricht figure: the rules cannot make a proposal."""
    out = []
    for ind in inds:
        if ind.richting == "neutraal":
            continue
        if not any(shown(r) for r in rows(figs, ind.id, ind.version, ref)):
            out.append(ind)
    return out


# ---------------------------------------------------------------------------------------------- calendar

@dataclass(frozen=True)
class NextMeasurement:
    indicator_id: str
    newest: str | None  # the newest stored period of any area (None: nothing uploaded yet)
    next: str | None  # the period after it
    overdue: bool


def next_measurement(ind: Indicator, figs: pd.DataFrame, today: dt.date) -> NextMeasurement:
    """The next expected measurement of an own indicator: the period after its newest stored one (frequentie)."""
    if figs is None or figs.empty:
        return NextMeasurement(ind.id, None, None, False)
    sel = figs[(figs["indicator_id"] == ind.id) & (figs["version"].astype(int) == int(ind.version))]
    newest = newest_period(sel.to_dict("records"))
    if newest is None:
        return NextMeasurement(ind.id, None, None, False)
    return NextMeasurement(ind.id, newest, next_period(newest), overdue(newest, today))
