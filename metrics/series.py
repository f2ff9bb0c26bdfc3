"""Tidy frames for charts and tables (pure)."""
from __future__ import annotations

import pandas as pd

from . import fmt
from .catalog import Metric
from .compute import Engine

TREND_COLUMNS = ["area_code", "area_name", "year", "value", "status", "method", "source", "note", "label",
                 "break_before"]


def trend_frame(engine: Engine, metric: Metric, areas: list[str],
                breaks: dict[str, list[int]] | None = None) -> pd.DataFrame:
    """One row per area and measurement year; value NaN where missing (kept, so charts show the gap).

    `breaks` maps an area to years where its boundary/code changed (loaders.boundaries): the line must not
    join the measurement before such a year to the one from it on (`break_before`)."""
    rows = []
    breaks = breaks or {}
    for a in areas:
        for r in engine.series(metric, a):
            rows.append({
                "break_before": any(b <= r.year and b > prev for b in breaks.get(a, []))
                if (prev := next((x["year"] for x in reversed(rows) if x["area_code"] == a), None)) is not None
                else False,
                "area_code": a, "area_name": engine.name(a), "year": r.year,
                "value": r.value if r.present else float("nan"), "status": r.status, "method": r.method,
                "source": ", ".join(r.sources), "note": r.note,
                "label": fmt.value(r.value if r.present else None, metric.unit),
            })
    return pd.DataFrame(rows, columns=TREND_COLUMNS)


def table_for_people(df: pd.DataFrame, metric: Metric) -> pd.DataFrame:
    """The text alternative of a trend chart: area x year with Dutch-formatted values (areas in the order of
    the chart, years ascending). Built directly: a pandas pivot_table costs ~50 ms a call on a page load."""
    if df.empty:
        return pd.DataFrame()
    years = sorted(set(df["year"]))
    cells: dict[str, dict[int, str]] = {}
    for name, year, label in zip(df["area_name"], df["year"], df["label"]):
        cells.setdefault(name, {}).setdefault(year, label)
    return pd.DataFrame([{"Gebied": n, **{str(y): c.get(y) for y in years}} for n, c in cells.items()],
                        columns=["Gebied", *[str(y) for y in years]])
