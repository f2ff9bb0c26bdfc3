"""Map builders and map data: classes on hand-made data, legend, deck spec, payload; real data where it matters."""
from __future__ import annotations

import json
import math
import time
from types import SimpleNamespace

import pandas as pd
import pytest

from loaders import repository
from metrics import mapdata
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


def test_fit_view_contains_the_box_tightly():
    box = (5.63, 50.80, 5.77, 50.91)
    v = maps.fit_view(box, width_px=760, height_px=560, padding=0.03)
    assert v.longitude == pytest.approx(5.70)
    assert 50.80 < v.latitude < 50.91

    def px(z):
        s = 512 * 2 ** z
        w = (box[2] - box[0]) / 360 * s
        h = (maps._merc_y(box[3]) - maps._merc_y(box[1])) / (2 * math.pi) * s
        return w, h

    w, h = px(v.zoom)
    assert w <= 760 * 0.94 + 1 and h <= 560 * 0.94 + 1
    w2, h2 = px(v.zoom + 0.1)
    assert w2 > 760 * 0.94 or h2 > 560 * 0.94  # a bit closer would not fit: the view is tight


# ---------------------------------------------------------------------- the Maastricht deck on hand-made data

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


def test_national_map_unmatched_and_missing_are_distinct():
    shapes = {c: maps.polygons(_square(5 + i / 10, 52), 3) for i, c in enumerate(["BU1", "BU2", "BUX"])}
    vals = pd.DataFrame({"area_code": ["BU1", "BU2"], "value": [5.0, None], "status": ["ok", "geheim"],
                         "name": ["Een", "Twee"], "gemeente_code": ["GM1", "GM1"]})
    cl = mapdata.classing(vals["value"].tolist())
    t = mapdata.national_table(vals, "%", {"GM1": "Alfa"}, cl)
    deck = maps.national_map(shapes, t, cl.n_classes, "Roken", 2020)
    spec = json.loads(deck.to_json())
    assert [layer["id"] for layer in spec["layers"]] == [maps.LAYER_AREAS]  # no focus buurt in these shapes
    recs = {r["n"]: r for r in spec["layers"][0]["data"]}
    assert recs["Een"]["f"] == maps.class_colours(1)[0]
    assert recs["Twee"]["f"] == MISSING_RGB and recs["Twee"]["v"] == "geen gegevens"
    assert recs["BUX"]["f"] == maps.UNMATCHED_RGB and recs["BUX"]["v"] == "geen cijfer voor deze buurtcode"
    assert all(set(r) == {"p", "n", "g", "v", "f"} for r in recs.values())


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
    geo = repository.geometries(2014, None, url=subset_sqlite)
    t0 = time.perf_counter()
    shapes = maps.national_shapes(geo)
    t1 = time.perf_counter()
    vals = repository.national_values("Eenzaam", "18+", 2020, url=subset_sqlite)
    cl = mapdata.classing(vals["value"].tolist())
    table = mapdata.national_table(vals, "%", repository.gemeente_names(url=subset_sqlite), cl)
    deck = maps.national_map(shapes, table, cl.n_classes, "Eenzaamheid", 2020, [NAZARETH, POTTENBERG])
    size = maps.payload_bytes(deck)
    t2 = time.perf_counter()
    assert len(shapes) > 10_000
    assert size < 4_000_000  # Streamlit's default message limit is 200 MB; stay far below it
    spec = json.loads(deck.to_json())
    recs = spec["layers"][0]["data"]
    assert all(round(x, 3) == x for r in recs[:500] for x, _ in r["p"][0])
    assert any(layer["id"] == maps.LAYER_FOCUS for layer in spec["layers"])  # both codes exist in 2014
    (output_dir / "kaart_payload.txt").write_text(
        f"national map: {len(shapes)} shapes, payload {size} bytes, shapes {t1 - t0:.2f}s, deck+json {t2 - t1:.2f}s\n")


def test_map_inputs_on_both_backends(built_db):
    geo = repository.geometries(2020, "GM0935", url=built_db)
    assert len(geo) == 44
    polys = [maps.polygons(g) for g in geo["geojson"]]
    assert all(polys)  # every Maastricht buurt has a drawable shape
    assert geo["label_lon"].notna().all() and geo["label_lat"].notna().all()
    vals = repository.national_values("Eenzaam", "18+", 2020, url=built_db)
    naz = vals[vals["area_code"] == NAZARETH]
    assert len(naz) == 1 and naz["value"].iloc[0] > 0 and naz["name"].iloc[0] == "Nazareth"
    shapes = maps.national_shapes(repository.geometries(2014, None, url=built_db))
    assert NAZARETH in shapes and POTTENBERG in shapes
