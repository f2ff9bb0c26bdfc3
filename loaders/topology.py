"""The national buurt map as one compact TopoJSON, prepared when the database is written (compute before, read during).

The Kaart page's national view draws every buurt of the coarse 2014 national map (about 10,000 shapes). Sent as
GeoJSON (or drawn as WebGL polygons) that is megabytes and seconds in the browser; as TopoJSON — coordinates on an
integer grid of 0.001°, delta-encoded — it is one file of about 1.6 MB (270 KB gzipped) that the browser fetches
once and Vega-Lite draws on a canvas like any other chart.

Borders are not cut into shared arcs: the coarse map has about six vertices per buurt, so nearly every shared
border is a single segment between two junctions, and the arc references cost more than the shared points save
(measured: 1.90 MB with shared arcs, 1.62 MB with one arc per ring). A ring that occurs twice (a hole and the buurt
inside it) is stored once.

:func:`encode` is pure (shapes in, topology out; :func:`decode` is its inverse, used by the tests).
:func:`store_national` runs in :func:`loaders.pipeline.finish`, inside the build/refresh/import transaction: it
reads the national geometries and area names from the database just written and stores the topology as one row of
``derived`` (kind :data:`KIND`), so the artefact always matches the geometries and names of its build.

Nothing is simplified beyond the grid: the national file is already quantised on a ~300 m grid (see
data/PROVENANCE.md), and the grid here (0.001°, 70–110 m) is finer, so every vertex of the stored shape is kept
(consecutive vertices that fall on the same grid point merge; a ring that collapses is dropped, as before).
"""
from __future__ import annotations

import base64
import gzip
import json
import math
from typing import Iterable, Mapping, Sequence

import sqlalchemy as sa

from . import schema

KIND = "map_topology"
NATIONAL_KEY = "buurt-2014-nl"
NATIONAL_INDELING_YEAR = 2014
OBJECT = "buurten"
GRID = 1e-3  # degrees per grid step (lon and lat)
PACKING = "gzip+base64"
PROJECTION_MEMBER = "wm_projection"  # "mercator": coordinates are pre-projected (see mercator())

Point = tuple[int, int]


# ---------------------------------------------------------------------------------------------- encoding

def _quantise(ring: Sequence[Sequence[float]], x0: float, y0: float, inv: float,
              clockwise: bool) -> list[Point] | None:
    """Grid points of a ring, consecutive duplicates removed, open (no closing point), wound as d3-geo (Vega)
    expects: outer rings clockwise in lon/lat, holes counter-clockwise. None when the ring collapses."""
    out: list[Point] = []
    last = None
    for pt in ring:
        p = (round((pt[0] - x0) * inv), round((pt[1] - y0) * inv))
        if p != last:
            out.append(p)
            last = p
    while len(out) > 1 and out[0] == out[-1]:
        out.pop()
    if len(out) < 3:
        return None
    area2 = _area2(out)
    if area2 == 0:
        return None
    return out[::-1] if (area2 > 0) == clockwise else out


def _area2(ring: Sequence[Point]) -> int:
    """Twice the signed area of an open ring (positive: counter-clockwise with y pointing north)."""
    return sum(xa * yb - xb * ya for (xa, ya), (xb, yb) in zip(ring, ring[1:] + ring[:1]))


def _polygons(geometry: Mapping) -> list[list]:
    kind = geometry.get("type")
    if kind == "Polygon":
        return [geometry["coordinates"]]
    if kind == "MultiPolygon":
        return list(geometry["coordinates"])
    return []


def mercator(geometry: Mapping) -> dict:
    """A GeoJSON Polygon/MultiPolygon in Web Mercator, in degree-like units: x = longitude, y = the Mercator
    ordinate ln(tan(45° + latitude/2)) in degrees. Drawn with Vega's identity projection (reflectY), the map looks
    exactly like Vega's "mercator" projection, without projecting 70,000 points in the browser on every redraw."""
    def ring(r):
        return [[float(x), math.degrees(math.log(math.tan(math.pi / 4 + math.radians(float(y)) / 2)))] for x, y, *_ in r]

    polys = [[ring(r) for r in poly] for poly in _polygons(geometry)]
    return {"type": "MultiPolygon", "coordinates": polys}


def inverse_mercator(y: float) -> float:
    """The latitude of a Mercator ordinate made by :func:`mercator`."""
    return math.degrees(2 * math.atan(math.exp(math.radians(y))) - math.pi / 2)


def encode(shapes: Mapping[str, Mapping], properties: Mapping[str, Mapping] | None = None,
           step: float = GRID, origin: tuple[float, float] | None = None) -> dict:
    """A TopoJSON Topology of GeoJSON geometries (code -> Polygon/MultiPolygon), one object :data:`OBJECT`.

    Every geometry keeps its code as ``id`` (and ``properties[code]`` if given); geometries appear in the order
    given. Coordinates (planar; see :func:`mercator`) go onto a grid of ``step`` units from ``origin`` (default: the
    south-west corner of the data), one arc per ring. A ring that collapses on the grid (fewer than three points, or no area) is dropped,
    and a shape whose every ring collapses is left out.
    """
    properties = properties or {}
    polys_by_code: dict[str, list[list[list[Point]]]] = {}
    if origin is None:
        xs, ys = [], []
        for geom in shapes.values():
            for poly in _polygons(geom):
                for ring in poly:
                    for pt in ring:
                        xs.append(float(pt[0]))
                        ys.append(float(pt[1]))
        origin = (round(min(xs), 3), round(min(ys), 3)) if xs else (0.0, 0.0)
    x0, y0 = origin
    inv = 1.0 / step
    for code, geom in shapes.items():
        polys = []
        for rings in _polygons(geom):
            outer = _quantise(rings[0], x0, y0, inv, True) if rings else None
            if outer is None:
                continue
            holes = [h for h in (_quantise(r, x0, y0, inv, False) for r in rings[1:]) if h is not None]
            polys.append([outer, *holes])
        if polys:
            polys_by_code[code] = polys

    arcs: list[list[Point]] = []
    index: dict[tuple[Point, ...], int] = {}

    def arc_id(ring: list[Point]) -> int:
        """One closed arc per ring, started at its smallest point, so that a ring drawn twice (a hole and the buurt
        inside it) is stored once and used backwards the second time (``~index``)."""
        k = ring.index(min(ring))
        key = tuple(ring[k:] + ring[:k] + [ring[k]])
        if key in index:
            return index[key]
        if key[::-1] in index:
            return ~index[key[::-1]]
        index[key] = len(arcs)
        arcs.append(list(key))
        return index[key]

    geometries = []
    for code, polys in polys_by_code.items():
        parts = [[[arc_id(ring)] for ring in poly] for poly in polys]
        geom: dict = ({"type": "Polygon", "arcs": parts[0]} if len(parts) == 1
                      else {"type": "MultiPolygon", "arcs": parts})
        geom["id"] = code
        if code in properties:
            geom["properties"] = dict(properties[code])
        geometries.append(geom)
    return {
        "type": "Topology",
        "transform": {"scale": [step, step], "translate": [x0, y0]},
        "objects": {OBJECT: {"type": "GeometryCollection", "geometries": geometries}},
        "arcs": [_delta(a) for a in arcs],
    }


def _delta(arc: Sequence[Point]) -> list[list[int]]:
    out = [[arc[0][0], arc[0][1]]]
    for (xa, ya), (xb, yb) in zip(arc, arc[1:]):
        out.append([xb - xa, yb - ya])
    return out


def decode(topology: Mapping, codes: Iterable[str] | None = None) -> dict[str, list[list[list[list[float]]]]]:
    """Code -> polygons ([outer ring, *holes], closed rings of [x, y]) of a topology made by :func:`encode`; all
    geometries, or only those of ``codes``."""
    (sx, sy), (tx, ty) = topology["transform"]["scale"], topology["transform"]["translate"]
    arcs = topology["arcs"]
    wanted = None if codes is None else set(codes)

    def absolute(i: int) -> list[tuple[int, int]]:
        x = y = 0
        pts = []
        for dx, dy in arcs[i if i >= 0 else ~i]:
            x, y = x + dx, y + dy
            pts.append((x, y))
        return pts if i >= 0 else pts[::-1]

    def ring(ids: Sequence[int]) -> list[list[float]]:
        pts: list[tuple[int, int]] = []
        for i in ids:
            a = absolute(i)
            pts.extend(a if not pts else a[1:])
        return [[x * sx + tx, y * sy + ty] for x, y in pts]

    out = {}
    for g in topology["objects"][OBJECT]["geometries"]:
        if wanted is not None and g["id"] not in wanted:
            continue
        parts = [g["arcs"]] if g["type"] == "Polygon" else g["arcs"]
        out[g["id"]] = [[ring(r) for r in poly] for poly in parts]
    return out


def features(topology: Mapping, codes: Iterable[str]) -> list[dict]:
    """The geometries of a few codes as GeoJSON features (in the topology's coordinates) with their properties
    (name ``n``, gemeente ``g``), in the order asked."""
    codes = list(codes)
    polys = decode(topology, codes)
    props = {g["id"]: dict(g.get("properties") or {}) for g in topology["objects"][OBJECT]["geometries"]
             if g["id"] in polys}
    return [{"type": "Feature", "id": c, "properties": props[c],
             "geometry": {"type": "MultiPolygon", "coordinates": polys[c]}} for c in codes if c in polys]


def label_point(polygons: Sequence[Sequence[Sequence[Sequence[float]]]]) -> tuple[float, float] | None:
    """A point to mark a shape by: the centroid of its largest polygon's outer ring (the vertex mean when the ring
    has no area); None without polygons. ``polygons`` as :func:`decode` gives them ([outer ring, *holes], ...)."""
    best, best_area = None, -1.0
    for poly in polygons:
        ring = [tuple(map(float, p[:2])) for p in poly[0]] if poly and poly[0] else []
        if len(ring) < 3:
            continue
        a2 = cx = cy = 0.0
        for (x0, y0), (x1, y1) in zip(ring, ring[1:] + ring[:1]):
            cross = x0 * y1 - x1 * y0
            a2 += cross
            cx += (x0 + x1) * cross
            cy += (y0 + y1) * cross
        if abs(a2) > best_area:
            n = len(ring)
            best_area = abs(a2)
            best = ((cx / (3 * a2), cy / (3 * a2)) if a2 else
                    (sum(x for x, _ in ring) / n, sum(y for _, y in ring) / n))
    return best


def dumps(topology: Mapping) -> str:
    """Compact JSON (no spaces): the form the browser receives."""
    return json.dumps(topology, separators=(",", ":"), ensure_ascii=False, allow_nan=False)


def pack(text: str) -> str:
    """The stored form: the JSON gzipped (deterministic: no time stamp) and base64-encoded, inside a small JSON
    object — 0.36 MB in the database instead of 1.6 MB (the embedded database is kept under 60 MB)."""
    data = gzip.compress(text.encode("utf-8"), compresslevel=6, mtime=0)
    return json.dumps({"encoding": PACKING, "data": base64.b64encode(data).decode("ascii")})


def unpack(payload: str) -> str:
    """The TopoJSON text of a stored payload (see :func:`pack`)."""
    obj = json.loads(payload)
    if not isinstance(obj, dict) or obj.get("encoding") != PACKING:
        raise ValueError("onbekende opslag van de kaart")
    return gzip.decompress(base64.b64decode(obj["data"])).decode("utf-8")


# ---------------------------------------------------------------------------------------------- build step

def national_properties(conn: sa.Connection, codes: Iterable[str]) -> dict[str, dict]:
    """Name ``n`` and gemeente name ``g`` of each code, from the area register just written (empty when unknown)."""
    a = schema.areas
    rows = conn.execute(sa.select(a.c.code, a.c.name, a.c.gemeente_code, a.c.level)).all()
    names = {code: name for code, name, _, _ in rows}
    gemeente = {code: gm for code, _, gm, _ in rows}
    out = {}
    for code in codes:
        name = names.get(code)
        gm = gemeente.get(code) or ("GM" + code[2:6] if code.startswith("BU") else "")
        out[code] = {"n": name if isinstance(name, str) and name else code, "g": names.get(gm) or ""}
    return out


def store_national(conn: sa.Connection) -> int:
    """Encode the national buurt geometries of this build and store the topology in ``derived``; returns the
    stored size in bytes (0 when the build has no national map)."""
    g = schema.geometries
    rows = conn.execute(sa.select(g.c.area_code, g.c.geojson)
                        .where(g.c.indeling_year == NATIONAL_INDELING_YEAR, g.c.area_code.like("BU%"))
                        .order_by(g.c.area_code)).all()
    conn.execute(schema.derived.delete().where(schema.derived.c.kind == KIND))
    if not rows:
        return 0
    shapes = {code: mercator(json.loads(gj)) for code, gj in rows}
    topo = encode(shapes, national_properties(conn, shapes))
    topo[PROJECTION_MEMBER] = "mercator"  # a foreign member (TopoJSON allows them): how to draw it
    payload = pack(dumps(topo))
    conn.execute(schema.derived.insert(), [{"kind": KIND, "key": NATIONAL_KEY, "payload": payload}])
    return len(payload)
