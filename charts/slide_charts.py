"""Server-side charts for slides and print: the dashboard's Altair builders with larger type, and a static
locator map of the Maastricht buurten; rendered with vl-convert (no browser).

Used by the presentation (ui/present.py, SVG) and by the briefing export (reports/, PNG).
"""
from __future__ import annotations

import copy
import json

import altair as alt
import pandas as pd
import vl_convert as vlc

from loaders.config import FOCUS_AREAS, MAASTRICHT
from metrics.compute import Engine
from metrics.series import trend_frame
from . import charts
from .palette import colour_for
from wording.slides import ChartRef

CHART_FONT = "DejaVu Sans"
OTHER_BUURTEN = "Andere buurten"
OTHER_FILL = "#C4C4C4"
MAP_INDELING = 2020
MAP_GEMEENTE = MAASTRICHT


def enlarge(spec: dict, font: int) -> dict:
    """A copy of a Vega-Lite spec with every font at `font` px and marks scaled along (for slides and print)."""
    factor = font / charts.FONT_SIZE

    def walk(node):
        if isinstance(node, dict):
            out = {}
            for k, v in node.items():
                if k in ("labelFontSize", "titleFontSize", "fontSize") and isinstance(v, (int, float)):
                    out[k] = font
                elif k == "labelLimit":
                    out[k] = 0
                elif k == "size" and isinstance(v, (int, float)) and node.get("type") in ("point", "circle"):
                    out[k] = round(v * factor * factor * 0.6)
                elif k == "strokeWidth" and isinstance(v, (int, float)):
                    out[k] = round(v * min(factor, 2.2), 1)
                elif k == "dx" and isinstance(v, (int, float)):
                    out[k] = round(v * factor)
                elif k == "dy" and isinstance(v, (int, float)):
                    out[k] = round(v * factor)
                else:
                    out[k] = walk(v)
            return out
        if isinstance(node, list):
            return [walk(x) for x in node]
        return node

    out = walk(copy.deepcopy(spec))
    cfg = out.setdefault("config", {})
    cfg["font"] = CHART_FONT
    cfg.setdefault("legend", {}).update({"symbolSize": round(90 * factor * factor * 0.5), "symbolStrokeWidth": 3,
                                         "labelFontSize": font, "titleFontSize": font, "columnPadding": font,
                                         "labelLimit": 0})
    cfg.setdefault("axis", {}).update({"labelFontSize": font, "titleFontSize": font, "labelColor": "#1A1A1A",
                                       "titleColor": "#1A1A1A", "tickSize": 8, "labelPadding": 6})
    cfg.setdefault("axisY", {}).update({"tickCount": 6})
    cfg.setdefault("view", {}).update({"stroke": None})
    return out


def trend_spec(engine: Engine, ref: ChartRef, width: int, height: int, font: int,
               title: str = "") -> dict | None:
    """The dashboard's trend chart for a slide's ChartRef (with the target path, as on the Doelen page)."""
    m = engine.catalog.get(ref.metric_id)
    df = trend_frame(engine, m, list(ref.areas))
    if df.empty or not df["value"].notna().any():
        return None
    path = None
    if ref.trajectory:
        path = pd.DataFrame([{"year": y, "value": v} for y, v in ref.trajectory])
        years = sorted(set(df["year"]).union(path["year"]))
        df = df.set_index(["area_code", "year"]).reindex(
            pd.MultiIndex.from_product([df["area_code"].unique(), years], names=["area_code", "year"])).reset_index()
        df["area_name"] = df["area_code"].map(engine.name)
        df["label"] = df["label"].fillna("geen meting")
        df[["source", "note"]] = df[["source", "note"]].fillna("")
    chart = charts.trend_chart(df, title, m.unit, baseline_year=ref.baseline_year, height=height, width=width,
                               trajectory=path)
    spec = enlarge(chart.to_dict(), font)
    if not title:
        spec.pop("title", None)
    return spec


def own_trend_spec(ref: ChartRef, width: int, height: int, font: int) -> dict | None:
    """An own indicator's slide chart from the figures the slide carries (``ref.points``, shown ones only): the
    Trends page's chart (charts.own_trend_chart, 95% interval as a vertical rule), enlarged for the slide."""
    if not ref.points:
        return None
    df = pd.DataFrame(list(ref.points), columns=["area_code", "area_name", "periode", "value", "lower", "upper",
                                                  "label", "interval"])
    spec = enlarge(charts.own_trend_chart(df, list(ref.periods), "", ref.y_title, height=height,
                                          width=width).to_dict(), font)
    # The slide has its own title; the chart keeps one line: how to read the interval (the subtitle on the page).
    spec["title"] = {"text": "verticale streep: 95%-interval", "anchor": "start", "fontSize": font - 4,
                     "fontWeight": "normal", "color": "#4a4d50"}  # 8.5:1 on white, as the page's chart text
    return spec


def slide_spec(engine: Engine, ref: ChartRef, geometries, chart: dict, map_: dict) -> dict | None:
    """The spec of a slide's chart, whatever its kind: ``chart`` sizes a trend (CBS or own), ``map_`` the map."""
    if ref.kind == "trend":
        return trend_spec(engine, ref, **chart)
    if ref.kind == "eigen":
        return own_trend_spec(ref, **chart)
    return map_spec(geometries, **map_)


def _ring_area(ring) -> float:
    return sum(x0 * y1 - x1 * y0 for (x0, y0, *_), (x1, y1, *_) in zip(ring, ring[1:])) / 2


def rewind(geometry: dict) -> dict:
    """Rings in d3-geo's winding (exterior clockwise, holes counter-clockwise).

    GeoJSON (RFC 7946) winds exteriors counter-clockwise; d3 reads such a ring as 'everything except this
    polygon' and would fill the whole map. Orientation is taken from the planar signed area in lon/lat.
    """
    def fix(poly):
        out = []
        for i, ring in enumerate(poly):
            a = _ring_area(ring)
            want_cw = i == 0
            out.append(list(reversed(ring)) if (a > 0) == want_cw else ring)
        return out

    g = dict(geometry)
    if g.get("type") == "Polygon":
        g["coordinates"] = fix(g["coordinates"])
    elif g.get("type") == "MultiPolygon":
        g["coordinates"] = [fix(p) for p in g["coordinates"]]
    return g


def map_spec(geoms: pd.DataFrame, width: int, height: int, font: int, focus=FOCUS_AREAS) -> dict | None:
    """A static locator map: every buurt in grey, the focus buurten in their colours, outlined and named."""
    if geoms is None or geoms.empty:
        return None
    names = dict(zip(geoms["area_code"], geoms["name"]))
    focus = [c for c in focus if c in names]
    domain = [names[c] for c in focus] + [OTHER_BUURTEN]
    colours = [colour_for(c, i) for i, c in enumerate(focus)] + [OTHER_FILL]
    feats = []
    for code, gj, name in zip(geoms["area_code"], geoms["geojson"], geoms["name"]):
        feats.append({"type": "Feature", "geometry": rewind(json.loads(gj)),
                      "properties": {"code": code, "name": name or code,
                                     "groep": name if code in focus else OTHER_BUURTEN}})
    # Focus buurten last, so their outline is drawn on top.
    feats.sort(key=lambda f: f["properties"]["code"] in focus)
    shapes = alt.Chart(alt.Data(values=feats)).mark_geoshape(stroke="#FFFFFF", strokeWidth=1.2).encode(
        color=alt.Color("properties.groep:N", scale=alt.Scale(domain=domain, range=colours),
                        legend=alt.Legend(title=None, orient="bottom", direction="horizontal")),
        tooltip=[alt.Tooltip("properties.name:N", title="Buurt")])
    outline = alt.Chart(alt.Data(values=[f for f in feats if f["properties"]["code"] in focus])).mark_geoshape(
        fill=None, stroke="#000000", strokeWidth=3)
    labels = pd.DataFrame([{"lon": float(r.label_lon), "lat": float(r.label_lat), "name": r.name}
                           for r in geoms.itertuples() if r.area_code in focus])
    halo = alt.Chart(labels).mark_text(fontSize=font, fontWeight="bold", dy=-font, stroke="#FFFFFF",
                                       strokeWidth=max(4, font // 4), strokeJoin="round").encode(
        longitude="lon:Q", latitude="lat:Q", text="name:N")
    text = alt.Chart(labels).mark_text(fontSize=font, fontWeight="bold", dy=-font, color="#000000").encode(
        longitude="lon:Q", latitude="lat:Q", text="name:N")
    chart = alt.layer(shapes, outline, halo, text).project(type="mercator").properties(width=width, height=height)
    spec = chart.to_dict()
    cfg = spec.setdefault("config", {})
    cfg["font"] = CHART_FONT
    cfg["legend"] = {"labelFontSize": font, "symbolSize": font * font, "symbolType": "square", "labelLimit": 0,
                     "columnPadding": font}
    cfg["view"] = {"stroke": None}
    return spec


def to_svg(spec: dict) -> str:
    return vlc.vegalite_to_svg(spec, format_locale=charts.DUTCH_FORMAT)


def to_png(spec: dict, scale: float = 2.0) -> bytes:
    return vlc.vegalite_to_png(spec, scale=scale, format_locale=charts.DUTCH_FORMAT)


