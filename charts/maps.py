"""Pure map builders: choropleths of buurten, with the focus buurten outlined.

- The Maastricht map (44 buurten) is a Vega-Lite chart (`buurt_chart`): drawn as vectors by the browser like every
  other chart, no WebGL, so the Kaart page opens about as fast as a page with one chart; focus buurten labelled,
  a click selects a buurt.
- The national map (about 10.000 shapes, on request in its own tab) is a Vega-Lite chart too (`national_chart`),
  drawn on a canvas: the shapes come from the TopoJSON prepared at build time (loaders.topology), served as a
  static file the browser caches; only the colour and value text per buurt of the chosen metric and year go over
  the WebSocket (`national_values_frame`). (It was a WebGL pydeck Deck: in Chromium without a GPU deck.gl took
  6–8 s to draw it, and its payload was 1,8 MB.)

No Streamlit import: every builder returns a chart or plain data and is tested on its spec.
"""
from __future__ import annotations

import hashlib
import html
import json
import math
from dataclasses import dataclass
from typing import Any, Iterable, Mapping, Sequence

import altair as alt
import numpy as np
import pandas as pd

from loaders.topology import OBJECT as TOPOLOGY_OBJECT, label_point
from metrics import fmt
from metrics.mapdata import LegendEntry
from .palette import FOCUS_OUTLINE_RGB, MISSING_RGB, SEQUENTIAL, hex_to_rgb

# Short property keys of the map features.
K_CODE, K_NAME, K_VALUE, K_COMPARE, K_FILL = "code", "n", "v", "c", "f"
TEXT_RGB = [26, 26, 26]
FILL_ALPHA = 235
# Shapes of the national map whose code has no row in the data (other indeling): lighter than "geen gegevens".
UNMATCHED_RGB = [236, 236, 236]


# ---------------------------------------------------------------------- colours

def class_colours(n_classes: int, palette: Sequence[str] = SEQUENTIAL) -> list[list[int]]:
    """RGB per class, light to dark, spread over the palette when there are fewer classes than colours."""
    if n_classes <= 0:
        return []
    if n_classes == 1:
        return [hex_to_rgb(palette[len(palette) // 2])]
    idx = np.linspace(0, len(palette) - 1, n_classes).round().astype(int)
    return [hex_to_rgb(palette[i]) for i in idx]


def fill_for(cls: int | None, colours: Sequence[Sequence[int]]) -> list[int]:
    """Fill colour of a class; missing (None) is the neutral grey."""
    return list(MISSING_RGB if cls is None else colours[cls])


def _text(x: Any, default: str = "") -> str:
    """A text for a record: never NaN/None (they would make the deck JSON invalid)."""
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return default
    return str(x)


def rgb_hex(rgb: Sequence[int]) -> str:
    return "#" + "".join(f"{int(c):02X}" for c in rgb[:3])


# ---------------------------------------------------------------------- geometry

def _ring(coords: Sequence[Sequence[float]], decimals: int) -> list[list[float]] | None:
    """A ring with rounded coordinates and consecutive duplicates removed; None when it collapses."""
    out: list[list[float]] = []
    for pt in coords:
        p = [round(float(pt[0]), decimals), round(float(pt[1]), decimals)]
        if not out or p != out[-1]:
            out.append(p)
    if len(out) >= 2 and out[0] != out[-1]:
        out.append(out[0])
    return out if len(out) >= 4 else None


def polygons(geojson: str | Mapping, decimals: int = 5, keep_holes: bool = True) -> list[list[list[list[float]]]]:
    """The polygons of a GeoJSON Polygon/MultiPolygon, each as [outer ring, *holes], rounded."""
    geom = json.loads(geojson) if isinstance(geojson, str) else geojson
    kind = geom.get("type")
    parts = [geom["coordinates"]] if kind == "Polygon" else geom["coordinates"] if kind == "MultiPolygon" else []
    out = []
    for rings in parts:
        outer = _ring(rings[0], decimals) if rings else None
        if outer is None:
            continue
        poly = [outer]
        if keep_holes:
            poly += [r for r in (_ring(h, decimals) for h in rings[1:]) if r is not None]
        out.append(poly)
    return out


# ---------------------------------------------------------------------- records

@dataclass(frozen=True)
class AreaFeature:
    """One area on the map: its polygons and the few texts the tooltip shows."""

    code: str
    polygons: list
    props: dict  # short keys (K_NAME, K_VALUE, ...) -> text
    fill: list[int]
    label_lon: float | None = None
    label_lat: float | None = None


# ---------------------------------------------------------------------- the two maps of the Kaart page

def buurt_features(geo: pd.DataFrame, rows: Sequence, classes: Sequence[int | None], colours: Sequence[Sequence[int]],
                   decimals: int = 5) -> list[AreaFeature]:
    """Features for the Maastricht map from the geometry table and the mapdata.AreaValue rows."""
    by_code = {r.code: (r, c) for r, c in zip(rows, classes)}
    out = []
    for code, gj, lon, lat in zip(geo["area_code"], geo["geojson"], geo["label_lon"], geo["label_lat"]):
        if code not in by_code:
            continue
        r, cls = by_code[code]
        out.append(AreaFeature(
            code=code, polygons=polygons(gj, decimals), fill=[*fill_for(cls, colours), FILL_ALPHA],
            props={K_NAME: _text(r.name) or code, K_VALUE: _text(r.value_text), K_COMPARE: _text(r.comparison)},
            label_lon=None if lon is None or pd.isna(lon) else round(float(lon), decimals),
            label_lat=None if lat is None or pd.isna(lat) else round(float(lat), decimals),
        ))
    return out


SELECT_PARAM = "buurt_op_kaart"


def _clockwise(ring: list[list[float]]) -> list[list[float]]:
    """The ring in the winding d3-geo (Vega) expects for an outer ring: clockwise in lon/lat. GeoJSON (RFC 7946)
    winds outer rings counter-clockwise, which d3 would read as 'the whole globe except this buurt'."""
    area2 = sum(x0 * y1 - x1 * y0 for (x0, y0), (x1, y1) in zip(ring, ring[1:]))
    return ring[::-1] if area2 > 0 else ring


def geo_features(features: Iterable[AreaFeature]) -> list[dict]:
    """GeoJSON features (outer rings clockwise, holes counter-clockwise) with the tooltip texts and the fill."""
    out = []
    for f in features:
        polys = [[_clockwise(poly[0]), *[_clockwise(h)[::-1] for h in poly[1:]]] for poly in f.polygons]
        out.append({"type": "Feature", "geometry": {"type": "MultiPolygon", "coordinates": polys},
                    "properties": {K_CODE: f.code, **f.props, K_FILL: rgb_hex(f.fill)}})
    return out


def buurt_chart(geo: pd.DataFrame, rows: Sequence, classes: Sequence[int | None], n_classes: int,
                metric_label: str, year: int, focus_codes: Sequence[str], height: int = 560) -> alt.LayerChart:
    """Choropleth of the buurten of one gemeente as a Vega-Lite chart (drawn by the browser's vector renderer, no
    WebGL): areas in their class colour with a white edge, the focus buurten with a thick black outline on a white
    halo and their name, a tooltip per buurt and a click that selects the buurt (parameter ``SELECT_PARAM``)."""
    feats = buurt_features(geo, rows, classes, class_colours(n_classes))
    focus = set(focus_codes)
    data = alt.Data(values=geo_features(feats))
    focus_data = alt.Data(values=geo_features(f for f in feats if f.code in focus))
    labels = pd.DataFrame([{"lon": f.label_lon, "lat": f.label_lat, "naam": f.props.get(K_NAME, f.code)}
                           for f in feats if f.code in focus and f.label_lon is not None and f.label_lat is not None])
    pick = alt.selection_point(name=SELECT_PARAM, fields=[K_CODE], on="click", clear="dblclick")
    projection = {"type": "mercator"}
    areas = (alt.Chart(data).mark_geoshape(stroke="#FFFFFF", strokeWidth=1, cursor="pointer")
             .transform_calculate(**{K_CODE: f"datum.properties.{K_CODE}", "Buurt": f"datum.properties.{K_NAME}",
                                     f"{metric_label} ({year})": f"datum.properties.{K_VALUE}",
                                     "Vergelijking": f"datum.properties.{K_COMPARE}",
                                     "kleur": f"datum.properties.{K_FILL}"})
             .encode(color=alt.Color("kleur:N", scale=None, legend=None),
                     tooltip=["Buurt:N", f"{metric_label} ({year}):N", "Vergelijking:N"])
             .add_params(pick))
    layers = [areas]
    if focus:
        # Outlines and the white halos are decoration (the buurten themselves carry the description): aria=False.
        layers += [alt.Chart(focus_data).mark_geoshape(filled=False, stroke="#FFFFFF", strokeWidth=7, aria=False),
                   alt.Chart(focus_data).mark_geoshape(filled=False, stroke=rgb_hex(FOCUS_OUTLINE_RGB),
                                                       strokeWidth=3.5, aria=False)]
    if len(labels):
        base = alt.Chart(labels).encode(longitude="lon:Q", latitude="lat:Q", text="naam:N")
        layers += [base.mark_text(dy=-22, fontSize=15, fontWeight="bold", stroke="#FFFFFF", strokeWidth=4,
                                  aria=False),
                   base.mark_text(dy=-22, fontSize=15, fontWeight="bold", color=rgb_hex(TEXT_RGB))]
    return (alt.layer(*layers).project(**projection).properties(height=height, width="container")
            .configure_view(stroke=None))


def selected_buurt(event: Any) -> str | None:
    """The buurt code clicked on the buurt_chart map (st.vega_lite_chart selection state), or None."""
    sel = (event or {}).get("selection") if isinstance(event, Mapping) else getattr(event, "selection", None)
    picked = (sel or {}).get(SELECT_PARAM) or []
    for obj in picked:
        if isinstance(obj, Mapping) and obj.get(K_CODE):
            return str(obj[K_CODE])
    return None


NO_DATA_TEXT = "geen cijfer voor deze buurtcode"
# field names of the national map's per-metric data (one row per buurt goes over the WebSocket: short names)
F_VALUE, F_FILL = "v", "f"


def national_values_frame(table: pd.DataFrame, n_classes: int) -> pd.DataFrame:
    """What the national map needs per metric and year: per buurt its value text and class colour (grey without a
    figure).

    ``table``: the rows of mapdata.national_table (code, Waarde, cls) whose buurt has a shape (MapModel.map_table).
    """
    colours = class_colours(n_classes)
    fills = [rgb_hex(fill_for(None if c is None or (isinstance(c, float) and math.isnan(c)) else int(c), colours))
             for c in table["cls"]]
    return pd.DataFrame({K_CODE: table["code"].astype(str).tolist(), F_VALUE: table["Waarde"].astype(str).tolist(),
                         F_FILL: fills})


def national_chart(geometry: str | Mapping, table: pd.DataFrame, n_classes: int, metric_label: str, year: int,
                   focus: Sequence[Mapping] = (), height: int = 620) -> alt.LayerChart:
    """Choropleth of every buurt of the coarse national map as a Vega-Lite chart (canvas, no WebGL, no basemap).

    ``geometry``: the URL of the build's TopoJSON (loaders.topology: Web Mercator coordinates, drawn with the
    identity projection, so the browser does no map projection), or the topology itself (inline). ``table``:
    MapModel.map_table (code, Waarde, cls). ``focus``: the focus buurten as GeoJSON features in the same
    coordinates (loaders.topology.features). Each shape gets its class colour (no figure: grey; a 2014 code without
    a row in the data: light grey and NO_DATA_TEXT) with a thin white edge; tooltip: buurt, gemeente, value.

    The focus buurten are a few pixels wide at this scale, so beside their outline (black on a white halo) each gets
    a marker that can be found at a glance: a black ring on a white halo at its label point and its name in bold
    beside it (the westernmost one's to the left, the others' to the right, so two neighbouring buurten keep their
    names apart). All of it is decoration on the canvas (``aria=False``): the page says in text which buurten they
    are (the legend note), and the text alternative gives their figures.
    """
    fmt_ = alt.DataFormat(type="topojson", feature=TOPOLOGY_OBJECT)
    data = (alt.UrlData(url=geometry, format=fmt_) if isinstance(geometry, str)
            else alt.Data(values=dict(geometry), format=fmt_))
    # One named dataset of records (Streamlit sends a spec's datasets as Arrow), added once the chart is complete:
    # Altair validates inline data record by record and deep-copies it at every method call (seconds for 8,000
    # records); a DataFrame would also hit its 5,000-row limit.
    records = national_values_frame(table, n_classes).to_dict("records")
    name = "nl_waarden_" + hashlib.sha256(json.dumps(records, ensure_ascii=False).encode()).hexdigest()[:12]
    by_fill = alt.LookupData(data=alt.NamedData(name=name), key=K_CODE, fields=[F_FILL])
    by_value = alt.LookupData(data=alt.NamedData(name=name), key=K_CODE, fields=[F_VALUE])
    areas = (alt.Chart(data).mark_geoshape(stroke="#FFFFFF", strokeWidth=0.4, aria=False)
             .transform_lookup(lookup="id", from_=by_fill, default=rgb_hex(UNMATCHED_RGB))
             .transform_lookup(lookup="id", from_=by_value, default=NO_DATA_TEXT)
             .encode(color=alt.Color(f"{F_FILL}:N", scale=None, legend=None),
                     tooltip=[alt.Tooltip(f"properties.{K_NAME}:N", title="Buurt"),
                              alt.Tooltip("properties.g:N", title="Gemeente"),
                              alt.Tooltip(f"{F_VALUE}:N", title=f"{metric_label} ({year})")]))
    layers = [areas]
    if focus:
        fdata = alt.Data(values=[dict(f) for f in focus])
        layers += [alt.Chart(fdata).mark_geoshape(filled=False, stroke="#FFFFFF", strokeWidth=7, aria=False),
                   alt.Chart(fdata).mark_geoshape(filled=False, stroke=rgb_hex(FOCUS_OUTLINE_RGB), strokeWidth=3.5,
                                                  aria=False)]
        layers += _focus_markers(focus)
    # Canvas: Streamlit picks it by itself only for inline data of more than 2,000 rows; the shapes come by URL.
    chart = (alt.layer(*layers).project(type="identity", reflectY=True)
             .properties(height=height, width="container", padding={"left": 4, "right": 4, "top": 8, "bottom": 8},
                         usermeta={"embedOptions": {"renderer": "canvas"}})
             .configure_view(stroke=None))
    chart["datasets"] = {name: records}
    return chart


# marker of a focus buurt on the national map: ring area in px² (radius ~8 px), label offset from the point
FOCUS_MARKER_SIZE = 200
FOCUS_LABEL_DX = 14


def focus_labels(focus: Sequence[Mapping]) -> list[dict]:
    """Where the national map marks each focus buurt: ``x``/``y`` (the label point, in the topology's
    coordinates), ``naam`` and ``kant`` ('links' for the westernmost of several, else 'rechts')."""
    points = []
    for f in focus:
        pt = label_point((f.get("geometry") or {}).get("coordinates") or [])
        if pt is not None:
            points.append({"x": round(pt[0], 4), "y": round(pt[1], 4),
                           "naam": _text((f.get("properties") or {}).get(K_NAME)) or str(f.get("id", ""))})
    west = min(range(len(points)), key=lambda i: points[i]["x"]) if len(points) > 1 else None
    return [{**p, "kant": "links" if i == west else "rechts"} for i, p in enumerate(points)]


def _focus_markers(focus: Sequence[Mapping]) -> list[alt.Chart]:
    """The ring and name layers of the focus buurten (see national_chart)."""
    labels = focus_labels(focus)
    if not labels:
        return []
    base = alt.Chart(alt.Data(values=labels)).encode(longitude="x:Q", latitude="y:Q")
    ring = dict(shape="circle", filled=False, size=FOCUS_MARKER_SIZE, opacity=1, aria=False)
    layers = [base.mark_point(stroke="#FFFFFF", strokeWidth=6, **ring),
              base.mark_point(stroke=rgb_hex(FOCUS_OUTLINE_RGB), strokeWidth=3, **ring)]
    for side, align, dx in (("links", "right", -FOCUS_LABEL_DX), ("rechts", "left", FOCUS_LABEL_DX)):
        these = [p for p in labels if p["kant"] == side]  # own data per side: no filter expression in the browser
        if not these:
            continue
        text = alt.Chart(alt.Data(values=these)).encode(longitude="x:Q", latitude="y:Q", text="naam:N")
        font = dict(align=align, dx=dx, baseline="middle", fontSize=15, fontWeight="bold", aria=False)
        layers += [text.mark_text(stroke="#FFFFFF", strokeWidth=4, strokeJoin="round", **font),
                   text.mark_text(color=rgb_hex(TEXT_RGB), **font)]
    return layers


# ---------------------------------------------------------------------- legend and selection

def legend_html(entries: Sequence[LegendEntry], colours: Sequence[Sequence[int]], title: str,
                notes: Sequence[str] = (), count_word: str = "buurten",
                extra: Sequence[tuple[str, Sequence[int], int, str]] = ()) -> str:
    """The legend beside the map: a swatch, the class range in Dutch number format and the count, then notes.

    `extra`: further swatches as (label, rgb, count, count word), e.g. shapes without data on the national map.
    """
    rows = [(e.label, MISSING_RGB if e.cls is None else colours[e.cls], e.count, count_word) for e in entries]
    items = []
    for label, rgb, count, word in [*rows, *extra]:
        items.append(
            "<li style='display:flex;align-items:center;margin:0.3rem 0'>"
            f"<span aria-hidden='true' style='display:inline-block;flex:none;width:1.6rem;height:1.1rem;"
            f"margin-right:0.5rem;background:{rgb_hex(rgb)};border:1px solid #555555'></span>"
            f"<span>{html.escape(label)} <span style='color:#4a4a4a'>({fmt.number(count, 0)} {html.escape(word)})"
            "</span></span></li>"
        )
    note_html = "".join(f"<p style='color:#4a4a4a;font-size:0.9rem;margin:0.3rem 0'>{html.escape(n)}</p>"
                        for n in notes)
    return (f"<div class='wm-legend' role='group' aria-label='Legenda'><div style='font-weight:700'>"
            f"{html.escape(title)}</div><ul style='list-style:none;padding:0;margin:0.3rem 0'>{''.join(items)}</ul>"
            f"{note_html}</div>")

