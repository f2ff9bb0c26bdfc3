"""The own measurements (eigen metingen) for the council documents: the slides, the one-page briefing and the full
briefing (PPTX and PDF) read them from the Context that :func:`with_own` fills.

Every figure is the stored one (``own_figures``, computed once at upload and build time by metrics/own.py) in
the words of the Overzicht card (:func:`models.own.card`, its value, interval, change and provenance); nothing
is computed again. Which indicators reach a document is the caller's choice: :func:`models.own.visible` /
``wijkmonitor.own.stored`` give the public ones unless the caller asked for the intern ones.
"""
from __future__ import annotations

import dataclasses
from typing import Iterable

import pandas as pd

from metrics import fmt
from metrics.briefing import FOCUS_AREAS, MAASTRICHT
from metrics.own import period_sort_key
from metrics.slides import Context
from wording.own_documents import OwnMeasurements, OwnSeries, OwnShown, OwnSource

from . import own as own_model

AREAS = (*FOCUS_AREAS, MAASTRICHT)


def _rows(figs: pd.DataFrame, ind: own_model.OwnIndicator) -> pd.DataFrame:
    if figs.empty:
        return figs
    return figs[(figs["indicator_id"] == ind.id) & (figs["version"].astype(int) == ind.version)]


def _newest(figs: pd.DataFrame, ind: own_model.OwnIndicator, area: str) -> dict | None:
    """The stored row the card shows (the area's newest period)."""
    mine = _rows(figs, ind)
    if mine.empty:
        return None
    mine = mine[mine["area_code"] == area]
    if mine.empty:
        return None
    return max(mine.to_dict("records"), key=lambda r: int(r["sort_key"]))


def _base_text(ind: own_model.OwnIndicator, r: dict) -> str:
    """The n of the provenance on its own: 'noemer 1.250', '240 respondenten' ('' when withheld or a count)."""
    b = r.get("base")
    if r.get("shown") or b is None or b != b or ind.soort == "aantal":
        return ""
    n = fmt.number(b, 0)
    return f"noemer {n}" if ind.soort == "register" else f"{n} {own_model.BASE_WORD[ind.soort]}"


def _interval_text(ind: own_model.OwnIndicator, r: dict) -> str:
    """'95%-interval 5,0 tot 16,8 per 1.000': the stored bounds, the unit once (at the upper bound)."""
    full = own_model.interval_text(r, ind.eenheid)
    if not full:
        return ""
    lo = own_model.value_text(r["lower"], ind.eenheid)
    for unit in (" per 1.000", "%"):
        lo = lo.removesuffix(unit)
    return f"95%-interval {lo} tot {own_model.value_text(r['upper'], ind.eenheid)}"


def shown(inds: Iterable[own_model.OwnIndicator], figs: pd.DataFrame, name, areas=AREAS) -> tuple[OwnShown, ...]:
    """Per indicator and area (focus buurten and Maastricht) the card's figure, worded."""
    out = []
    for ind in inds:
        for a in areas:
            c = own_model.card(ind, figs, a, name)
            if c is None:
                continue
            r = _newest(figs, ind, a)
            label = f"{r['label']} sinds {r['ref_periode']}" if c.change and r.get("ref_periode") else ""
            raw = None if c.withheld or r.get("value") is None or r["value"] != r["value"] else float(r["value"])
            out.append(OwnShown(
                ind.id, ind.label, ind.pijler, own_model.PILLAR_LABEL.get(ind.pijler, ind.pijler), ind.definitie,
                ind.bron, ind.zichtbaarheid == "intern", a, c.area_name, c.periode, c.value,
                "" if c.withheld else _interval_text(ind, r), _base_text(ind, r), "" if c.withheld else c.change,
                "" if c.withheld else label, c.provenance, c.withheld, raw))
    return tuple(out)


def sources(inds: Iterable[own_model.OwnIndicator], figs: pd.DataFrame) -> tuple[OwnSource, ...]:
    out = []
    for ind in inds:
        periods = sorted(set(_rows(figs, ind)["periode"]) if not figs.empty else set(), key=period_sort_key)
        if periods:
            out.append(OwnSource(ind.id, ind.label, ind.bron, ", ".join(periods), ind.zichtbaarheid == "intern"))
    return tuple(out)


def _number(x) -> float | None:
    return None if x is None or x != x else float(x)


def series(inds: Iterable[own_model.OwnIndicator], figs: pd.DataFrame, name, areas=AREAS) -> tuple[OwnSeries, ...]:
    """Per indicator the shown figures of the focus buurten and Maastricht over time (the Trends page's frame,
    models.own.trend): only for an indicator with shown figures in two or more periods. Withheld figures are
    no points (their periods stay on the axis and the summary names them)."""
    out = []
    for ind in inds:
        tr = own_model.trend(ind, figs, areas, name)
        shown_rows = tr.frame[tr.frame["value"].notna()]
        if shown_rows["periode"].nunique() < 2:
            continue
        points = tuple((r.area_code, r.area_name, r.periode, float(r.value), _number(r.lower), _number(r.upper),
                        r.label, r.interval) for r in shown_rows.itertuples())
        out.append(OwnSeries(ind.id, tuple(tr.periods), points, ind.unit_text, tr.summary))
    return tuple(out)


def measurements(inds, figs: pd.DataFrame, name) -> OwnMeasurements:
    figures = shown(inds, figs, name)
    if not figures:
        return OwnMeasurements()
    note = own_model.SUPPRESSION_NOTE if any(f.withheld for f in figures) else ""
    used = [i for i in inds if i.id in {f.indicator_id for f in figures}]
    return OwnMeasurements(figures, sources(used, figs), note, series(used, figs, name))


def with_own(ctx: Context, own_measurements) -> Context:
    """The Context with the own measurements ``(indicators, figures)`` a document may show — as
    ``ui.state.own_measurements`` or ``wijkmonitor.own.stored`` return them, already limited to the public
    indicators unless the caller asked for the intern ones. None or empty: the documents show none."""
    if not own_measurements:
        return dataclasses.replace(ctx, own=None)
    inds, figs = own_measurements
    own = measurements(inds, figs, ctx.engine.name)
    return dataclasses.replace(ctx, own=own if own else None)
