"""Tidy export of every metric for every area and year (CSV / Excel), and `python -m wijkmonitor export`.

Columns: area_code, area_name, area_level, year, period, metric_id, metric_label, pillar, value, lower, upper,
unit, base_population, coverage, source, note. Missing values are empty cells, never 0. ``period`` is the year
for the CBS/RIVM metrics and '2025' or '2025-K3' for the programme's own measurements (rows added by the
composition root, metric_id 'eigen:…'); ``lower`` and ``upper`` are the 95% interval where one is known: own
measurements (computed from their data, metrics/own.py) and RIVM's published values once a refresh of
50090NED/50120NED has loaded their intervals (observation_margins).
Text cells that a spreadsheet would run as a formula (= + - @ tab CR) are neutralised with a leading '.

CSV comes in two dialects: Dutch (the default for downloads: ';' separator, decimal comma, values rounded to
the metric's published precision; wording/export.py adds the Dutch column headers) and technical (',' and a
decimal point, full precision, the column names above). Excel keeps full precision.
"""
from __future__ import annotations

import io
from pathlib import Path
from typing import Iterable

import pandas as pd

from loaders.codes import member_prefix
from loaders.config import DETAIL_GEMEENTEN, HEERLEN, MAASTRICHT, NEDERLAND

from . import fmt
from .catalog import Catalog, Metric
from .compute import Engine

COLUMNS = ["area_code", "area_name", "area_level", "year", "period", "metric_id", "metric_label", "pillar", "value",
           "lower", "upper", "unit", "base_population", "coverage", "source", "note"]
DEFAULT_GROUPS = ["FOCUS", "MAASTRICHT_REST", "HEERLEN_NOORD"]
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def default_areas(engine: Engine) -> list[str]:
    """Nederland, Maastricht, Heerlen, the groups, and every Maastricht wijk/buurt and Heerlen buurt."""
    codes = [NEDERLAND, MAASTRICHT, HEERLEN, *[g for g in DEFAULT_GROUPS if g in engine.group_members]]
    lv = engine.level
    codes += sorted(c for c, l in lv.items() if l == "wijk" and c.startswith(member_prefix(MAASTRICHT, "wijk")))
    buurten = tuple(member_prefix(g, "buurt") for g in DETAIL_GEMEENTEN)
    codes += sorted(c for c, l in lv.items() if l == "buurt" and c.startswith(buurten))
    return codes


Bounds = dict  # (variable, age group, year, area) -> (lower, upper): RIVM's published intervals


def _bounds(m: Metric, r, bounds: Bounds | None) -> tuple[float | None, float | None]:
    """The published 95% interval of a published value (never of a value the dashboard computed or derived)."""
    if not bounds or not r.present or r.method != "gepubliceerd" or m.kind == "ratio" or not m.variable:
        return None, None
    return bounds.get((m.variable, m.age_group, int(r.year), r.area_code), (None, None))


def rows(engine: Engine, areas: Iterable[str], metrics: Iterable[Metric], bounds: Bounds | None = None) -> pd.DataFrame:
    out = []
    for m in metrics:
        years = engine.years(m)
        for a in areas:
            for y in years:
                r = engine.value(m, a, y)
                lo, hi = _bounds(m, r, bounds)
                out.append({
                    "area_code": a, "area_name": engine.name(a), "area_level": engine.level.get(a, "selectie"),
                    "year": y, "period": str(y), "metric_id": m.id, "metric_label": m.label, "pillar": m.pillar,
                    "value": r.value if r.present else None, "lower": lo, "upper": hi, "unit": m.unit,
                    "base_population": r.base_population, "coverage": r.coverage,
                    "source": ", ".join(r.sources) if r.sources else ", ".join(m.sources),
                    "note": "; ".join(x for x in [r.status if r.status != "ok" else "", r.method if r.method != "-" else "",
                                                  r.note] if x),
                })
    df = pd.DataFrame(out, columns=COLUMNS)
    for c in ("value", "lower", "upper"):
        df[c] = df[c].astype(float)
    return df


def combined(cbs: pd.DataFrame, own: pd.DataFrame | None) -> pd.DataFrame:
    """The metric export with the own measurements' rows after it (same columns)."""
    if own is None or own.empty:
        return cbs
    return pd.concat([cbs, own[COLUMNS]], ignore_index=True)


def table(engine: Engine, catalog: Catalog, areas: list[str] | None = None, bounds: Bounds | None = None) -> pd.DataFrame:
    return rows(engine, areas or default_areas(engine), catalog.available(), bounds)


def neutralise(df: pd.DataFrame) -> pd.DataFrame:
    """Make text cells safe to open in a spreadsheet (no formula injection)."""
    out = df.copy()
    for c in out.columns:
        if out[c].dtype == object or str(out[c].dtype).startswith(("string", "str")):
            out[c] = out[c].map(lambda v: ("'" + v) if isinstance(v, str) and v.startswith(FORMULA_START) else v)
    return out


def rounded(df: pd.DataFrame) -> pd.DataFrame:
    """The export rounded as published: each value to its metric's precision (fmt.decimals_for its unit),
    base populations to whole numbers, coverage to three decimals. Missing stays missing."""
    out = df.copy()
    if {"value", "unit"} <= set(out.columns):
        dec = out["unit"].map(lambda u: fmt.decimals_for(str(u)))
        for c in ("value", "lower", "upper"):
            if c in out:
                out[c] = [round(v, d) if pd.notna(v) else None for v, d in zip(out[c].astype(float), dec)]
                out[c] = out[c].astype(float)
    if "base_population" in out:
        out["base_population"] = out["base_population"].astype(float).round(0)
    if "coverage" in out:
        out["coverage"] = out["coverage"].astype(float).round(3)
    return out


def to_csv_bytes(df: pd.DataFrame, dialect: str = "nl") -> bytes:
    """CSV for a spreadsheet. 'nl': ';' and decimal comma (Excel with Dutch settings opens it in columns);
    'technisch': ',' and a decimal point."""
    sep, dec = {"nl": (";", ","), "technisch": (",", ".")}[dialect]
    # CRLF line ends make the csv writer quote any cell holding a bare CR, so no row can be split into a formula.
    return neutralise(df).to_csv(index=False, na_rep="", lineterminator="\r\n", sep=sep,
                                 decimal=dec).encode("utf-8-sig")


PROPOSALS_SHEET = "voorstellen (niet vastgesteld)"


def proposals_table(engine: Engine, today=None) -> pd.DataFrame:
    """The open target proposals, every row labelled 'voorstel — niet vastgesteld' with its rule
    (metrics/proposals.py). Decisions on proposals live in the programme database; this lists all proposals the
    rules give for the shipped data."""
    import datetime as dt

    from . import proposals

    today = today or dt.date.today()
    return proposals.table(proposals.proposals(engine, today), today)


def to_excel_bytes(df: pd.DataFrame, sheet: str = "wijkmonitor", licence: str = "Bron: CBS, RIVM (CC BY 4.0)",
                   extra_sheets: dict[str, pd.DataFrame] | None = None) -> bytes:
    buf = io.BytesIO()
    with pd.ExcelWriter(buf, engine="xlsxwriter") as xw:
        neutralise(df).to_excel(xw, sheet_name=sheet[:31], index=False)
        for name, extra in (extra_sheets or {}).items():
            neutralise(extra).to_excel(xw, sheet_name=name[:31], index=False)
        pd.DataFrame({"bron": [licence]}).to_excel(xw, sheet_name="bron", index=False)
    return buf.getvalue()


def write(df: pd.DataFrame, out: Path, proposals: pd.DataFrame | None = None) -> None:
    """Write the export; with `proposals`, an .xlsx gets a sheet of them and a .csv a second file next to it
    (<name>-voorstellen.csv)."""
    out = Path(out)
    if out.suffix.lower() == ".xlsx":
        out.write_bytes(to_excel_bytes(df, extra_sheets={PROPOSALS_SHEET: proposals} if proposals is not None else None))
    elif out.suffix.lower() == ".csv":
        out.write_bytes(to_csv_bytes(df, "technisch"))
        if proposals is not None:
            out.with_name(out.stem + "-voorstellen.csv").write_bytes(to_csv_bytes(proposals, "technisch"))
    else:
        raise ValueError("gebruik .csv of .xlsx")
