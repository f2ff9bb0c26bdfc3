"""The national map's TopoJSON (loaders.topology): encoding on hand-made shapes, and the artefact of a real build."""
from __future__ import annotations

import json
import math

import pytest
import sqlalchemy as sa

from loaders import repository, schema, topology
from loaders.config import FOCUS_AREAS
from loaders.db import connect


def _poly(*rings):
    return {"type": "Polygon", "coordinates": [list(r) for r in rings]}


def _square(x, y, d=1.0, ccw=True):
    pts = [[x, y], [x + d, y], [x + d, y + d], [x, y + d], [x, y]]
    return pts if ccw else pts[::-1]


def _area2(ring):
    return sum(x0 * y1 - x1 * y0 for (x0, y0), (x1, y1) in zip(ring, ring[1:]))


def _same_ring(a, b):
    """Equal closed rings up to the starting point."""
    a, b = [tuple(p) for p in a[:-1]], [tuple(p) for p in b[:-1]]
    if len(a) != len(b) or a[0] not in b:
        return False
    k = b.index(a[0])
    return a == b[k:] + b[:k]


@pytest.fixture
def hand():
    # A: a 4x4 square with a 1x1 hole; B: the buurt in that hole (wound the other way in the input); C: a shape
    # that collapses on the grid; D: two parts, one of which collapses.
    shapes = {
        "BU1": _poly(_square(0, 0, 4), _square(1, 1, 1, ccw=False)),
        "BU2": _poly(_square(1, 1, 1, ccw=False)),
        "BU3": _poly([[5, 5], [5.0001, 5], [5, 5.0001], [5, 5]]),
        "BU4": {"type": "MultiPolygon", "coordinates": [[_square(6, 0, 2)], [[[9, 9], [9, 9], [9, 9], [9, 9]]]]},
    }
    props = {"BU1": {"n": "Een", "g": "Alfa"}, "BU2": {"n": "Twee", "g": "Alfa"}}
    return shapes, props, topology.encode(shapes, props, step=0.5, origin=(0.0, 0.0))


def test_encode_keeps_every_drawable_shape_with_its_id_and_properties(hand):
    _, _, topo = hand
    geoms = topo["objects"][topology.OBJECT]["geometries"]
    assert [g["id"] for g in geoms] == ["BU1", "BU2", "BU4"]  # BU3 collapses on the grid: left out
    assert geoms[0]["properties"] == {"n": "Een", "g": "Alfa"} and "properties" not in geoms[2]
    assert geoms[0]["type"] == "Polygon" and geoms[2]["type"] == "Polygon"  # BU4's collapsed part is dropped
    assert topo["type"] == "Topology" and topo["transform"] == {"scale": [0.5, 0.5], "translate": [0.0, 0.0]}


def test_decode_gives_back_the_rings_on_the_grid(hand):
    shapes, _, topo = hand
    dec = topology.decode(topo)
    assert _same_ring(dec["BU1"][0][0], _square(0, 0, 4, ccw=False))  # outer ring now clockwise
    assert _same_ring(dec["BU1"][0][1], _square(1, 1, 1, ccw=True))  # the hole counter-clockwise
    assert _same_ring(dec["BU2"][0][0], _square(1, 1, 1, ccw=False))
    assert _same_ring(dec["BU4"][0][0], _square(6, 0, 2, ccw=False))
    for polys in dec.values():
        for poly in polys:
            assert _area2(poly[0]) < 0 and all(_area2(h) > 0 for h in poly[1:])


def test_a_ring_drawn_twice_is_stored_once_and_arcs_are_delta_encoded(hand):
    _, _, topo = hand
    geoms = {g["id"]: g for g in topo["objects"][topology.OBJECT]["geometries"]}
    hole_arc = geoms["BU1"]["arcs"][1][0]
    inner_arc = geoms["BU2"]["arcs"][0][0]
    assert inner_arc == ~hole_arc  # the same points, used backwards
    assert len(topo["arcs"]) == 3  # BU1 outer, the shared ring, BU4
    arc = topo["arcs"][0]
    pts, x, y = [], 0, 0
    for dx, dy in arc:
        x, y = x + dx, y + dy
        pts.append((x, y))
    assert pts[0] == pts[-1] and len(pts) == 5  # closed, on the grid (0.5 units per step: the 4x4 square = 8x8)
    assert {abs(v) for p in arc[1:] for v in p} <= {0, 8}


def test_mercator_matches_the_web_mercator_formula():
    assert topology.mercator(_poly([[5, 0], [6, 0], [6, 1], [5, 0]]))["coordinates"][0][0][0] == pytest.approx([5.0, 0.0])
    y = topology.mercator(_poly([[5.7, 50.85], [5.8, 50.85], [5.8, 50.9], [5.7, 50.85]]))["coordinates"][0][0][0][1]
    assert y == pytest.approx(math.degrees(math.log(math.tan(math.pi / 4 + math.radians(50.85) / 2))))
    assert topology.inverse_mercator(y) == pytest.approx(50.85)


def test_pack_is_deterministic_and_round_trips(hand):
    _, _, topo = hand
    text = topology.dumps(topo)
    assert topology.pack(text) == topology.pack(text)  # no time stamp in the gzip header
    assert topology.unpack(topology.pack(text)) == text
    with pytest.raises(ValueError, match="onbekende opslag"):
        topology.unpack(json.dumps({"encoding": "zip", "data": ""}))


# ---------------------------------------------------------------------- the artefact of a real build

@pytest.fixture(scope="module")
def stored(subset_sqlite):
    text = repository.map_topology(topology.NATIONAL_KEY, url=subset_sqlite)
    assert text is not None
    return text, json.loads(text)


def test_the_build_stores_every_national_buurt_shape_with_names(stored, subset_sqlite):
    text, topo = stored
    geo = repository.geometries(topology.NATIONAL_INDELING_YEAR, None, url=subset_sqlite)
    geoms = topo["objects"][topology.OBJECT]["geometries"]
    codes = [g["id"] for g in geoms]
    assert codes == sorted(codes) and set(codes) <= set(geo["area_code"])
    assert len(codes) > 9_500  # of 10,698 shapes; those left collapse on the ~300 m grid of the national file
    assert topo[topology.PROJECTION_MEMBER] == "mercator"
    props = {g["id"]: g["properties"] for g in geoms}
    for code in FOCUS_AREAS:  # the programme's focus buurten are on the map, named as in the area register
        assert props[code]["g"] == "Maastricht"
    assert {props[c]["n"] for c in FOCUS_AREAS} == {"Nazareth", "Pottenberg"}
    # compact: the browser fetches this file once; the database keeps it gzipped
    assert len(text.encode()) < 2_000_000
    with connect(subset_sqlite) as c:
        payload = c.execute(sa.select(schema.derived.c.payload).where(schema.derived.c.kind == topology.KIND)).scalar()
    assert len(payload) < 500_000


def test_the_stored_shapes_are_the_geometries_of_the_database(stored, subset_sqlite):
    _, topo = stored
    dec = topology.decode(topo)
    geo = repository.geometries(topology.NATIONAL_INDELING_YEAR, None, url=subset_sqlite).set_index("area_code")
    step = topology.GRID
    for code in [*FOCUS_AREAS, *sorted(dec)[::997]]:
        src = topology.mercator(json.loads(geo.loc[code, "geojson"]))["coordinates"]
        src_pts = [p for poly in src for p in poly[0]]
        for poly in dec[code]:
            for x, y in poly[0]:
                # every drawn vertex is a source vertex moved at most half a grid step
                assert min(max(abs(x - a), abs(y - b)) for a, b in src_pts) <= step / 2 + 1e-9


def test_the_artefact_is_the_same_on_both_backends(built_db, stored):
    text, _ = stored
    assert repository.map_topology(topology.NATIONAL_KEY, url=built_db) == text


def test_the_map_row_is_not_part_of_the_metric_store_read(subset_sqlite):
    rows = repository.load_store(subset_sqlite)
    assert rows.derived and all(kind != topology.KIND for kind, _, _ in rows.derived)
