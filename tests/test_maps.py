"""Map builders and map data: classes on hand-made data, legend, chart specs, payload; real data where it matters."""
from __future__ import annotations

import json
import time
from types import SimpleNamespace

import pandas as pd
import pytest

from loaders import repository, topology
from metrics import fmt, mapdata
from metrics.catalog import load
from metrics.compute import Engine
from metrics.mapdata import AreaValue, LegendEntry
from charts import maps
from charts.palette import FOCUS_OUTLINE_RGB, MISSING_RGB, SEQUENTIAL, hex_to_rgb

NAZARETH, POTTENBERG = "BU09350403", "BU09350203"


# ---------------------------------------------------------------------- classing (hand-computed)

def test_quantile_breaks_hand_computed():
    # 1..10, quantiles 0.2/0.4/0.6/0.8 with linear interpolation: 1 + p * 9.
    vals = list(range(1, 11))
    br = mapdata.quantile_breaks(vals, 5)
    assert br == pytest.approx((2.8, 4.6, 6.4, 8.2))
    cl = mapdata.classing(vals)
    assert cl.classes == (0, 0, 1, 1, 2, 2, 3, 3, 4, 4)
    assert cl.n_classes == 5


def test_value_on_a_bound_goes_to_the_lower_class():
    assert mapdata.classify(2.0, (2.0, 4.0)) == 0
    assert mapdata.classify(2.0001, (2.0, 4.0)) == 1
    assert mapdata.classify(4.0, (2.0, 4.0)) == 1
    assert mapdata.classify(9.0, (2.0, 4.0)) == 2
    assert mapdata.classify(None, (2.0, 4.0)) is None
    assert mapdata.classify(float("nan"), (2.0, 4.0)) is None


def test_ties_and_empty_classes_are_merged():
    # Sorted positions 0..9; cuts at 1.8, 3.6, 5.4 (all value 1) and 7.2 (1 + 0.2 * (2 - 1) = 1.2).
    # After dropping duplicates: (1, 1.2); the class (1, 1.2] is empty, so only the bound 1 remains.
    vals = [1, 1, 1, 1, 1, 1, 1, 1, 2, 10]
    cl = mapdata.classing(vals)
    assert cl.breaks == (1.0,)
    assert cl.classes == (0,) * 8 + (1, 1)
    assert cl.n_classes == 2
    assert all(any(c == k for c in cl.classes) for k in range(cl.n_classes))


def test_all_missing():
    cl = mapdata.classing([None, float("nan"), None])
    assert cl.breaks == () and cl.classes == (None, None, None) and cl.n_classes == 0
    entries = mapdata.legend_entries([None, float("nan"), None], cl, "%")
    assert entries == [LegendEntry(None, "geen gegevens", 3)]
    assert "geen van de 3 buurten" in mapdata.summary_sentence([None, None, None], "%", 2020, "Roken")


def test_single_value():
    vals = [12.5, None, 12.5, 12.5]
    cl = mapdata.classing(vals)
    assert cl.breaks == () and cl.classes == (0, None, 0, 0) and cl.n_classes == 1
    entries = mapdata.legend_entries(vals, cl, "%")
    assert entries == [LegendEntry(0, "12,5%", 3), LegendEntry(None, "geen gegevens", 1)]
    assert maps.class_colours(1) == [hex_to_rgb(SEQUENTIAL[2])]


def test_legend_entries_dutch_ranges_and_counts():
    # Cuts at 2.8, 4.6, 6.4, 8.2 (as above): two values per class; labels are the real ranges in the class.
    vals = [1, 2, 3, 4, 5, 6, 7, 8, 9, 1234.4, None]
    cl = mapdata.classing(vals)
    entries = mapdata.legend_entries(vals, cl, "aantal")
    assert [e.label for e in entries] == ["1 – 2", "3 – 4", "5 – 6", "7 – 8", "9 – 1.234", "geen gegevens"]
    assert [e.count for e in entries] == [2, 2, 2, 2, 2, 1]
    # Two values: the three empty classes between them are merged away.
    pct = mapdata.legend_entries([10.24, 20.5], mapdata.classing([10.24, 20.5]), "%")
    assert [(e.cls, e.label, e.count) for e in pct] == [(0, "10,2%", 1), (1, "20,5%", 1), (None, "geen gegevens", 0)]
    assert mapdata.range_label(4.9, 8.6, "%") == "4,9 – 8,6%"
    assert mapdata.range_label(185, 1257, "x 1.000 euro") == "185,0 – 1.257,0"
    assert mapdata.unit_caption("x 1.000 euro") == "in duizenden euro's"
    tab = mapdata.legend_table(entries)
    assert list(tab["Klasse"]) == ["1 van 5", "2 van 5", "3 van 5", "4 van 5", "5 van 5", "grijs"]
    assert list(tab["Waarden"])[-1] == "geen gegevens"


def test_colour_meaning_is_neutral():
    s = mapdata.colour_meaning("%")
    assert s.startswith("Donkerder = hoger percentage")
    assert "niet of dat goed of slecht is" in s
    assert "hoger aantal" in mapdata.colour_meaning("aantal")


# ---------------------------------------------------------------------- colours and geometry

def test_class_colours_follow_the_sequential_palette():
    assert maps.class_colours(5) == [hex_to_rgb(h) for h in SEQUENTIAL]
    assert maps.class_colours(2) == [hex_to_rgb(SEQUENTIAL[0]), hex_to_rgb(SEQUENTIAL[-1])]
    assert maps.class_colours(4) == [hex_to_rgb(SEQUENTIAL[i]) for i in (0, 1, 3, 4)]
    assert maps.class_colours(0) == []
    assert maps.fill_for(None, maps.class_colours(5)) == MISSING_RGB
    assert maps.rgb_hex(MISSING_RGB) == "#C8C8C8"
    # no red anywhere in the map colours
    for rgb in maps.class_colours(5) + [MISSING_RGB, maps.UNMATCHED_RGB]:
        assert not (rgb[0] > 180 and rgb[1] < 80 and rgb[2] < 80)


def test_polygons_round_dedupe_holes_and_multipolygons():
    gj = {"type": "MultiPolygon", "coordinates": [
        [[[5.1234567, 50.1234567], [5.2, 50.1], [5.2, 50.1000001], [5.2, 50.2], [5.1234567, 50.1234567]],
         [[5.15, 50.15], [5.16, 50.15], [5.16, 50.16], [5.15, 50.15]]],
        [[[6.0, 51.0], [6.0, 51.0], [6.0, 51.0], [6.0, 51.0]]],  # collapses: dropped
    ]}
    polys = maps.polygons(json.dumps(gj), decimals=5)
    assert len(polys) == 1
    outer, hole = polys[0]
    assert outer == [[5.12346, 50.12346], [5.2, 50.1], [5.2, 50.2], [5.12346, 50.12346]]
    assert hole[0] == [5.15, 50.15]
    assert maps.polygons(gj, decimals=5, keep_holes=False) == [[outer]]
    coarse = maps.polygons(gj, decimals=3)
    assert coarse[0][0][0] == [5.123, 50.123]


# ---------------------------------------------------------------------- the Maastricht map on hand-made data

def _square(x, y, d=0.01):
    return json.dumps({"type": "Polygon", "coordinates": [[[x, y], [x + d, y], [x + d, y + d], [x, y + d], [x, y]]]})


@pytest.fixture
def hand_map():
    geo = pd.DataFrame({
        "area_code": ["BU1", NAZARETH, "BU3"],
        "geojson": [_square(5.6, 50.8), _square(5.7123456789, 50.8123456789), _square(5.8, 50.9)],
        "label_lon": [5.605, 5.7175, 5.805], "label_lat": [50.805, 50.8175, 50.905],
        "source_key": ["geo"] * 3, "name": ["Een", "Nazareth", "Drie"],
    })
    rows = [
        AreaValue("BU1", "Een", 2020, 10.0, "ok", "10,0%", "lager dan Maastricht", ("50090NED",)),
        AreaValue(NAZARETH, "Nazareth", 2020, 30.0, "ok", "30,0%", "hoger dan Maastricht", ("50090NED",)),
        AreaValue("BU3", "Drie", 2020, None, "geheim", "geen gegevens", "geen vergelijking mogelijk", ("50090NED",)),
    ]
    cl = mapdata.classing([r.value for r in rows])
    chart = maps.buurt_chart(geo, rows, cl.classes, cl.n_classes, "Roken", 2020, [NAZARETH, POTTENBERG])
    return chart.to_dict(), cl


def _features(layer: dict) -> dict:
    return {f["properties"]["code"]: f for f in layer["data"]["values"]}


def test_buurt_chart_layers_colours_focus_and_labels(hand_map):
    spec, cl = hand_map
    layers = spec["layer"]
    areas, halo, focus, label_halo, label = layers
    recs = _features(areas)
    assert set(recs) == {"BU1", NAZARETH, "BU3"}
    colours = [maps.rgb_hex(c) for c in maps.class_colours(cl.n_classes)]
    assert cl.n_classes == 2
    assert recs["BU1"]["properties"]["f"] == colours[0] and recs[NAZARETH]["properties"]["f"] == colours[1]
    assert recs["BU3"]["properties"]["f"] == maps.rgb_hex(MISSING_RGB)  # missing is grey, never a class colour
    assert recs["BU3"]["properties"]["v"] == "geen gegevens"
    assert areas["encoding"]["color"]["scale"] is None  # the fill is the class colour itself
    assert focus["mark"]["stroke"] == maps.rgb_hex(FOCUS_OUTLINE_RGB) and focus["mark"]["strokeWidth"] >= 3
    assert focus["mark"]["filled"] is False and halo["mark"]["strokeWidth"] > focus["mark"]["strokeWidth"]
    assert set(_features(focus)) == {NAZARETH}  # Pottenberg is not in this hand-made map
    labels = spec["datasets"][label["data"]["name"]]
    assert labels == [{"lon": 5.7175, "lat": 50.8175, "naam": "Nazareth"}]
    assert label_halo["data"] == label["data"] and label["mark"]["fontSize"] >= 15
    assert spec["projection"]["type"] == "mercator"


def test_buurt_chart_tooltip_selection_and_offline(hand_map):
    spec, _ = hand_map
    areas = spec["layer"][0]
    assert [t["field"] for t in areas["encoding"]["tooltip"]] == ["Buurt", "Roken (2020)", "Vergelijking"]
    param = next(p for p in spec["params"] if p["name"] == maps.SELECT_PARAM)
    assert param["select"]["type"] == "point" and param["select"]["fields"] == ["code"]
    text = json.dumps(spec)
    assert "http" not in text.replace(spec.get("$schema", ""), "")  # no tiles, no remote data
    naz = _features(areas)[NAZARETH]
    ring = naz["geometry"]["coordinates"][0][0]
    assert [5.71235, 50.81235] in ring  # rounded to 5 decimals (about 1 m)


def test_outer_rings_are_clockwise_for_vega():
    """d3-geo reads a counter-clockwise outer ring as the whole globe minus the buurt: rings are rewound."""
    ccw = [[0, 0], [1, 0], [1, 1], [0, 1], [0, 0]]
    assert maps._clockwise(ccw) == ccw[::-1]
    assert maps._clockwise(ccw[::-1]) == ccw[::-1]
    feat = maps.AreaFeature("BU1", [[ccw, [[0.2, 0.2], [0.2, 0.4], [0.4, 0.4], [0.2, 0.2]]]], {}, [1, 2, 3, 255])
    outer, hole = maps.geo_features([feat])[0]["geometry"]["coordinates"][0]
    signed = lambda r: sum(x0 * y1 - x1 * y0 for (x0, y0), (x1, y1) in zip(r, r[1:]))  # noqa: E731
    assert signed(outer) < 0 < signed(hole)


def test_legend_html_has_every_entry_and_escapes():
    entries = [LegendEntry(0, "4,9% – 8,6%", 9), LegendEntry(1, "8,8% – 31,2%", 33),
               LegendEntry(None, "geen gegevens", 2)]
    h = maps.legend_html(entries, maps.class_colours(2), "Roken <2020>", notes=["Donkerder = hoger percentage."],
                         extra=[("buurtcode uit 2014 zonder cijfer", maps.UNMATCHED_RGB, 2319, "vlakken")])
    assert "4,9% – 8,6%" in h and "(33 buurten)" in h and "geen gegevens" in h
    assert "#C8C8C8" in h and maps.rgb_hex(maps.class_colours(2)[1]) in h
    assert "(2.319 vlakken)" in h and "#ECECEC" in h
    assert "Roken &lt;2020&gt;" in h and "<2020>" not in h


def test_selected_buurt():
    assert maps.selected_buurt({"selection": {maps.SELECT_PARAM: [{"code": NAZARETH}]}}) == NAZARETH
    attr = SimpleNamespace(selection={maps.SELECT_PARAM: [{"code": POTTENBERG, "Buurt": "Pottenberg"}]})
    assert maps.selected_buurt(attr) == POTTENBERG
    assert maps.selected_buurt({"selection": {maps.SELECT_PARAM: []}}) is None
    assert maps.selected_buurt(None) is None


# ---------------------------------------------------------------------- national view

def test_national_table_keeps_classes_aligned_after_sorting():
    vals = pd.DataFrame({
        "area_code": ["BU3", "BU1", "BU2", "BU4"], "value": [30.0, 10.0, None, 20.0],
        "status": ["ok", "ok", "geheim", "ok"], "name": ["C", "A", "B", None],
        "gemeente_code": ["GM2", "GM1", "GM1", "GM2"],
    })
    cl = mapdata.classing(vals["value"].tolist())
    t = mapdata.national_table(vals, "%", {"GM1": "Alfa", "GM2": "Beta"}, cl)
    assert list(t["code"]) == ["BU1", "BU2", "BU4", "BU3"]  # gemeente, then buurt (code when no name)
    by = t.set_index("code")
    for code, v in zip(vals["area_code"], vals["value"]):
        want = mapdata.classify(v, cl.breaks)
        got = by.loc[code, "cls"]
        assert (want is None and pd.isna(got)) or got == want
    assert by.loc["BU2", "Waarde"] == "geen gegevens" and by.loc["BU2", "Status"].startswith("geen gegevens")
    assert by.loc["BU4", "Buurt"] == "BU4" and by.loc["BU3", "Gemeente"] == "Beta"


def test_join_stats_hand_made():
    js = mapdata.join_stats(["A", "B", "C", "D"], [True, False, True, True], ["A", "B", "X"])
    assert (js.n_values, js.n_present, js.n_shapes, js.n_matched, js.n_matched_present) == (4, 3, 3, 2, 1)
    assert js.n_without_shape == 2 and js.n_shapes_without_data == 1
    s = mapdata.join_sentence(js, 2020, 2014)
    assert "Van de 4 buurten met cijfers staan er 2 op de kaart; 2 buurten hebben geen vlak" in s


@pytest.fixture
def hand_national():
    """Three shapes (BU1 with a figure, BU2 without, BUX a 2014 code without a row), Nazareth as focus."""
    shapes = {c: json.loads(_square(5 + i / 10, 52)) for i, c in enumerate(["BU1", "BU2", "BUX", NAZARETH])}
    props = {c: {"n": f"naam {c}", "g": "Alfa"} for c in shapes}
    topo = topology.encode({c: topology.mercator(g) for c, g in shapes.items()}, props)
    vals = pd.DataFrame({"area_code": ["BU1", "BU2", NAZARETH, "BU9"], "value": [5.0, None, 7.5, 9.0],
                         "status": ["ok", "geheim", "ok", "ok"], "name": ["Een", "Twee", "Nazareth", "Negen"],
                         "gemeente_code": ["GM1", "GM1", "GM0935", "GM9"]})
    cl = mapdata.classing(vals["value"].tolist())
    table = mapdata.national_table(vals, "%", {"GM1": "Alfa"}, cl)
    on_map = table[table["code"].isin(shapes)]
    return topo, on_map, cl


def _values(spec: dict, data: dict):
    """The inline values of a data reference (Altair moves some into the top-level datasets)."""
    return spec["datasets"][data["name"]] if "name" in data else data["values"]


def _lookup_records(spec: dict, field: str) -> dict:
    """code -> value of one looked-up field of the national map's first layer."""
    t = next(t for t in spec["layer"][0]["transform"] if t.get("from", {}).get("fields") == [field])
    return {r["code"]: r[field] for r in _values(spec, t["from"]["data"])}, t


def test_national_chart_classes_grey_and_unmatched(hand_national):
    topo, on_map, cl = hand_national
    focus = topology.features(topo, [NAZARETH])
    spec = maps.national_chart("app/static/maps/x.json", on_map, cl.n_classes, "Roken", 2020, focus).to_dict()
    fills, t_fill = _lookup_records(spec, maps.F_FILL)
    values, t_value = _lookup_records(spec, maps.F_VALUE)
    colours = [maps.rgb_hex(c) for c in maps.class_colours(cl.n_classes)]
    cls = dict(zip(on_map["code"], on_map["cls"]))
    assert fills["BU1"] == colours[int(cls["BU1"])] and fills[NAZARETH] == colours[int(cls[NAZARETH])]
    assert fills["BU2"] == maps.rgb_hex(MISSING_RGB) and values["BU2"] == "geen gegevens"  # no figure: grey
    assert values["BU1"] == "5,0%" and values[NAZARETH] == "7,5%"  # the published value as the table shows it
    assert "BUX" not in fills and "BU9" not in fills  # no row / no shape: not sent
    # a shape whose code has no row: light grey and its own text (lookup defaults, no expression per shape)
    assert t_fill["default"] == maps.rgb_hex(maps.UNMATCHED_RGB) and t_value["default"] == maps.NO_DATA_TEXT
    assert t_fill["lookup"] == "id" and spec["layer"][0]["encoding"]["color"] == {
        "field": maps.F_FILL, "type": "nominal", "scale": None, "legend": None}
    assert [t["title"] for t in spec["layer"][0]["encoding"]["tooltip"]] == ["Buurt", "Gemeente", "Roken (2020)"]
    # the shapes come by URL, drawn on a canvas without projecting in the browser; no basemap
    assert spec["layer"][0]["data"] == {"url": "app/static/maps/x.json",
                                        "format": {"type": "topojson", "feature": topology.OBJECT}}
    assert spec["projection"] == {"type": "identity", "reflectY": True}
    assert spec["usermeta"]["embedOptions"]["renderer"] == "canvas"


def test_national_chart_outlines_the_focus_buurten(hand_national):
    topo, on_map, cl = hand_national
    spec = maps.national_chart(topo, on_map, cl.n_classes, "Roken", 2020,
                               topology.features(topo, [NAZARETH, POTTENBERG])).to_dict()
    halo, outline = spec["layer"][1], spec["layer"][2]
    assert halo["mark"]["stroke"] == "#FFFFFF" and outline["mark"]["stroke"] == maps.rgb_hex(FOCUS_OUTLINE_RGB)
    assert outline["mark"]["strokeWidth"] < halo["mark"]["strokeWidth"] and not outline["mark"]["filled"]
    assert outline["mark"]["strokeWidth"] >= 3.5 and halo["mark"]["strokeWidth"] >= 7  # thicker than a shape edge
    feats = _values(spec, outline["data"])
    assert [f["id"] for f in feats] == [NAZARETH]  # Pottenberg has no shape in this topology
    assert feats[0]["geometry"]["coordinates"] == topology.decode(topo)[NAZARETH]
    # findable at national scale: a black ring on a white halo at the buurt and its name beside it
    ring_halo, ring, name_halo, name = spec["layer"][3:7]
    for layer in (ring_halo, ring):
        assert layer["mark"]["type"] == "point" and layer["mark"]["shape"] == "circle"
        assert not layer["mark"]["filled"] and layer["mark"]["size"] >= 150
    assert ring_halo["mark"]["stroke"] == "#FFFFFF" and ring["mark"]["stroke"] == maps.rgb_hex(FOCUS_OUTLINE_RGB)
    assert ring["mark"]["strokeWidth"] < ring_halo["mark"]["strokeWidth"]
    assert name["mark"]["type"] == "text" and name["mark"]["fontWeight"] == "bold"
    assert name_halo["mark"]["stroke"] == "#FFFFFF" and name["encoding"]["text"]["field"] == "naam"
    assert all(layer["mark"].get("aria") is False for layer in spec["layer"][1:])  # decoration: the text says it
    (pt,) = _values(spec, ring["data"])
    x0, y0, x1, y1 = _bounds(topology.decode(topo)[NAZARETH])
    assert x0 < pt["x"] < x1 and y0 < pt["y"] < y1 and pt["naam"] == f"naam {NAZARETH}"
    assert ring["encoding"]["longitude"]["field"] == "x" and ring["encoding"]["latitude"]["field"] == "y"
    # inline topology (no static serving): kept as TopoJSON in the spec
    assert spec["layer"][0]["data"]["format"]["type"] == "topojson"
    assert _values(spec, spec["layer"][0]["data"])["type"] == "Topology"
    no_focus = maps.national_chart(topo, on_map, cl.n_classes, "Roken", 2020).to_dict()
    assert len(no_focus["layer"]) == 1


def _bounds(polys):
    pts = [p for poly in polys for ring in poly for p in ring]
    return (min(p[0] for p in pts), min(p[1] for p in pts), max(p[0] for p in pts), max(p[1] for p in pts))


def test_focus_labels_inside_each_buurt_names_apart():
    """Two focus buurten: each marked at the centroid of its (largest) shape, the western name to the left."""
    l_shape = [[[0, 0], [4, 0], [4, 1], [1, 1], [1, 4], [0, 4], [0, 0]]]  # an L of two rectangles
    east = [[[10, 0], [12, 0], [12, 2], [10, 2], [10, 0]]]
    feats = [{"id": "BU2", "properties": {"n": "Oost"}, "geometry": {"type": "MultiPolygon", "coordinates": [east]}},
             {"id": "BU1", "properties": {"n": "West"}, "geometry": {"type": "MultiPolygon",
                                                                      "coordinates": [[[[50, 50], [50, 50.1], [50.1, 50]]], l_shape]}}]
    east_pt, west_pt = maps.focus_labels(feats)
    assert (east_pt["naam"], east_pt["kant"]) == ("Oost", "rechts") and (west_pt["naam"], west_pt["kant"]) == ("West", "links")
    assert (east_pt["x"], east_pt["y"]) == (11, 1)
    # the largest polygon of a multipolygon counts (the L, not the sliver); by hand: (4·(2, 0.5) + 3·(0.5, 2.5)) / 7
    assert west_pt["x"] == pytest.approx(9.5 / 7, abs=1e-4) and west_pt["y"] == pytest.approx(9.5 / 7, abs=1e-4)
    only = maps.focus_labels(feats[:1])
    assert only[0]["kant"] == "rechts"
    assert maps.focus_labels([{"id": "BU3", "properties": {}, "geometry": {"coordinates": []}}]) == []
    assert topology.label_point([]) is None


def test_focus_sentence_and_note_name_the_marked_buurten():
    vals = pd.DataFrame({"area_code": ["BU1", NAZARETH, POTTENBERG], "value": [5.0, 7.5, None],
                         "status": ["ok", "ok", "geheim"], "name": ["Een", "Nazareth", "Pottenberg"],
                         "gemeente_code": ["GM1", "GM0935", "GM0935"]})
    cl = mapdata.classing(vals["value"].tolist())
    table = mapdata.national_table(vals, "%", {"GM0935": "Maastricht"}, cl)
    both = {NAZARETH, POTTENBERG}
    assert mapdata.focus_sentence(table, [NAZARETH, POTTENBERG], both) == (
        f"Gemarkeerd op de kaart: Nazareth (Maastricht) 7,5%; Pottenberg (Maastricht) "
        f"{mapdata.status_text('geheim')}.")
    assert mapdata.focus_note(mapdata.focus_names(table, [NAZARETH, POTTENBERG], both)) == \
        "Zwarte ring met naam: Nazareth en Pottenberg."
    # a buurt without a shape is not marked, so not named
    assert mapdata.focus_sentence(table, [NAZARETH, POTTENBERG], {NAZARETH}) == \
        "Gemarkeerd op de kaart: Nazareth (Maastricht) 7,5%."
    assert mapdata.focus_sentence(table, [NAZARETH], set()) == "" and mapdata.focus_note([]) == ""


# ---------------------------------------------------------------------- real data (fixture database)

@pytest.fixture(scope="module")
def engine(subset_sqlite):
    return Engine(repository.load_inputs(subset_sqlite), load())


def test_area_values_match_the_engine(engine, subset_sqlite):
    geo = repository.geometries(2020, "GM0935", url=subset_sqlite)
    codes = sorted(geo["area_code"])
    assert len(codes) == 44
    m = engine.catalog.get("eenzaam")
    rows, ref = mapdata.area_values(engine, m, 2020, codes)
    naz = next(r for r in rows if r.code == NAZARETH)
    r = engine.value(m, NAZARETH, 2020)
    assert naz.value == r.value and naz.status == "ok" and naz.name == "Nazareth"
    assert naz.comparison == engine.compare(m, r, ref, "Maastricht").label
    assert naz.value_text.endswith("%") and "," in naz.value_text
    table = mapdata.area_table(rows)
    assert len(table) == 44 and list(table["Buurt"]) == sorted(table["Buurt"], key=str.lower)
    assert set(table.columns) == {"Buurt", "Code", "Waarde", "Jaar", "Status", "Vergelijking met Maastricht"}


def test_missing_buurten_stay_missing(engine, subset_sqlite):
    # WOZ 2025 is published only for buurten with >= 250 inhabitants and 100 dwellings: 38 of 44.
    geo = repository.geometries(2020, "GM0935", url=subset_sqlite)
    m = engine.catalog.get("woz_waarde")
    rows, _ = mapdata.area_values(engine, m, 2025, list(geo["area_code"]))
    missing = [r for r in rows if r.value is None]
    assert len(missing) == 6
    assert all(r.value_text == "geen gegevens" and r.comparison == "geen vergelijking mogelijk" for r in missing)
    cl = mapdata.classing([r.value for r in rows])
    assert sum(c is None for c in cl.classes) == 6
    entries = mapdata.legend_entries([r.value for r in rows], cl, m.unit)
    assert entries[-1] == LegendEntry(None, "geen gegevens", 6)
    assert sum(e.count for e in entries) == 44


def test_map_years_only_years_with_buurt_values(engine, subset_sqlite):
    geo = repository.geometries(2020, "GM0935", url=subset_sqlite)
    codes = list(geo["area_code"])
    cat = engine.catalog
    # Household income shares: 2017 per buurt; 2020 only for the gemeente in the shipped data.
    assert mapdata.map_years(engine, cat.get("huishoudens_sociaal_minimum"), codes) == [2017]
    assert mapdata.map_years(engine, cat.get("eenzaam"), codes) == [2012, 2016, 2020]
    ids = [m.id for m in mapdata.map_metrics(engine, cat, codes)]
    assert "eenzaam" in ids and "huishoudens_laag_inkomen" not in ids
    assert all(m.kind == "share" and "50090NED" in m.sources for m in mapdata.national_metrics(cat))


def test_national_payload_on_the_real_national_geometry(subset_sqlite, output_dir):
    t0 = time.perf_counter()
    topo = json.loads(repository.map_topology(topology.NATIONAL_KEY, url=subset_sqlite))
    codes = {g["id"] for g in topo["objects"][topology.OBJECT]["geometries"]}
    vals = repository.national_values("Eenzaam", "18+", 2020, url=subset_sqlite)
    cl = mapdata.classing(vals["value"].tolist())
    table = mapdata.national_table(vals, "%", repository.gemeente_names(url=subset_sqlite), cl)
    on_map = table[table["code"].isin(codes)]
    spec = maps.national_chart("app/static/maps/x.json", on_map, cl.n_classes, "Eenzaamheid", 2020,
                               topology.features(topo, [NAZARETH, POTTENBERG])).to_dict()
    fills, _ = _lookup_records(spec, maps.F_FILL)
    values, _ = _lookup_records(spec, maps.F_VALUE)
    assert len(fills) == len(on_map) > 90  # the fixture database has the Maastricht/Heerlen slice of 50090NED
    assert values[NAZARETH] == fmt.value(vals.set_index("area_code").loc[NAZARETH, "value"], "%")
    # The bound on what goes over the WebSocket per metric and year: every shape of the map with a row and a
    # value (the full database has rows for 7,666 of them), 1,000 distinct value texts.
    worst = pd.DataFrame({"code": sorted(codes), "Waarde": [fmt.value(i % 1000 / 10, "%") for i in range(len(codes))],
                          "cls": [i % 5 for i in range(len(codes))]})
    spec = maps.national_chart("app/static/maps/x.json", worst, 5, "Eenzaamheid", 2020,
                               topology.features(topo, [NAZARETH, POTTENBERG])).to_dict()
    size = len(json.dumps(spec, separators=(",", ":")).encode())
    t1 = time.perf_counter()
    assert size < 600_000
    fills, _ = _lookup_records(spec, maps.F_FILL)
    assert set(fills.values()) == {maps.rgb_hex(c) for c in maps.class_colours(5)}
    (output_dir / "kaart_payload.txt").write_text(
        f"national map: {len(codes)} shapes; spec with a row for every shape {size} bytes (geometry by URL), "
        f"{t1 - t0:.2f}s\n")


def test_map_inputs_on_both_backends(built_db):
    geo = repository.geometries(2020, "GM0935", url=built_db)
    assert len(geo) == 44
    polys = [maps.polygons(g) for g in geo["geojson"]]
    assert all(polys)  # every Maastricht buurt has a drawable shape
    assert geo["label_lon"].notna().all() and geo["label_lat"].notna().all()
    vals = repository.national_values("Eenzaam", "18+", 2020, url=built_db)
    naz = vals[vals["area_code"] == NAZARETH]
    assert len(naz) == 1 and naz["value"].iloc[0] > 0 and naz["name"].iloc[0] == "Nazareth"
    topo = json.loads(repository.map_topology(topology.NATIONAL_KEY, url=built_db))
    assert [f["id"] for f in topology.features(topo, [NAZARETH, POTTENBERG])] == [NAZARETH, POTTENBERG]
