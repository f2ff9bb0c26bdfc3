"""Pure map builders: choropleths of buurten, with the focus buurten outlined.

- The Maastricht map (44 buurten) is a Vega-Lite chart (`buurt_chart`): drawn as vectors by the browser like every
  other chart, no WebGL, so the Kaart page opens about as fast as a page with one chart; focus buurten labelled,
  a click selects a buurt.
- The national map (13.000+ shapes, on request in its own tab) is a pydeck Deck (`national_map`): WebGL draws that
  many shapes far faster than vectors. Works offline (no basemap tiles, `map_provider=None`) and keeps its payload
  small: polygons as flat records with rounded coordinates and only the properties the tooltip needs, serialised
  without indentation (see :class:`CompactDeck`).

No Streamlit import: every builder returns a chart, a Deck or plain data and is tested on its spec.
"""
from __future__ import annotations

import html
import json
import math
from dataclasses import dataclass
from typing import Any, Iterable, Mapping, Sequence

import altair as alt
import numpy as np
import pandas as pd
import pydeck as pdk
from pydeck.bindings.json_tools import default_serialize

from metrics import fmt
from metrics.mapdata import LegendEntry
from .palette import FOCUS_OUTLINE_RGB, MISSING_RGB, SEQUENTIAL, hex_to_rgb

# Short record keys: repeated for every polygon of the national map, so every byte counts.
K_POLY, K_CODE, K_NAME, K_VALUE, K_COMPARE, K_GEMEENTE, K_FILL = "p", "code", "n", "v", "c", "g", "f"
LAYER_AREAS, LAYER_FOCUS_HALO, LAYER_FOCUS = "buurten", "focus-halo", "focus"
WHITE = [255, 255, 255]
TEXT_RGB = [26, 26, 26]
FILL_ALPHA = 235
# Shapes of the national map whose code has no row in the data (other indeling): lighter than "geen gegevens".
UNMATCHED_RGB = [236, 236, 236]


class CompactDeck(pdk.Deck):
    """A Deck whose JSON has no indentation (pydeck indents by 2 spaces, which triples a map's payload)."""

    def to_json(self) -> str:
        return json.dumps(self, sort_keys=True, default=default_serialize, separators=(",", ":"),
                          ensure_ascii=False, allow_nan=False)


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


def bounds(polys: Iterable[Sequence[Sequence[Sequence[float]]]]) -> tuple[float, float, float, float]:
    """(min_lon, min_lat, max_lon, max_lat) of the outer rings."""
    xs: list[float] = []
    ys: list[float] = []
    for poly in polys:
        for x, y in poly[0]:
            xs.append(x)
            ys.append(y)
    if not xs:
        raise ValueError("geen geometrie")
    return min(xs), min(ys), max(xs), max(ys)


def _merc_y(lat: float) -> float:
    return math.log(math.tan(math.pi / 4 + math.radians(lat) / 2))


def fit_view(box: tuple[float, float, float, float], width_px: int = 760, height_px: int = 560,
             padding: float = 0.03) -> pdk.ViewState:
    """View state (Web Mercator, 512-px world at zoom 0) that shows the whole box with some padding."""
    x0, y0, x1, y1 = box
    usable_w, usable_h = width_px * (1 - 2 * padding), height_px * (1 - 2 * padding)
    lon_span = max(x1 - x0, 1e-6)
    y_span = max(_merc_y(y1) - _merc_y(y0), 1e-9)
    z_lon = math.log2(usable_w * 360.0 / (512.0 * lon_span))
    z_lat = math.log2(usable_h * 2 * math.pi / (512.0 * y_span))
    centre_y = (_merc_y(y0) + _merc_y(y1)) / 2
    lat = math.degrees(2 * math.atan(math.exp(centre_y)) - math.pi / 2)
    return pdk.ViewState(longitude=round((x0 + x1) / 2, 5), latitude=round(lat, 5),
                         zoom=round(min(z_lon, z_lat), 2), min_zoom=5, max_zoom=16, pitch=0, bearing=0)


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


def records(features: Iterable[AreaFeature], with_code: bool = True) -> list[dict]:
    """Flat PolygonLayer records: one per polygon part (a MultiPolygon becomes several records)."""
    out = []
    for f in features:
        for poly in f.polygons:
            rec: dict[str, Any] = {K_POLY: poly, **f.props, K_FILL: f.fill}
            if with_code:
                rec[K_CODE] = f.code
            out.append(rec)
    return out


def tooltip(lines: Sequence[str]) -> dict:
    """A Streamlit/pydeck tooltip; `{key}` placeholders are filled (and escaped) from the picked record."""
    return {
        "html": "<br/>".join(lines),
        "style": {"backgroundColor": "#FFFFFF", "color": "#1A1A1A", "fontSize": "14px",
                  "border": "1px solid #555555", "borderRadius": "4px", "padding": "6px 8px", "maxWidth": "320px"},
    }


def _area_layer(data: list[dict], pickable: bool = True) -> pdk.Layer:
    return pdk.Layer(
        "PolygonLayer", data=data, id=LAYER_AREAS, get_polygon=K_POLY, get_fill_color=K_FILL, opacity=1.0,
        filled=True, stroked=True, get_line_color=WHITE, line_width_units="'pixels'", get_line_width=1,
        line_width_min_pixels=0.5, pickable=pickable, auto_highlight=pickable, highlight_color=[1, 104, 155, 120],
    )


def _focus_layers(focus: Sequence[AreaFeature]) -> list[pdk.Layer]:
    """Focus buurten: a thick black outline on a wider white halo (visible on light and dark fills)."""
    data = [{K_POLY: poly} for f in focus for poly in f.polygons]
    common = dict(data=data, get_polygon=K_POLY, filled=False, stroked=True, line_width_units="'pixels'",
                  pickable=False, line_joint_rounded=True)
    return [
        pdk.Layer("PolygonLayer", id=LAYER_FOCUS_HALO, get_line_color=WHITE, get_line_width=7, **common),
        pdk.Layer("PolygonLayer", id=LAYER_FOCUS, get_line_color=list(FOCUS_OUTLINE_RGB), get_line_width=3.5,
                  **common),
    ]


def choropleth_deck(features: Sequence[AreaFeature], focus: Sequence[AreaFeature], tip: dict,
                    view: pdk.ViewState, with_code: bool = True, height: int = 560) -> CompactDeck:
    """The map: coloured areas, focus outlines, tooltip, no basemap."""
    layers = [_area_layer(records(features, with_code=with_code))]
    if focus:
        layers += _focus_layers(focus)
    return CompactDeck(layers=layers, initial_view_state=view, map_provider=None, tooltip=tip, height=height)


def payload_bytes(deck: pdk.Deck) -> int:
    """Size of the JSON the browser receives for this deck."""
    return len(deck.to_json().encode("utf-8"))


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


def national_shapes(geo: pd.DataFrame, decimals: int = 3) -> dict[str, list]:
    """Code -> polygons (outer rings only, rounded) of the coarse national buurt map.

    The national 2014 file is quantised on a ~300 m grid, so 3 decimals (~70-110 m) lose nothing, and
    holes are dropped (the enclosed buurt is drawn on top of its ring anyway).
    """
    out = {}
    for code, gj in zip(geo["area_code"], geo["geojson"]):
        polys = polygons(gj, decimals, keep_holes=False)
        if polys:
            out[code] = polys
    return out


def national_map(shapes: Mapping[str, list], table: pd.DataFrame, n_classes: int, metric_label: str, year: int,
                 focus_codes: Sequence[str] = (), height: int = 620,
                 no_data_text: str = "geen cijfer voor deze buurtcode") -> CompactDeck:
    """Choropleth of every buurt in the country that has a shape; shapes without a figure are grey.

    `table` is mapdata.national_table (code, Buurt, Gemeente, Waarde, cls), in the data's indeling; a shape
    whose code is not in it is drawn light grey (UNMATCHED_RGB) with `no_data_text`.
    """
    colours = class_colours(n_classes)
    info = {c: (n, g, v, k) for c, n, g, v, k in zip(table["code"], table["Buurt"], table["Gemeente"],
                                                      table["Waarde"], table["cls"])}
    feats = []
    for code, polys in shapes.items():
        matched = code in info
        name, gem, text, cls = info.get(code, (code, "", no_data_text, None))
        cls = None if cls is None or (isinstance(cls, float) and math.isnan(cls)) else int(cls)
        fill = fill_for(cls, colours) if matched else list(UNMATCHED_RGB)
        feats.append(AreaFeature(code=code, polygons=polys, fill=fill,
                                 props={K_NAME: _text(name) or code, K_GEMEENTE: _text(gem), K_VALUE: _text(text)}))
    focus = [f for f in feats if f.code in set(focus_codes)]
    view = fit_view(bounds(p for f in feats for p in f.polygons), width_px=520, height_px=height, padding=0.02)
    tip = tooltip([f"<b>{{{K_NAME}}}</b>", f"{{{K_GEMEENTE}}}",
                   f"{html.escape(metric_label)} ({year}): <b>{{{K_VALUE}}}</b>"])
    return choropleth_deck(feats, focus, tip, view, with_code=False, height=height)


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

