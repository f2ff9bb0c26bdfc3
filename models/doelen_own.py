"""Doelen for the programme's own indicators (eigen metingen): the target cards, the target proposals, the
editor's decision on one, and the own measurements in 'Wanneer zien we vooruitgang?'.

The rules are metrics/own_targets.py; this module reads the stored figures (loaders.schema.own_figures) and the
definitions (models.own.OwnIndicator) and puts them in words. An ``intern`` indicator reaches these functions only
when the caller passes it (a signed-in editor): :func:`visible_targets` drops the targets of every other one.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import pandas as pd

from loaders.config import FOCUS_AREAS, MAASTRICHT
from metrics import own_targets as ot
from metrics.own import period_midpoint
from metrics.proposals import LABEL, NOT_MEASURABLE, programme
from models import own as own_model
from models.doelen import OWNER, STATUS_ICON, CalendarModel
from models.own import OwnIndicator

Name = Callable[[str], str]
TARGET_AREAS = FOCUS_AREAS  # an own target is set per focus buurt
NO_INTERVAL = " (geen 95%-interval bekend bij de basis)"
CALENDAR_NOTE = ("**Eigen metingen** — gemeten door of voor het programma zelf, met de frequentie uit hun definitie "
                 "(Data en methode, tab Eigen metingen). De volgende meting is de periode na de nieuwste periode in de "
                 "data; er is geen vaste publicatiedatum: de cijfers tellen mee zodra ze geüpload zijn.")


def amount(x: float, eenheid: str) -> str:
    """An unsigned amount of change: '9,1 procentpunt', '1,2 per 1.000'."""
    return own_model.delta_text(abs(x), eenheid).lstrip("+±")


def by_id(inds: Iterable[OwnIndicator]) -> dict[str, OwnIndicator]:
    return {i.id: i for i in inds}


def visible_targets(rows: pd.DataFrame, inds: Iterable[OwnIndicator]) -> list[dict]:
    """The stored own targets whose indicator the visitor may see (an intern one only for editors)."""
    if rows is None or rows.empty:
        return []
    ids = set(by_id(inds))
    return [r for r in rows.to_dict("records") if r["indicator_id"] in ids]


def taken(rows: pd.DataFrame) -> set[tuple[str, str]]:
    """(indicator id, area) pairs that have a target: no proposal is made for them."""
    if rows is None or rows.empty:
        return set()
    return set(zip(rows["indicator_id"], rows["area_code"]))


def decided_keys(decisions: pd.DataFrame) -> frozenset:
    return frozenset(decisions["proposal_key"]) if decisions is not None and not decisions.empty else frozenset()


def frequency_words(ind: OwnIndicator) -> str:
    return f"{own_model.FREQUENCY_WORD[ind.frequentie]}, bron {ind.bron}"


# ---------------------------------------------------------------------------------------------- measurability

def measurable_text(cs: Sequence[ot.Check], holds: bool, eenheid: str) -> str:
    """'met 80% kans zichtbaar vanaf periode 2029' or why not (lower case, no full stop)."""
    c = ot.first_measurable(cs)
    if not cs:
        return NOT_MEASURABLE + f" (geen meting na de start van het programma in {programme().start_year} vóór de " \
                                "doelperiode)"
    if cs[0].threshold is None:
        return NOT_MEASURABLE + NO_INTERVAL
    if holds:
        return (f"te volgen vanaf periode {cs[0].periode}: een verslechtering van meer dan "
                f"{amount(cs[0].threshold, eenheid)} is dan met 80% kans zichtbaar")
    if c is None:
        last = cs[-1]
        return (NOT_MEASURABLE + f": de gevraagde verandering ({amount(last.required_change, eenheid)}) is kleiner "
                f"dan wat met 80% kans zichtbaar is ({amount(last.threshold, eenheid)})")  # type: ignore[arg-type]
    return f"met 80% kans zichtbaar vanaf periode {c.periode}"


def _sentence(text: str) -> str:
    return text[0].upper() + text[1:] + "."


# ---------------------------------------------------------------------------------------------- target cards

@dataclass(frozen=True)
class OwnTargetCard:
    target: ot.OwnTarget
    indicator: OwnIndicator
    title: str
    figures: tuple[tuple[str, str], ...]  # (label, value): basis, laatste meting, doel
    status: str
    icon: str
    explanation: str
    change: str  # the change since the baseline with its margin ("" without a measurement after it)
    measurable: str  # 'Met 80% kans zichtbaar vanaf periode 2029.' or why not
    caption: str  # owner, rationale, action, next measurement
    provenance: str  # 'Eigen meting — bron: …, periode …, noemer …'
    chart: pd.DataFrame  # models.own.trend frame + t (position in years)
    path: pd.DataFrame  # periode, value, t
    path_table: pd.DataFrame
    table: pd.DataFrame  # the measurements of the chart for people ('<10' / 'x' where withheld)
    withheld: bool  # the chart's areas have a withheld figure ('<10' / 'x')


def _with_time(df: pd.DataFrame) -> pd.DataFrame:
    df = df.copy()
    df["t"] = [period_midpoint(p) for p in df["periode"]] if not df.empty else pd.Series(dtype=float)
    return df


def own_target_card(ind: OwnIndicator, rec: dict, figs: pd.DataFrame, name: Name, today: dt.date) -> OwnTargetCard:
    """One target on an own indicator: figures, computed status, measurability, chart with the target path."""
    t = ot.OwnTarget.from_row(rec)
    u = ind.eenheid
    rs = ot.rows(figs, ind.id, ind.version, t.area_code) if ind.version == t.indicator_version else []
    s = ot.status(t, ind.version, ind.richting, rs, today)
    newest = max(rs, key=lambda r: ot.index(r["periode"]), default=None)
    is_base = newest is not None and newest["periode"] == t.baseline_period
    latest_label = (f"Laatste meting {newest['periode']}" + (" (de basis)" if is_base else "")) if newest else \
        "Laatste meting"
    figures = ((f"Basis {t.baseline_period}", own_model.value_text(t.baseline_value, u)),
               (latest_label, own_model.shown_text(newest, u) if newest else own_model.value_text(None, u)),
               (f"Doel {t.target_period}", own_model.value_text(t.target_value, u)))
    explanation = s.explanation
    if s.status == "achter op schema" and s.expected is not None:
        explanation += f" Het doelpad verwacht hier {own_model.value_text(s.expected, u)}."
    change = ""
    if s.latest is not None and s.change is not None:
        marge = f"; marge ± {own_model.value_text(s.threshold, u).rstrip('%')}" if s.threshold is not None else ""
        change = (f"Verandering {t.baseline_period}–{s.latest['periode']}: {own_model.delta_text(s.change, u)}"
                  f"{marge}.")
    meas = _sentence(measurable_text(ot.target_checks(t, rs), t.holds(), u)) if rs else ""
    nxt = f"volgende meting: {s.next_period} ({frequency_words(ind)})" if s.next_period else ""
    if nxt and newest is not None and ot.overdue(newest["periode"], today):
        nxt += "; had er al moeten zijn (ook de periode daarna is voorbij)"
    caption = " · ".join(x for x in (f"Eigenaar: {t.owner}", f"Waarom dit doel: {t.rationale}",
                                     f"Uitvoeringsplan: {t.action_link}" if t.action_link else "",
                                     nxt[0].upper() + nxt[1:] if nxt else "") if x)
    prov_row = s.latest or figure_row(rs, t.baseline_period) or {"periode": t.baseline_period}
    areas = [t.area_code] + ([MAASTRICHT] if ot.rows(figs, ind.id, ind.version, MAASTRICHT) and
                             t.area_code != MAASTRICHT else [])
    tr = own_model.trend(ind, figs, areas, name) if rs else None
    chart = _with_time(tr.frame) if tr is not None else pd.DataFrame(
        columns=["area_code", "area_name", "periode", "value", "lower", "upper", "label", "interval", "base", "t"])
    path = _with_time(pd.DataFrame([{"periode": p, "value": v} for p, v in t.path_points()]))
    table = pd.DataFrame({"Periode": path["periode"], "Doelpad": [own_model.value_text(v, u) for v in path["value"]]})
    return OwnTargetCard(t, ind, f"{ind.label} — {name(t.area_code)}", figures, s.status, STATUS_ICON[s.status],
                         explanation, change, meas, caption, own_model.provenance(ind, prov_row), chart, path, table,
                         tr.table if tr is not None else pd.DataFrame(),
                         bool(tr is not None and tr.frame["value"].isna().any()))


def figure_row(rs: Sequence[dict], periode: str) -> dict | None:
    return ot.figure_at(rs, periode)


def own_target_cards(inds: Iterable[OwnIndicator], rows: pd.DataFrame, figs: pd.DataFrame, name: Name,
                     today: dt.date) -> list[OwnTargetCard]:
    ids = by_id(inds)
    return [own_target_card(ids[r["indicator_id"]], r, figs, name, today) for r in visible_targets(rows, ids.values())]


# ---------------------------------------------------------------------------------------------- the new-target form

@dataclass(frozen=True)
class BaselineOption:
    periode: str
    value: float
    text: str  # 'Basiswaarde 2025-K3: 9,6 per 1.000 (eigen meting — bron: …)'


def baseline_options(ind: OwnIndicator, figs: pd.DataFrame, area: str) -> list[BaselineOption]:
    """The periods an editor may take as the baseline: every shown figure of the area (never a withheld one)."""
    out = []
    for r in ot.rows(figs, ind.id, ind.version, area):
        if ot.shown(r):
            out.append(BaselineOption(r["periode"], ot.value_of(r), f"Basiswaarde {r['periode']}: "
                                      f"**{own_model.shown_text(r, ind.eenheid)}** ({own_model.provenance(ind, r)})"))
    return out


def target_periods(ind: OwnIndicator, baseline_period: str) -> list[str]:
    """The periods a target can be set for: after the baseline, up to the programme's end."""
    end = ot.period_for_year(programme().end_year, ind.frequentie)
    return ot.periods_after(baseline_period, end)


def default_target_period(ind: OwnIndicator, baseline_period: str) -> str:
    """The halving year of the programme (or the period after the baseline when that is later)."""
    p = ot.period_for_year(programme().halving_year, ind.frequentie)
    return p if ot.index(p) > ot.index(baseline_period) else ot.next_period(baseline_period)


# ---------------------------------------------------------------------------------------------- proposals

@dataclass(frozen=True)
class OwnProposalView:
    key: str
    rule_label: str
    rule_text: str
    target: str
    milestones: str
    measurable: bool
    measurable_text: str


@dataclass(frozen=True)
class OwnProposalBlock:
    indicator: OwnIndicator
    area_name: str
    title: str
    caption: str
    items: tuple[OwnProposalView, ...]
    source: str  # 'eigen meting — bron …'


def target_sentence(p: ot.OwnProposal, eenheid: str) -> str:
    if p.rule == "vasthouden":
        base = f"{own_model.value_text(p.baseline_value, eenheid)} vasthouden tot {p.target_period}"
        return base if p.baseline_threshold is None else \
            f"{base} (niet meer dan {amount(p.baseline_threshold, eenheid)} verslechteren)"
    return f"{own_model.value_text(p.target_value, eenheid)} in {p.target_period}"


def proposal_measurable_text(p: ot.OwnProposal, eenheid: str) -> str:
    return measurable_text(p.checks, p.rule == "vasthouden", eenheid)


def own_proposal_blocks(inds: Iterable[OwnIndicator], props: Sequence[ot.OwnProposal], name: Name
                        ) -> list[OwnProposalBlock]:
    """The open proposals per focus buurt and own indicator, each with its rule, target, milestones and
    measurability."""
    ids = by_id(inds)
    out = []
    for area in FOCUS_AREAS:
        mine = [p for p in props if p.area == area]
        for iid in dict.fromkeys(p.indicator_id for p in mine):
            ind, ps = ids[iid], [p for p in mine if p.indicator_id == iid]
            u, p0 = ind.eenheid, ps[0]
            caption = " · ".join([
                f"Basis {p0.baseline_period}: {own_model.value_text(p0.baseline_value, u)}"
                + (" (nulmeting: de eerste periode met een cijfer voor buurt en Maastricht)" if p0.first_measurement
                   else ""),
                f"{name(MAASTRICHT)} {p0.baseline_period}: {own_model.value_text(p0.ref_value, u)}",
                (f"met 80% kans zichtbare verandering bij deze buurt: {amount(p0.baseline_threshold, u)}"
                 if p0.baseline_threshold is not None else "onzekerheid onbekend"),
                f"eigen meting ({frequency_words(ind)})"])
            items = tuple(OwnProposalView(
                p.key, p.rule_label, p.rule_text, target_sentence(p, u),
                ("Tussendoelen: " + " · ".join(f"{m.periode}: {own_model.value_text(m.value, u)}"
                                               for m in p.milestones)) if p.milestones else "",
                p.measurable, _sentence(proposal_measurable_text(p, u))) for p in ps)
            out.append(OwnProposalBlock(ind, name(area), f"{ind.label} — {name(area)}", caption, items,
                                        f"{own_model.PROVENANCE_WORD.capitalize()} — bron: {ind.bron}"))
    return out


@dataclass(frozen=True)
class OwnProposalDecision:
    """What the Doelen page writes when an editor adopts or rejects a proposal on an own indicator
    (loaders.programme.adopt_own_proposal / reject_own_proposal), and what it says afterwards."""
    action: Literal["adopt", "reject"]
    decision: dict[str, Any]
    values: dict[str, Any] | None  # the target to create (adopt only)
    reason: str
    message: str


def own_proposal_decision(action: Literal["adopt", "reject"], p: ot.OwnProposal, ind: OwnIndicator, area_name: str,
                          owner: str = OWNER, target_value: float | None = None, target_period: str | None = None,
                          reason: str = "") -> OwnProposalDecision:
    """Adopt (with the possibly adjusted target value and period) or reject a proposal on an own indicator."""
    what = f"{ind.label} — {area_name}"
    if action == "reject":
        return OwnProposalDecision("reject", p.decision_values(), None, reason, f"Voorstel afgewezen: {what}.")
    tv = p.target_value if target_value is None else float(target_value)
    tp = p.target_period if target_period is None else str(target_period)
    edited = (tv, tp) != (p.target_value, p.target_period)
    u = ind.eenheid
    why = (f"Voorstel '{p.rule_label}' overgenomen{' en aangepast' if edited else ''}. {p.rule_text} Basis "
           f"{p.baseline_period}: {own_model.value_text(p.baseline_value, u)}; Maastricht "
           f"{own_model.value_text(p.ref_value, u)} (eigen meting, bron {ind.bron}).")
    return OwnProposalDecision("adopt", p.decision_values(), p.target_values(owner, why, tv, tp), reason,
                               f"Voorstel overgenomen als doel: {what}.")


def open_own_proposals(inds: Iterable[OwnIndicator], figs: pd.DataFrame, decisions: pd.DataFrame,
                       targets: pd.DataFrame) -> list[ot.OwnProposal]:
    return ot.open_proposals(list(inds), figs, FOCUS_AREAS, decided_keys(decisions), taken(targets))


def without_reference_text(inds: Iterable[OwnIndicator], figs: pd.DataFrame) -> str:
    """Why some own indicators have no proposal ('' when all have one or none has a direction)."""
    missing = ot.without_reference(list(inds), figs)
    if not missing:
        return ""
    return ("Geen voorstellen voor " + ", ".join(i.label for i in missing) + ": er is (nog) geen cijfer voor "
            f"Maastricht ({MAASTRICHT}) geüpload, en de regels vergelijken de buurt met Maastricht.")


# ---------------------------------------------------------------------------------------------- calendar

def own_calendar_rows(inds: Iterable[OwnIndicator], figs: pd.DataFrame, today: dt.date) -> list[dict]:
    """Per own indicator a row in the columns of the calendar table (models.doelen.calendar_model)."""
    out = []
    for ind in inds:
        nm = ot.next_measurement(ind, figs, today)
        if nm.newest is None:
            nxt = f"nog geen metingen geüpload ({frequency_words(ind)})"
        else:
            nxt = f"volgende meting: {nm.next} ({frequency_words(ind)})"
            if nm.overdue:
                nxt += "; had er al moeten zijn (ook de periode daarna is voorbij)"
        out.append({"Bron": f"Eigen meting: {ind.label}", "Hoe vaak": own_model.FREQUENCY_WORD[ind.frequentie],
                    "Laatste periode in de data": nm.newest or "",
                    "Gepubliceerd, nog niet geladen": "",
                    "Volgende cijfers (schatting van de datum)": nxt})
    return out


def with_own(cal: CalendarModel, inds: Sequence[OwnIndicator], figs: pd.DataFrame, today: dt.date) -> CalendarModel:
    """The calendar of the CBS/RIVM sources with a row per own indicator beside them, and the note on them."""
    own_rows = own_calendar_rows(inds, figs, today)
    if not own_rows:
        return cal
    columns = list(cal.table.columns) or list(own_rows[0])
    table = pd.concat([cal.table, pd.DataFrame(own_rows, columns=columns)], ignore_index=True)
    return CalendarModel(table, cal.freshness, (*cal.notes, CALENDAR_NOTE))


__all__ = ("LABEL", "OwnProposalBlock", "OwnProposalDecision", "OwnTargetCard", "amount", "baseline_options",
           "decided_keys", "default_target_period", "measurable_text", "open_own_proposals", "own_calendar_rows",
           "own_proposal_blocks", "own_proposal_decision", "own_target_card", "own_target_cards", "target_periods",
           "taken", "visible_targets", "with_own", "without_reference_text")
