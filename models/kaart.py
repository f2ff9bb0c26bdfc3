"""Kaart: the choropleth of the Maastricht buurten for a metric and year, and the national 50090NED view.

Everything the page shows except the map drawing itself (charts.maps builds the deck from this model)."""
from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from loaders.config import FOCUS_AREAS, MAASTRICHT, NEDERLAND
from metrics import mapdata
from metrics.catalog import Catalog, Metric
from metrics.compute import Engine

HEALTH_INDELING_YEAR = 2020  # 50090NED: "Gezondheid per wijk en buurt; 2012/2016/2020 (indeling 2020)"
NATIONAL_SHAPE_YEAR = 2014


@dataclass(frozen=True)
class MapModel:
    metric: Metric
    year: int
    rows: tuple  # mapdata.AreaValue per buurt (Maastricht) — empty for the national view
    classing: mapdata.Classing
    entries: tuple[mapdata.LegendEntry, ...]
    legend_title: str
    legend_notes: tuple[str, ...]
    summary: str  # the text alternative of the map
    table: pd.DataFrame
    legend_table: pd.DataFrame
    sources: frozenset[str]
    source_extra: str
    join_text: str = ""
    unmatched: int = 0
    map_table: pd.DataFrame | None = None  # national: the rows of `table` whose buurt has a shape on the map


def maastricht_options(eng: Engine, cat: Catalog, geo: pd.DataFrame) -> tuple[list[str], list[Metric]]:
    """The buurten on the map (by name) and the metrics with a value for at least one of them."""
    codes = sorted(geo["area_code"], key=lambda c: eng.name(c).lower())
    return codes, mapdata.map_metrics(eng, cat, codes)


def maastricht_model(eng: Engine, m: Metric, year: int, codes: list[str], geo_source: str) -> MapModel:
    rows, ref = mapdata.area_values(eng, m, year, codes, ref=MAASTRICHT)
    values = [r.value for r in rows]
    cl = mapdata.classing(values)
    entries = mapdata.legend_entries(values, cl, m.unit)
    summary = mapdata.summary_sentence(values, m.unit, year, m.label, ref_name=eng.name(MAASTRICHT),
                                       ref_value=ref.value if ref.present else None)
    return MapModel(
        m, year, tuple(rows), cl, tuple(entries), f"{m.label} ({year}), {mapdata.unit_caption(m.unit)}",
        (mapdata.colour_meaning(m.unit), "Dikke zwarte lijn: Nazareth en Pottenberg."), summary,
        mapdata.area_table(rows, eng.name(MAASTRICHT)), mapdata.legend_table(entries),
        frozenset({s for r in rows for s in r.sources} | set(ref.sources)), f"peiljaar {year} · kaart: {geo_source}")


def national_model(eng: Engine, m: Metric, year: int, values: pd.DataFrame, shape_codes,
                   gemeente_names: dict[str, str], geo_source: str,
                   focus_codes: tuple[str, ...] = FOCUS_AREAS) -> MapModel:
    """The national view; the focus buurten on the map are marked (charts.maps.national_chart), and the legend
    and the text say which they are and give their figures."""
    vals = values["value"].tolist()
    cl = mapdata.classing(vals)
    entries = mapdata.legend_entries(vals, cl, m.unit)
    table = mapdata.national_table(values, m.unit, gemeente_names, cl)
    shape_codes = set(shape_codes)
    joined = mapdata.join_stats(table["code"].tolist(), table["value"].notna().tolist(), shape_codes)
    on_map = table.loc[table["code"].isin(shape_codes), ["code", "Waarde", "cls"]].reset_index(drop=True)
    nl = eng.value(m, NEDERLAND, year)
    summary = mapdata.summary_sentence(vals, m.unit, year, m.label, ref_name=eng.name(NEDERLAND),
                                       ref_value=nl.value if nl.present else None)
    focus = mapdata.focus_sentence(table, focus_codes, shape_codes)
    summary = f"{summary} {focus}" if focus else summary
    focus_note = mapdata.focus_note(mapdata.focus_names(table, focus_codes, shape_codes))
    notes = (mapdata.colour_meaning(m.unit), *([focus_note] if focus_note else []), mapdata.NATIONAL_LEGEND_NOTE)
    return MapModel(
        m, year, (), cl, tuple(entries), f"{m.label} ({year}), {mapdata.unit_caption(m.unit)}",
        notes, summary, table,
        mapdata.legend_table(entries), frozenset({mapdata.HEALTH_TABLE}), f"peiljaar {year} · kaart: {geo_source}, grof",
        mapdata.join_sentence(joined, HEALTH_INDELING_YEAR, NATIONAL_SHAPE_YEAR), joined.n_shapes_without_data,
        on_map)
